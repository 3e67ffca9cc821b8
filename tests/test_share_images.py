"""Share images: their size, their text (inside the canvas, in every script, equal to the alt text), reproducible
bytes, the cache, and the og:image / twitter tags and the verdict bar in the built site."""

from __future__ import annotations

import functools
import io
import re
import struct

import pytest
import yaml
from bs4 import BeautifulSoup
from PIL import Image, ImageChops, ImageDraw

from conftest import ROOT, SITE_URL, copy_project, run_build
from factcheck import icon_masks, share, write

SLUG = "turkey-s400-f35"
SCALE = {str(r["key"]): r for r in yaml.safe_load((ROOT / "claims" / "ratings.yaml").read_text())["ratings"]}
CLAIMS = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (ROOT / "claims" / SLUG).glob("*.yaml")}


def claim_card(text: str, verdict: str = "false", source: str = "Appeared in Example News, 1 May 2025") -> share.Card:
    rating = SCALE[verdict]
    return share.Card("The Annotated Check", (share.Badge(rating["label"], rating["icon"], rating["color"]),),
                      text, source)


def article_card(title: str, counts: dict[str, int]) -> share.Card:
    badges = tuple(share.Badge(SCALE[k]["label"], SCALE[k]["icon"], SCALE[k]["color"], n) for k, n in counts.items())
    return share.Card("The Annotated Check", badges, title, "Published 2 May 2025", counts=True)


def reference(layout: share.Layout, ink: bool = True) -> Image.Image:
    """The layout drawn the plain way: on an RGB canvas, each text and icon blended by Pillow onto what is beneath
    it (without `ink`: the shapes only). share.draw paints palette indices instead, which is quicker;
    test_drawing_matches_the_plain_one holds it to this."""
    image = Image.new("RGB", (share.WIDTH, share.HEIGHT), share.BACKGROUND)
    canvas = ImageDraw.Draw(image)
    canvas.rectangle((0, 0, share.WIDTH - 1, share.BAND_HEIGHT - 1), fill=share.BAND)
    for pill in layout.pills:
        canvas.rounded_rectangle((pill.x, pill.y, pill.x + pill.width - 1, pill.y + pill.height - 1),
                                 radius=pill.height // 2, fill=pill.color)
        if ink:
            image.paste(share.WHITE, (pill.icon_x, pill.icon_y), icon_masks.mask(pill.icon, pill.icon_size))
    for text in layout.texts if ink else ():
        canvas.text((text.x, text.y), text.text, font=share.font(text.face, text.size), fill=text.color, anchor="la")
    return image


def drawn_texts(layout: share.Layout, monkeypatch) -> list[tuple[tuple[int, int], str, object]]:
    """What the plain drawing of the layout paints (share.draw matches it): every ImageDraw.text call, recorded."""
    calls = []
    original = ImageDraw.ImageDraw.text

    def record(self, xy, text, *args, **kwargs):
        calls.append((xy, text, kwargs["font"], kwargs.get("anchor")))
        return original(self, xy, text, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", record)
    reference(layout)
    monkeypatch.setattr(ImageDraw.ImageDraw, "text", original)
    return calls


def png_chunks(data: bytes) -> list[str]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        chunks.append(kind.decode())
        at += 12 + length
    return chunks


def test_every_claim_and_article_has_a_share_image(built_site):
    images = {claim_id: (built_site / SLUG / claim_id / "share.png").read_bytes() for claim_id in CLAIMS}
    images["(article)"] = (built_site / SLUG / "share.png").read_bytes()
    for name, data in images.items():
        image = Image.open(io.BytesIO(data))
        assert (image.format, image.size, image.mode) == ("PNG", (1200, 630), "P"), name
        # No timestamp, text or other metadata chunk: equal inputs give equal bytes.
        assert set(png_chunks(data)) == {"IHDR", "PLTE", "IDAT", "IEND"}, name
    assert len(set(images.values())) == len(images), "two pages share one image"


def test_share_tags_use_absolute_urls_and_the_drawn_text(built_site):
    for path in (built_site / SLUG / "index.html", built_site / SLUG / "ambassador-name" / "index.html"):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        meta = {m.get("property") or m.get("name"): m["content"] for m in page.find_all("meta") if m.get("content")}
        image = meta["og:image"]
        assert image.startswith(SITE_URL) and image.endswith("/share.png")
        assert (built_site / image.removeprefix(SITE_URL)).is_file()
        assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
        assert meta["twitter:card"] == "summary_large_image" and meta["twitter:image"] == image
        assert meta["og:image:alt"] == meta["twitter:image:alt"]
        assert meta["og:image:alt"].startswith("The Annotated Check. ")
    home = BeautifulSoup((built_site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert not home.find("meta", property="og:image")  # no image of its own: the home page keeps a summary card


def test_alt_text_is_the_drawn_text(monkeypatch):
    cards = [claim_card(" ".join(c["claim"].split()), str(c["verdict"])) for c in CLAIMS.values()]
    cards += [claim_card("word " * 200), article_card("A title", {"false": 2, "opinion": 1, "true": 12})]
    for card in cards:
        layout = share.layout(card)
        texts = [text for _, text, _, _ in drawn_texts(layout, monkeypatch)]
        assert texts == [t.text for t in layout.texts]
        # The alt text is the drawn strings in reading order, each joined to the next by a space and at most one
        # full stop or comma: nothing added, nothing left out.
        pattern = r"[.,]? ".join(re.escape(t) for t in texts)
        assert re.fullmatch(pattern, layout.alt), (layout.alt, texts)


@pytest.mark.parametrize("card", [
    claim_card(" ".join(CLAIMS["ambassador-name"]["claim"].split()), "missing-context"),
    claim_card("Erdoğan, İstanbul’da Şişli ve Çığlık: ılık ölçü " * 3, "opinion", "Published 2 May 2025"),
    article_card("Every verdict at once", {k: 3 for k in SCALE}),
], ids=["claim", "turkish", "every verdict"])
def test_drawing_matches_the_plain_one(card):
    """share.draw paints palette indices straight (no RGB canvas to blend into and quantise): the same picture as
    the plain drawing, every pixel without ink exactly, every anti-aliased one within a step of its ramp (12 at
    most: with all eight verdicts the image has 11 pairs of colours, so ramps of 23 levels, 255 / 22 apart)."""
    layout = share.layout(card)
    drawn = Image.open(io.BytesIO(share.draw(layout))).convert("RGB")
    plain = reference(layout)
    difference = ImageChops.difference(drawn, plain)
    assert max(high for _, high in difference.getextrema()) <= 12
    no_ink = ImageChops.difference(plain, reference(layout, ink=False)).convert("L").point(lambda v: 255 * (v == 0))
    assert Image.composite(difference, Image.new("RGB", drawn.size), no_ink).getbbox() is None
    assert ImageChops.invert(no_ink).getbbox()  # there is ink to compare


def boxes(layout: share.Layout, monkeypatch) -> list[tuple[str, tuple[float, float, float, float]]]:
    found = []
    for (x, y), text, font, anchor in drawn_texts(layout, monkeypatch):
        left, top, right, bottom = font.getbbox(text, anchor=anchor)
        found.append((text, (x + left, y + top, x + right, y + bottom)))
    return found


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("name", ["longest claim", "too long", "long word", "article"])
def test_text_stays_inside_the_canvas(name, monkeypatch):
    longest = max((" ".join(c["claim"].split()) for c in CLAIMS.values()), key=len)
    card = {
        "longest claim": claim_card(longest, "missing-context"),
        "too long": claim_card("The minister said that the programme " * 20, "missing-context",
                               "Appeared in " + "A Very Long Newspaper Name " * 8 + ", 1 May 2025"),
        "long word": claim_card("See https://example.org/" + "a" * 300 + " for the full text of the report."),
        "article": article_card("Ğüneş İstanbul’da: " + "a long headline about the budget " * 10,
                                {k: 3 for k in SCALE}),
    }[name]
    layout = share.layout(card)
    found = boxes(layout, monkeypatch)
    for text, box in found:
        assert box[0] >= share.MARGIN - 6 and box[2] <= share.WIDTH - share.MARGIN + 6, (text, box)
        assert box[1] >= 0 and box[3] <= share.HEIGHT - share.MARGIN / 2, (text, box)
    # Text on the page (not in a badge) overlaps neither other text nor a badge.
    pills = [(p.x, p.y, p.x + p.width, p.y + p.height) for p in layout.pills]
    free = [(text, box) for (text, box), t in zip(found, layout.texts) if t.color != share.WHITE]
    for index, (text, box) in enumerate(free):
        assert not any(overlap(box, p) for p in pills), text
        assert not any(overlap(box, other) for _, other in free[index + 1:]), text
    for pill in layout.pills:
        assert pill.x + pill.width <= share.WIDTH - share.MARGIN and pill.y + pill.height <= share.HEIGHT
    for text in layout.texts:  # layout's quick measure is FreeType's
        assert share._width(text.text, text.face, text.size) == pytest.approx(
            share.font(text.face, text.size).getlength(text.text), abs=1e-6)
    if name == "longest claim":
        assert " ".join(t.text for t in layout.texts if t.size == 52) == longest  # it fits whole
    elif name != "article":
        assert "…" in layout.alt


def render(text: str) -> bytes:
    font = share.font("semibold", 52)
    image = Image.new("L", (80, 90))
    ImageDraw.Draw(image).text((10, 10), text, font=font, fill=255)
    return image.tobytes()


def test_turkish_letters_have_glyphs(monkeypatch):
    missing = render("\u4e00")  # CJK: not in Source Sans Pro, so drawn as the .notdef box
    assert render("\u0b95") == missing  # another missing character draws the same box
    for letter in "ğĞşŞıİçÇöÖüÜ":
        assert render(letter) != missing, letter
    title = "Erdoğan, İstanbul’da Şişli ve Çığlık: ılık ölçü"
    layout = share.layout(article_card(title, {"false": 1}))
    assert title in layout.alt
    assert title in [text for _, text, _, _ in drawn_texts(layout, monkeypatch)]


def test_same_bytes_in_another_folder_and_a_cache_that_survives_a_clean(tmp_path):
    first, second = copy_project(tmp_path / "a"), copy_project(tmp_path / "b")
    out = run_build(first).stdout
    assert f"{len(CLAIMS) + 1} share image(s) drawn" in out
    run_build(second)
    images = sorted(p.relative_to(first / "generated") for p in (first / "generated").rglob("share.png"))
    assert len(images) == len(CLAIMS) + 1
    for relative in images:
        assert (first / "generated" / relative).read_bytes() == (second / "generated" / relative).read_bytes()

    # The generated folder cleaned (as `make clean` does): every image comes from the cache.
    import shutil
    shutil.rmtree(first / "generated")
    assert "; 0 share image(s) drawn" in run_build(first).stdout

    # Rewording one claim redraws its image only; changing its verdict redraws its article's too.
    path = first / "claims" / SLUG / "ambassador-name.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^claim: (.*)$", r"claim: \1 Really.", text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    assert "; 1 share image(s) drawn" in run_build(first).stdout
    path.write_text(re.sub(r"^verdict: .*$", 'verdict: "misleading"', text, count=1, flags=re.M), encoding="utf-8")
    assert "; 2 share image(s) drawn" in run_build(first).stdout


def test_scorecard_bar_reads_the_counts(built_site):
    for path in (built_site / "index.html", built_site / SLUG / "index.html"):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        bar = page.select_one(".fc-bar svg[role=img]")
        assert bar is not None, path
        badges = [(b.select_one(".fc-badge__count").get_text(), b.select_one(".fc-badge__label").get_text())
                  for b in page.select(".fc-scorecard .fc-badge")]
        assert bar["aria-label"] == "Verdicts: " + ", ".join(f"{n} {label}" for n, label in badges)
        rects = bar.select("rect[class^=fc-v-]")
        assert len(rects) == len(badges)
        widths = [float(r["width"].rstrip("%")) for r in rects]
        assert abs(sum(widths) - 100) < 0.01
        counts = [int(n) for n, _ in badges]
        assert all(abs(w - 100 * n / sum(counts)) < 0.01 for w, n in zip(widths, counts))


def test_write_tree_takes_bytes(tmp_path):
    from factcheck import write
    data = share.draw(share.layout(claim_card("A claim.")))
    report = write.write_tree(tmp_path / "out", {"a/share.png": data, "a/index.md": "text"})
    assert (tmp_path / "out" / "a" / "share.png").read_bytes() == data
    assert sorted(report.written) == ["a/index.md", "a/share.png"]
    assert write.write_tree(tmp_path / "out", {"a/share.png": data, "a/index.md": "text"}).written == ()


SCRIPTS = {
    "Arabic": "قال أردوغان إن تركيا تريد إعادة المنظومة",
    "Hebrew": "הממשלה הודיעה היום על ההחלטה",
    "CJK": "土耳其希望归还导弹系统",
    "Devanagari": "तुर्की ने प्रणाली लौटाने की पेशकश की",
    "emoji": "🚀🇹🇷 👍🏽",
}


@pytest.mark.parametrize("script", SCRIPTS)
def test_text_the_font_cannot_draw_is_left_out_visibly(script, monkeypatch):
    """No empty boxes: a run of characters the font lacks is drawn as […], and the alt text says what that means
    (and right-to-left text, which the font does not have, is never drawn unshaped)."""
    text = SCRIPTS[script]
    card = article_card(f"Erdoğan: «{text}» — a report", {"false": 1})
    layout = share.layout(card)
    drawn = [t for _, t, _, _ in drawn_texts(layout, monkeypatch)]
    covered = share._coverage()
    assert all(ord(c) in covered for t in drawn for c in t), drawn
    assert "Erdoğan: «[…]» — a report" in drawn
    assert layout.alt.endswith(share.OMITTED_NOTE)
    assert share.draw(layout) == share.draw(share.layout(card))  # reproducible
    mixed = share.drawable(f"{text} and {text} then Latin")
    assert mixed == "[…] and […] then Latin"


def test_a_verdict_label_in_another_script_is_left_out_visibly(monkeypatch):
    card = share.Card("Сайт", (share.Badge("Ложь 假", "material/close-circle", "#8e1b1b"),), "A claim.", "")
    layout = share.layout(card)
    assert [t.text for t in layout.texts][:2] == ["Сайт", "Ложь […]"]


@pytest.mark.parametrize("text", ["x" * 3000, "https://example.org/" + "a" * 2980, " ".join(["word"] * 1500),
                                  " ".join(["w" * 60] * 50)])
def test_layout_work_is_linear_in_the_text(text, monkeypatch):
    """A 3,000-character unbroken word took five seconds per card: the layout measures each character a bounded
    number of times (counted here), however the text breaks."""
    calls = []

    class Counting(share._Advances):  # every character's width asked of the table, counted
        def __getitem__(self, character):
            calls.append(character)
            return super().__getitem__(character)

    monkeypatch.setattr(share, "_advances", functools.lru_cache(maxsize=None)(Counting))
    share.layout.cache_clear()
    layout = share.layout(claim_card(text))
    assert 0 < len(calls) <= 12 * len(text) + 2000, len(calls)
    assert "…" in layout.alt
    for t in layout.texts:
        assert share._width(t.text, t.face, t.size) <= share.WIDTH - 2 * share.MARGIN


def test_layout_shortens_and_breaks_as_a_plain_greedy_layout_does():
    """The linear layout gives what measuring every candidate from scratch gives (the rule it replaced)."""
    import random

    def reference(text, width, max_lines, face="semibold", size=52):
        measure = lambda t: share.font(face, size).getlength(t)  # noqa: E731
        lines, line = [], ""
        for word in text.split():
            candidate = f"{line} {word}" if line else word
            if measure(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            while measure(line) > width:
                cut = len(line)
                while cut > 1 and measure(line[:cut]) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
            if len(lines) >= max_lines:
                break
        if line:
            lines.append(line)
        return lines

    rng = random.Random(5)
    for _ in range(40):
        words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyzĞüşİ.,") for _ in range(rng.choice([1, 3, 8, 40])))
                 for _ in range(rng.randint(1, 30))]
        text, width, max_lines = " ".join(words), rng.choice([300, 700, 1072]), rng.randint(1, 5)
        expected = reference(text, width, max_lines)
        got = share.wrap(text, "semibold", 52, width, max_lines)
        if len(expected) <= max_lines:
            assert list(got) == expected, text
        else:
            assert list(got[:-1]) == expected[:max_lines - 1] and got[-1].endswith("…"), text


@pytest.mark.parametrize("kind", ["fifo", "link", "writable", "another owner"])
def test_a_cache_entry_the_build_did_not_make_is_drawn_again(tmp_path, kind):
    """A cache file is linked into the docs folder only when it is a regular file, owned by the build and read-only
    as the build leaves it; anything else (a FIFO that would block, a link that may lead anywhere, a file someone
    can still edit or did not make) is drawn again, never read, linked or written through."""
    import os
    layout = share.layout(claim_card("A cached claim."))
    image = share.ShareImage("a/share.png", "https://example.org/a/share.png", 1200, 630, layout.alt, layout)
    entry = tmp_path / f"{layout.digest()}.png"
    if kind == "fifo":
        os.mkfifo(entry)  # opening it to read would block the build
    elif kind == "link":
        (tmp_path / "forged.png").write_bytes(b"forged")
        entry.symlink_to(tmp_path / "forged.png")
    else:
        entry.write_bytes(b"forged")
        if kind == "another owner":
            if os.geteuid() != 0:
                pytest.skip("giving a file to another user needs root")
            os.chmod(entry, 0o444)
            os.chown(entry, 65534, 65534)
    drawn = share.render_images({image.path: image}, tmp_path)
    assert drawn.drawn == 1 and drawn.files[image.path] == write.Stored(entry)
    assert entry.is_file() and not entry.is_symlink() and entry.read_bytes() == share.draw(layout)
    assert write.made_by_build(entry)
    if kind == "link":
        assert (tmp_path / "forged.png").read_bytes() == b"forged"  # the link was replaced, not written through
    out = tmp_path / "docs"
    write.write_tree(out, drawn.files)
    assert (out / image.path).read_bytes() == share.draw(layout)


def test_a_cache_file_replaced_after_the_check_is_never_linked(tmp_path):
    """The write stage checks again as it links: a cache entry that became a link (or anything the build did not
    make) between drawing and writing ends the build with an error, and the docs folder never holds it."""
    import errno
    (tmp_path / "secret").write_text("not an image", encoding="utf-8")
    source = tmp_path / "cache.png"
    source.symlink_to(tmp_path / "secret")
    out = tmp_path / "docs"
    with pytest.raises(OSError) as refused:
        write.write_tree(out, {"a/share.png": write.Stored(source)})
    assert refused.value.errno == errno.EPERM and "not a cache file the build made" in str(refused.value)
    assert not (out / "a" / "share.png").exists()
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]

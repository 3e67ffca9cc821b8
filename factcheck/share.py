"""Share images: a 1200 x 630 PNG for every claim and article page, the picture social sites show with a link.

Three steps, so that only the last one costs much and it runs only when an image's content changed:

  cards    what each image shows (pure, cheap): the publication, the verdict or the verdict counts, the claim
           restated or the article's title, and where and when the article appeared
  layout   where every word goes (pure): text wrapped, shortened with an ellipsis when too long, in a font shipped
           by a pinned package (Source Sans Pro, OFL), never a system font, so every machine draws the same pixels
  draw     Pillow paints the layout into PNG bytes; cached by a hash of the layout and of the drawing code, font
           and Pillow version, and drawn on every core when many are missing (a cold build)
"""

from __future__ import annotations

import bisect
import hashlib
import io
import itertools
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import PIL
from PIL import Image, ImageColor, ImageDraw, ImageFont

from . import cores, icon_masks, write
from .model import Article, Publication, Rating
from .icons import icon_file
from .memo import Once, fresh

WIDTH, HEIGHT = 1200, 630
NAME = "share.png"
MARGIN = 64
BACKGROUND, INK, MUTED, WHITE = "#ffffff", "#1c1c1e", "#4a4a4a", "#ffffff"
BAND = "#4051b5"  # Material's indigo, the site's header colour
BAND_HEIGHT = 96
ELLIPSIS = "…"
# Sentence-ending characters after which the alt text needs no added full stop.
_ENDS = tuple(".!?…:;")


@dataclass(frozen=True)
class Badge:
    label: str
    icon: str  # a Material icon name, e.g. material/close-circle
    color: str
    count: int | None = None


@dataclass(frozen=True)
class Card:
    """What one share image shows, before layout."""

    site: str  # the publication's name
    badges: tuple[Badge, ...]  # a claim's verdict, or an article's verdict counts in the scale's order
    headline: str  # the claim restated, or the article's title
    source: str  # where and when the article appeared ("" when unknown)
    counts: bool = False  # an article's card: badges with counts below the headline


@dataclass(frozen=True)
class Text:
    text: str
    x: int
    y: int  # the top of the font's ascender (Pillow anchor "la")
    face: str  # a key of FACES
    size: int
    color: str
    on: str  # the colour it is drawn on: the band's, a badge's or the background


@dataclass(frozen=True)
class Pill:
    """A verdict badge: a rounded box in the verdict's colour with its icon; its label and count are Texts."""

    x: int
    y: int
    width: int
    height: int
    color: str
    icon: str  # the icon's SVG path data, so a changed icon changes the hash
    icon_x: int
    icon_y: int
    icon_size: int


@dataclass(frozen=True)
class Layout:
    """Everything an image shows, positioned. Drawing only paints this, so its hash names the cached PNG."""

    pills: tuple[Pill, ...]
    texts: tuple[Text, ...]  # in reading order
    alt: str  # the drawn text, for og:image:alt

    def digest(self) -> str:
        # The dataclasses' repr names every field and value (tuples, text, numbers) and is five times cheaper
        # than asdict + json.dumps, which walked every layout on every build.
        return hashlib.sha256((renderer() + repr(self)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ShareImage:
    """A page's share image, as its front matter and overrides/main.html need it."""

    path: str  # in the docs folder
    url: str  # absolute
    width: int
    height: int
    alt: str
    layout: Layout

    @property
    def front_matter(self) -> dict:
        """For the page's front matter, from which overrides/main.html writes the og:image and twitter tags."""
        return {"image": self.url, "width": self.width, "height": self.height, "alt": self.alt}


# ---------------------------------------------------------------------------------------------------------------
# Fonts: Source Sans Pro from the pinned font-source-sans-pro wheel. Basic layout (no Raqm): it needs no system
# library (FriBiDi, whose presence would change the pixels from machine to machine), and Latin, Greek and Cyrillic,
# the scripts the font has, need no shaping. Text in other scripts is left out visibly (see `drawable`).

FACES = {"regular": "SourceSansPro-Regular.ttf", "semibold": "SourceSansPro-Semibold.ttf",
         "bold": "SourceSansPro-Bold.ttf"}


def font_file(face: str) -> Path:
    import font_source_sans_pro  # imported here: only drawing and layout need it

    return Path(font_source_sans_pro.font_directory) / FACES[face]


@lru_cache(maxsize=None)
def font(face: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_file(face)), size, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=1)
def renderer() -> str:
    """What else decides the pixels: this module and the icon rasteriser, the fonts and Pillow's version."""
    digest = hashlib.sha256(PIL.__version__.encode())
    for path in (Path(__file__), Path(icon_masks.__file__), *(font_file(face) for face in sorted(FACES))):
        digest.update(path.read_bytes())
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------------------------
# Cards.

def _badge(rating: Rating, count: int | None = None) -> Badge:
    return Badge(rating.label, rating.icon, rating.color, count)


def _source(article: Article, date) -> str:
    when = date(article.published) if article.published else ""
    if article.publisher:
        return f"Appeared in {article.publisher}" + (f", {when}" if when else "")
    return f"Published {when}" if when else ""


def article_cards(publication: Publication, article: Article, site_name: str, date) -> dict[str, Card]:
    """The share images' content for one article and its claims."""
    found = {}
    source = _source(article, date)
    claims = publication.claims_of(article)
    counts: dict = {}
    for claim in claims:
        counts[claim.rating] = counts.get(claim.rating, 0) + 1
        found[claim.permalink + NAME] = Card(site_name, (_badge(claim.rating),), claim.claim, source)
    found[article.permalink + NAME] = Card(
        site_name, tuple(_badge(r, counts[r]) for r in publication.scale.ratings if r in counts),
        article.title, source, counts=True)
    return found


def share_images_of(publication: Publication, article: Article, site_name: str, site_url: str,
                    date) -> dict[str, ShareImage]:
    """One article's share images (its own and its claims'), laid out, with the URL and alt text their pages
    announce. `date` formats dates as the pages do."""
    return {path: ShareImage(path, site_url + path, WIDTH, HEIGHT, laid.alt, laid)
            for path, card in article_cards(publication, article, site_name, date).items()
            for laid in (layout(card),)}


# ---------------------------------------------------------------------------------------------------------------
# Layout.

class _Advances(dict):
    """A face's advance width of each character at one size, measured by FreeType the first time it is asked
    (`table[character]`: looked up at C speed, as layout asks for every character of every card)."""

    def __init__(self, face: str, size: int):
        super().__init__()
        self.face, self.size = face, size

    def __missing__(self, character: str) -> float:
        advance = self[character] = font(self.face, self.size).getlength(character)
        return advance


@lru_cache(maxsize=None)
def _advances(face: str, size: int) -> _Advances:
    return _Advances(face, size)


def _width(text: str, face: str, size: int) -> float:
    """The text's advance width: the sum of its characters' advances, measured once each. Exact with basic layout,
    which applies no kerning here (Source Sans Pro kerns through GPOS only), and thirty times quicker than asking
    FreeType for every candidate line of every card (tests/test_share_images.py checks the two agree)."""
    table, total = _advances(face, size), 0.0
    for character in text:  # summed left to right, as _prefix sums (not sum(), whose rounding differs by version)
        total += table[character]
    return total


def _prefix(text: str, face: str, size: int) -> list[float]:
    """The width of every prefix of `text` (text[:n] at n), summed left to right as _width sums: the same numbers,
    so layout can ask for any prefix's width in constant time."""
    return list(itertools.accumulate(map(_advances(face, size).__getitem__, text), initial=0.0))


@lru_cache(maxsize=None)
def _icon_path(name: str) -> str:
    return icon_masks.path_data(icon_file(name).read_text(encoding="utf-8"))


_TRIM = " ,;:.-–—"


def _fit(text: str, face: str, size: int, width: int, shorten: bool = False) -> str:
    """`text` on one line, shortened with an ellipsis (at a word when it can) when it is too wide or `shorten`.
    Every candidate is a prefix of `text`, measured from one table of prefix widths: linear, however long."""
    widths = _prefix(text, face, size)
    if not shorten and widths[-1] <= width:
        return text
    ellipsis = _advances(face, size)[ELLIPSIS]

    def trimmed(end: int, characters: str | None) -> int:  # rstrip(characters) of text[:end], as an end index
        while end and (text[end - 1].isspace() if characters is None else text[end - 1] in characters):
            end -= 1
        return end

    end = trimmed(len(text), _TRIM)
    while end and widths[end] + ellipsis > width:
        space = text.rfind(" ", 0, end)
        shorter = space if space >= 0 else end - 1
        end = trimmed(shorter, _TRIM) if shorter > end // 2 else trimmed(end - 1, None)
    return text[:end] + ELLIPSIS


def wrap(text: str, face: str, size: int, width: int, max_lines: int) -> tuple[str, ...]:
    """Greedy line breaking at spaces; the last line ends in an ellipsis when the text does not fit. Linear in the
    text: a line's width grows by the advances added to it, and the work stops once the lines are full."""
    table = _advances(face, size)
    space = table[" "]
    lines: list[str] = []
    line, line_width = "", 0.0
    for word in text.split():
        candidate = line_width + space if line else 0.0
        for character in word:
            candidate += table[character]
        if candidate <= width:
            line, line_width = (f"{line} {word}" if line else word), candidate
            continue
        if line:
            lines.append(line)
        line, line_width = word, _width(word, face, size)
        while line_width > width and len(lines) < max_lines:  # a word wider than the line: break it anywhere
            widths = _prefix(line, face, size)
            cut = max(1, bisect.bisect_right(widths, width) - 1)  # the longest prefix that fits, at least 1
            lines.append(line[:cut])
            line = line[cut:]
            line_width = _width(line, face, size)
        if len(lines) >= max_lines:
            break
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _fit(lines[-1], face, size, width, shorten=True)
    return tuple(lines)


# Text in a script the font has no letters for (Arabic, Hebrew, CJK, Devanagari, emoji...) is left out visibly:
# each run of it is drawn as this mark, and the alt text says what the mark means. Source Sans Pro covers Latin,
# Greek and Cyrillic, all written left to right, so no right-to-left text is ever drawn unshaped.
OMITTED = "[…]"
OMITTED_NOTE = f"{OMITTED} marks text in a script this image cannot show."


@lru_cache(maxsize=1)
def _coverage() -> frozenset[int]:
    """The characters the font draws, from its cmap (read with fontTools; the three faces cover the same ones)."""
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(str(font_file("regular")), lazy=True)["cmap"].getBestCmap())


def drawable(text: str) -> str:
    """`text` with every run of characters the font cannot draw (and the spaces inside the run) replaced by
    OMITTED: never an empty box where a letter should be."""
    covered = _coverage()
    if text.isascii() or covered.issuperset(map(ord, text)):
        return text
    out, pending, omitting = [], "", False  # pending: spaces after a left-out run, kept if drawable text follows
    for character in text:
        if character.isspace():
            if omitting:
                pending += character
            else:
                out.append(character)
        elif ord(character) in covered:
            out.append(pending + character)
            pending, omitting = "", False
        elif not omitting:
            out.append(OMITTED)
            omitting = True
        else:
            pending = ""  # the run goes on: the spaces inside it go with it
    return "".join(out)


def _drawable_card(card: Card) -> Card:
    return replace(card, site=drawable(card.site), headline=drawable(card.headline), source=drawable(card.source),
                   badges=tuple(replace(b, label=drawable(b.label)) for b in card.badges))


def _sentence(parts: list[str]) -> str:
    """Drawn pieces joined into the alt text: a full stop between pieces that lack one."""
    out = ""
    for part in parts:
        if out:
            out += " " if out.endswith(_ENDS) else ". "
        out += part
    return out


@lru_cache(maxsize=1 << 16)  # laid out once for the page's front matter and again, free, for the drawing
def layout(card: Card) -> Layout:
    shown = _drawable_card(card)
    omitted, card = shown != card, shown
    inner = WIDTH - 2 * MARGIN
    texts = [Text(_fit(card.site, "semibold", 40, inner), MARGIN, (BAND_HEIGHT - 40) // 2 - 2, "semibold", 40,
                  WHITE, BAND)]
    alt = [texts[0].text]
    pills: list[Pill] = []
    bottom = HEIGHT - MARGIN
    footer_size = 32
    footer = []
    if card.source:
        footer = [Text(_fit(card.source, "regular", footer_size, inner), MARGIN, bottom - footer_size, "regular",
                       footer_size, MUTED, BACKGROUND)]
        bottom -= footer_size + 32

    # Badges: a row (wrapping when they do not fit) of pills, each an icon, a label and perhaps a count.
    size = 36 if card.counts else 44
    height, icon_size, pad, gap = size + 28, size + 4, size // 2, 16
    rows: list[list[tuple[Badge, int]]] = [[]]
    used = 0
    for badge in card.badges:
        label_width = _width(badge.label, "bold", size)
        count_width = _width(str(badge.count), "bold", size) + pad if badge.count is not None else 0
        width = round(pad + icon_size + pad // 2 + label_width + count_width + pad)
        if rows[-1] and used + gap + width > inner:
            rows.append([])
            used = 0
        used += (gap if rows[-1] else 0) + width
        rows[-1].append((badge, width))
    top = BAND_HEIGHT + 40
    if card.counts:  # the article's counts sit above the footer; its title takes the space above them
        pill_top = bottom - len(rows) * (height + gap) + gap
        headline_top, headline_bottom = top, pill_top - 32
    else:  # a claim's verdict first, then the claim
        pill_top = top
        headline_top, headline_bottom = top + height + 36, bottom
    badge_texts = []
    for number, row in enumerate(rows):
        x, y = MARGIN, pill_top + number * (height + gap)
        for badge, width in row:
            path = _icon_path(badge.icon)
            pills.append(Pill(x, y, width, height, badge.color, path, x + pad, y + (height - icon_size) // 2,
                              icon_size))
            text_x = x + pad + icon_size + pad // 2
            text_y = y + (height - size) // 2 - size // 8
            badge_texts.append(Text(badge.label, text_x, text_y, "bold", size, WHITE, badge.color))
            if badge.count is not None:
                badge_texts.append(Text(str(badge.count), round(text_x + _width(badge.label, "bold", size) + pad),
                                        text_y, "bold", size, WHITE, badge.color))
            x += width + gap

    headline_size = 56 if card.counts else 52
    line_height = round(headline_size * 1.22)
    max_lines = max(1, (headline_bottom - headline_top) // line_height)
    lines = wrap(card.headline, "semibold", headline_size, inner, max_lines)
    headline = [Text(line, MARGIN, headline_top + n * line_height, "semibold", headline_size, INK, BACKGROUND)
                for n, line in enumerate(lines)]
    counted = [f"{b.label} {b.count}" if b.count is not None else b.label for b in card.badges]
    if card.counts:
        texts += headline + badge_texts
        alt += [" ".join(lines), ", ".join(counted)]
    else:
        texts += badge_texts + headline
        alt += [", ".join(counted), " ".join(lines)]
    texts += footer
    alt += [t.text for t in footer] + ([OMITTED_NOTE] if omitted else [])
    return Layout(tuple(pills), tuple(texts), _sentence(alt))


# ---------------------------------------------------------------------------------------------------------------
# Drawing and the cache.

@dataclass(frozen=True)
class _Ramp:
    start: int  # the palette index of the colour beneath (step 0); the text's own colour is the last step
    lut: tuple[int, ...]  # coverage (0-255) -> palette index: the nearest step


@lru_cache(maxsize=256)
def _palette(pill_colours: tuple[str, ...]) -> tuple[list[int], dict[tuple[str, str], _Ramp]]:
    """The image's colours: for each pair of text colour and the colour it is drawn on, an even ramp between them.

    Anti-aliased text only blends its colour with the one beneath, so a pixel of it is that pair's ramp at the
    text's coverage: the image is drawn straight in palette indices (no RGB canvas to blend into and map back),
    and a palette PNG is a third of the size and much quicker to compress than an RGB one."""
    pairs = [(INK, BACKGROUND), (MUTED, BACKGROUND), (WHITE, BAND)]
    pairs += sorted({(WHITE, colour) for colour in pill_colours} - set(pairs))
    levels = max(2, min(64, 256 // len(pairs)))
    colours, ramps = [], {}
    for front, back in pairs:
        f, b = ImageColor.getrgb(front), ImageColor.getrgb(back)
        ramps[(front, back)] = _Ramp(len(colours), tuple(len(colours) + round(value * (levels - 1) / 255)
                                                          for value in range(256)))
        colours += [tuple(round(b[k] + (f[k] - b[k]) * step / (levels - 1)) for k in range(3))
                    for step in range(levels)]
    return [value for colour in colours for value in colour], ramps


_INKED = (0,) + (255,) * 255  # coverage -> a mask of the pixels that have any


@lru_cache(maxsize=64)
def _text_mask(face: str, size: int, text: str) -> tuple[Image.Image, int, int]:
    """The text's coverage (an "L" image of its ink box) and the box's offset from the text's position. Kept for
    the strings every image repeats: the publication's name, the verdicts, an article's "Appeared in" line."""
    left, top, right, bottom = font(face, size).getbbox(text, anchor="la")
    mask = Image.new("L", (max(1, right - left), max(1, bottom - top)))
    ImageDraw.Draw(mask).text((-left, -top), text, font=font(face, size), fill=255, anchor="la")
    return mask, left, top


def draw(laid: Layout) -> bytes:
    """The layout as PNG bytes. Pillow writes no timestamp or other metadata unless asked, so equal layouts give
    equal bytes.

    The shapes are filled with palette indices; the text and icons of each pair of colours are drawn as coverage
    into a layer of their own, which the pair's ramp turns into indices where there is ink."""
    palette, ramps = _palette(tuple(sorted({pill.color for pill in laid.pills})))
    image = Image.new("L", (WIDTH, HEIGHT), ramps[(INK, BACKGROUND)].start)
    shapes = ImageDraw.Draw(image)
    shapes.rectangle((0, 0, WIDTH - 1, BAND_HEIGHT - 1), fill=ramps[(WHITE, BAND)].start)
    marks: dict[tuple[str, str], list[tuple[Image.Image, int, int]]] = {}
    for pill in laid.pills:
        shapes.rounded_rectangle((pill.x, pill.y, pill.x + pill.width - 1, pill.y + pill.height - 1),
                                 radius=pill.height // 2, fill=ramps[(WHITE, pill.color)].start)
        marks.setdefault((WHITE, pill.color), []).append(
            (icon_masks.mask(pill.icon, pill.icon_size), pill.icon_x, pill.icon_y))
    for text in laid.texts:
        mask, left, top = _text_mask(text.face, text.size, text.text)
        marks.setdefault((text.color, text.on), []).append((mask, text.x + left, text.y + top))
    for pair, placed in marks.items():
        left, top = min(x for _, x, _ in placed), min(y for _, _, y in placed)
        right = max(x + mask.width for mask, x, _ in placed)
        bottom = max(y + mask.height for mask, _, y in placed)
        cover = Image.new("L", (right - left, bottom - top))
        for mask, x, y in placed:
            cover.paste(255, (x - left, y - top), mask)
        image.paste(cover.point(ramps[pair].lut), (left, top), cover.point(_INKED))
    image.putpalette(palette)
    buffer = io.BytesIO()
    # Level 2: deflating the 756 kB of indices is half of drawing an image; level 2 takes 17 % less time than 3 for
    # files 5.5 % larger (29 kB on average against 27.5), the default 6 twice as long for 17 % smaller files.
    image.save(buffer, "PNG", compress_level=2)
    return buffer.getvalue()


def _draw_into(job: tuple[Layout, Path]) -> None:
    """Draw one image into the cache (in the worker, so the writes run in parallel too). Read-only: the docs folder
    links to it (write.Stored)."""
    laid, target = job
    write.atomically(target, draw(laid), mode=0o444)


@dataclass(frozen=True)
class Drawn:
    files: dict  # docs path -> write.Stored (the cached PNG)
    drawn: int  # images drawn (cache misses); the rest were in the cache


def render_images(images: dict[str, ShareImage], cache: Path, workers: int | None = None,
                  once: Once = fresh) -> Drawn:
    """Every share image as a file of the cache, drawn first (on every core when many are missing) when it is not
    there yet. Their bytes stay on disk: the write stage links them into the docs folder."""
    cache.mkdir(parents=True, exist_ok=True)
    files: dict[str, write.Stored] = {}
    missing: dict[Path, Layout] = {}  # identical cards share one file
    for path, image in images.items():
        source = once(("share image", path), (image.layout, cache), lambda: cache / f"{image.layout.digest()}.png")
        files[path] = write.Stored(source)
        if source not in missing and not write.made_by_build(source):  # a link, a FIFO, another's file: drawn again
            missing[source] = image.layout
    jobs = [(laid, target) for target, laid in missing.items()]
    for _ in cores.imap(_draw_into, jobs, workers):
        pass
    return Drawn(files, len(jobs))

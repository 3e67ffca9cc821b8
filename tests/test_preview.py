"""The preview (factcheck/preview.py): after every edit its docs folder is byte for byte what a clean build of the
same inputs writes; an invalid edit reports file:line, keeps the last good preview and recovers when fixed. Then
the same through `mkdocs serve` with the serve hook, over HTTP."""

from __future__ import annotations

import io
import json
import re
import shutil
import time
from pathlib import Path

import pytest

import bench
import preview_server
from conftest import ROOT
from factcheck import exports, pipeline, preview, settings
from factcheck.report import report



@pytest.fixture(autouse=True)
def synthetic_today(monkeypatch):
    """"Today" for the synthetic publication, whose dates precede it (only in these tests: the real content's
    dates do not)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", bench.EPOCH)


def contents(folder: Path) -> dict[str, bytes]:
    """Every file the site engine reads (hidden bookkeeping files left out: the build's manifest is its own)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and not p.name.startswith(".")}


@pytest.fixture
def publication(tmp_path) -> Path:
    root = tmp_path / "publication"
    bench.generate(root, articles=3, claims=4)
    shutil.copytree(ROOT / "templates", root / "templates")  # edited by a step, so not the project's own
    return root


class Session:
    """A preview of `root`, and the check that it matches a clean build after each step."""

    def __init__(self, root: Path, tmp: Path):
        self.root, self.tmp, self.steps = root, tmp, 0
        self.cache = tmp / "images"
        self.preview = preview.Preview(self.options(root / "generated"))

    def options(self, out: Path) -> settings.Options:
        return settings.options(self.root, out=out, templates=self.root / "templates", image_cache=self.cache)

    def refresh(self) -> preview.Refresh:
        return self.preview.refresh()

    def matches_a_clean_build(self, step: str) -> preview.Refresh:
        result = self.refresh()
        assert result.ok, (step, [str(p) for p in result.problems if p.is_error])
        self.steps += 1
        fresh = self.tmp / f"clean-{self.steps}"
        outcome = pipeline.build(self.options(fresh))
        assert outcome.status == 0, (step, [str(p) for p in outcome.problems])
        expected, shown = contents(fresh), contents(self.root / "generated")
        assert sorted(shown) == sorted(expected), (step, set(shown) ^ set(expected))
        differ = [path for path in expected if shown[path] != expected[path]]
        assert not differ, (step, differ)
        return result


def claim_files(root: Path) -> list[Path]:
    return sorted((root / "claims").glob("*/*.yaml"))


def test_a_sequence_of_edits_leaves_what_a_clean_build_writes(publication, tmp_path):
    session = Session(publication, tmp_path)
    first = session.matches_a_clean_build("first refresh")
    assert len(first.written) > 20

    claims = claim_files(publication)
    edited = claims[1]
    bench.edit_claim(edited, "an edited summary")
    result = session.matches_a_clean_build("change a claim")
    slug, claim_id = edited.parent.name, edited.stem
    assert result.reread == (edited,)
    assert {f"{slug}/{claim_id}/index.md", f"{slug}/index.md", "claims.json", "claims.csv"} <= set(result.written)
    assert not [p for p in result.written if p.count("/") == 2 and not p.startswith(f"{slug}/{claim_id}/")]

    unchanged = session.refresh()
    assert unchanged.ok and not unchanged.written and not unchanged.removed and not unchanged.reread

    # Another claimant and topic for a claim: the listing pages that show it follow, the others stay as they were.
    # (each entry with the indented lines that continue it: the editor's form writes lists and objects in blocks)
    text = re.sub(r"^(claimant|topics):.*\n(?:[ \t]+.*\n)*", "", edited.read_text(encoding="utf-8"), flags=re.M)
    edited.write_text(re.sub(r"^(verdict: .*\n)", r"\1claimant: Zoë Newcomer\ntopics: [housing]\n", text, count=1,
                             flags=re.M), encoding="utf-8")
    result = session.matches_a_clean_build("change a claim's claimant and topics")
    assert {"claimants/index.md", "claimants/zoe-newcomer/index.md", "topics/index.md"} <= set(result.written)
    assert not [p for p in result.written if p.startswith("verdicts/")]  # its verdict did not change

    # Delete a claim, then add it back under another name (its quote is free again).
    removed = claims[2]
    text = removed.read_text(encoding="utf-8")
    removed.unlink()
    result = session.matches_a_clean_build("delete a claim")
    assert f"{removed.parent.name}/{removed.stem}/index.md" in result.removed
    added = removed.with_name("a-new-claim.yaml")
    added.write_text(text.replace("verdict:", "# added back\nverdict:", 1), encoding="utf-8")
    result = session.matches_a_clean_build("add a claim")
    assert f"{added.parent.name}/a-new-claim/index.md" in result.written
    assert f"{added.parent.name}/a-new-claim/share.png" in result.written

    # An invalid edit: reported at its line, nothing written; the fix recovers.
    before = contents(publication / "generated")
    good = edited.read_text(encoding="utf-8")
    edited.write_text(good.replace("verdict:", "verdit:", 1), encoding="utf-8")
    result = session.refresh()
    assert not result.ok and not result.written and not result.removed
    shown = io.StringIO()
    report(result.problems, publication, shown)
    line = 1 + good.split("\n").index(next(l for l in good.split("\n") if l.startswith("verdict:")))
    assert f"claims/{slug}/{claim_id}.yaml:{line}:1: unknown key 'verdit' (did you mean 'verdict'?)" in \
        shown.getvalue()
    assert contents(publication / "generated") == before
    edited.write_text(good.replace("an edited summary", "the fixed summary"), encoding="utf-8")
    result = session.matches_a_clean_build("fix the invalid edit")
    assert f"{slug}/{claim_id}/index.md" in result.written

    # A verdict change moves counts on the home page, the article page and the share images.
    changed = claims[3]
    verdicts = [key for key, rated in bench.ratings() if not rated]
    text = changed.read_text(encoding="utf-8")
    current = re.search(r'^verdict: "(.*)"$', text, re.M).group(1)
    if current not in verdicts:  # a rated verdict needs its sources; an annotation needs none
        changed.write_text(text.replace(f'verdict: "{current}"', f'verdict: "{verdicts[0]}"'), encoding="utf-8")
        result = session.matches_a_clean_build("change a verdict")
        assert "index.md" in result.written

    article = sorted((publication / "content").glob("*.md"))[0]
    article.write_text(re.sub(r"^title: .*$", 'title: "A retitled article"', article.read_text(encoding="utf-8"),
                              count=1, flags=re.M), encoding="utf-8")
    result = session.matches_a_clean_build("retitle an article")
    assert f"{article.stem}/index.md" in result.written and "index.md" in result.written

    template = publication / "templates" / "claim.md.j2"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "<h1>{{ claim.claim }}</h1>", "<h1>{{ claim.claim }}</h1>\n\n<p>Template edited.</p>"), encoding="utf-8")
    result = session.matches_a_clean_build("edit a template")
    assert len([p for p in result.written if p.count("/") == 2 and p.endswith("index.md")]) == len(
        claim_files(publication))

    template.write_text(template.read_text(encoding="utf-8").replace("{% if changes %}", "{% if changes %"),
                        encoding="utf-8")
    result = session.refresh()
    assert not result.ok and "claim.md.j2" in str(result.problems[0])
    template.write_text(template.read_text(encoding="utf-8").replace("{% if changes %", "{% if changes %}"),
                        encoding="utf-8")
    session.matches_a_clean_build("fix the template")

    scale = publication / "claims" / "ratings.yaml"
    scale.write_text(scale.read_text(encoding="utf-8").replace('label: "False"', 'label: "Wrong"', 1), encoding="utf-8")
    session.matches_a_clean_build("relabel a verdict in the scale")


def test_claims_json_from_chunks_is_one_json_dumps(publication, tmp_path):
    session = Session(publication, tmp_path)
    assert session.refresh().ok
    text = (publication / "generated" / "claims.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"
    site = settings.read_site_settings(ROOT / "mkdocs.yml")
    assert exports.claims_json_from(site, []) == json.dumps(
        {"format": exports.FORMAT, "version": exports.VERSION,
         "publisher": {"name": site.publisher, "url": site.publisher_url}, "claims": []},
        ensure_ascii=False, indent=2) + "\n"


def test_mkdocs_serve_shows_an_edit_keeps_the_last_good_page_and_recovers(tmp_path):
    """The serve hook end to end: `mkdocs serve -f mkdocs.serve.yml` on a small publication, over HTTP."""
    root = tmp_path / "publication"
    bench.generate(root, articles=2, claims=3)
    pipeline.build(settings.options(root, image_cache=tmp_path / "images"))
    claim = claim_files(root)[0]
    page = f"{claim.parent.name}/{claim.stem}/"
    with preview_server.serving(root, tmp_path / "serve.log") as server:
        bench.edit_claim(claim, "first served edit")
        server.wait_for(page, "first served edit")
        good = claim.read_text(encoding="utf-8")
        claim.write_text(good.replace("verdict:", "verdit:", 1), encoding="utf-8")
        server.wait_for_log(f"claims/{claim.parent.name}/{claim.stem}.yaml:")
        assert "first served edit" in server.get(page)  # the last good preview
        claim.write_text(good.replace("first served edit", "fixed served edit"), encoding="utf-8")
        server.wait_for(page, "fixed served edit")
        added = claim.with_name("served-new.yaml")  # a new claim needs a free quote: take the edited one's
        claim.rename(added)
        server.wait_for(f"{claim.parent.name}/served-new/", "fixed served edit")
        assert server.status(page) == 404
        # A whole claims folder moved out of claims/: the file events name only the folder, and its pages go.
        folder = added.parent
        folder.rename(tmp_path / "moved-away")
        served = f"{folder.name}/served-new/"
        deadline = time.monotonic() + 120
        while server.status(served) != 404 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.status(served) == 404, server.tail()


def test_a_claims_folder_moved_out_of_claims_drops_its_pages(publication, tmp_path):
    session = Session(publication, tmp_path)
    session.matches_a_clean_build("first refresh")
    folder = sorted(p for p in (publication / "claims").iterdir() if p.is_dir())[0]
    shown = publication / "generated" / folder.name
    assert [p for p in shown.iterdir() if p.is_dir()]
    folder.rename(tmp_path / "moved-away")
    result = session.matches_a_clean_build("move a claims folder out of claims/")
    assert not [p for p in shown.iterdir() if p.is_dir()], "claim pages of the moved folder are still there"
    assert any(p.startswith(f"{folder.name}/") for p in result.removed)
    (tmp_path / "moved-away").rename(folder)
    session.matches_a_clean_build("move it back")


def test_a_fifo_is_refused_without_blocking_the_preview(publication, tmp_path):
    import os
    import threading
    session = Session(publication, tmp_path)
    session.matches_a_clean_build("first refresh")
    fifo = claim_files(publication)[0].with_name("pipe.yaml")
    os.mkfifo(fifo)
    outcome = []
    worker = threading.Thread(target=lambda: outcome.append(session.refresh()), daemon=True)
    worker.start()
    worker.join(60)
    if not outcome:  # blocked on opening the FIFO: let the thread go (a writer unblocks it) and fail
        with open(fifo, "w"):
            pass
        pytest.fail("the preview opened the FIFO and blocked")
    assert not outcome[0].ok
    shown = io.StringIO()
    report(outcome[0].problems, publication, shown)
    assert f"{fifo.relative_to(publication).as_posix()}: is not a regular file" in shown.getvalue()
    fifo.unlink()
    session.matches_a_clean_build("the FIFO removed")


def test_an_editors_lock_file_does_not_block_refreshes(publication, tmp_path):
    """Emacs makes `.#claim.yaml`, a symbolic link to nowhere, while a claim is being edited: it is never opened,
    and reported as a warning, so the preview goes on showing edits."""
    session = Session(publication, tmp_path)
    session.matches_a_clean_build("first refresh")
    claim = claim_files(publication)[0]
    lock = claim.with_name(f".#{claim.name}")
    lock.symlink_to("editor@host.4242:1700000000")
    bench.edit_claim(claim, "edited while locked")
    result = session.matches_a_clean_build("edit with a lock file beside the claim")
    assert [p.message for p in result.problems if p.path == lock] == ["ignored: an editor's lock, swap or backup file"]
    assert all(p.severity == "warning" for p in result.problems if p.path == lock)


def test_the_preview_refuses_output_through_a_link(publication, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (publication / "generated").symlink_to(elsewhere, target_is_directory=True)
    result = Session(publication, tmp_path).refresh()
    assert not result.ok and "is a symbolic link" in result.problems[0].message
    assert not list(elsewhere.iterdir())

"""The whole generated docs folder of a small fixture publication, compared with a committed copy (in the style
of Pelican's functional tests): any change to what the build writes shows up here as a diff to review.

When a change is intended, refresh the copy and commit it with the change:  make golden
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import ROOT
from factcheck import pipeline

FIXTURE = ROOT / "tests" / "golden" / "publication"
EXPECTED = ROOT / "tests" / "golden" / "expected"
EPOCH = "1767225600"  # 2026-01-01: the fixture's dates must never become "in the future" or drift


def generate(out: Path, cache: Path) -> dict[str, bytes]:
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        outcome = pipeline.build(FIXTURE, out, ROOT / "mkdocs.yml", image_cache=cache)
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    assert outcome.status == 0 and not outcome.problems, outcome.problems  # not even a warning
    return files(out)


def files(folder: Path) -> dict[str, bytes]:
    """Every file the site engine reads (the build's own dot files excluded)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def refresh(tmp: Path) -> None:
    shutil.rmtree(EXPECTED, ignore_errors=True)
    for name, data in generate(tmp / "out", tmp / "cache").items():
        (EXPECTED / name).parent.mkdir(parents=True, exist_ok=True)
        (EXPECTED / name).write_bytes(data)


def test_generated_folder_equals_the_committed_copy(tmp_path):
    if os.environ.get("GOLDEN_REFRESH"):
        refresh(tmp_path)
    got, expected = generate(tmp_path / "out", tmp_path / "cache"), files(EXPECTED)
    assert sorted(got) == sorted(expected), "files added or removed: run `make golden` if intended"
    for name in expected:
        if got[name] != expected[name]:
            if name.endswith(".png"):
                raise AssertionError(f"{name} differs from the committed copy (run `make golden` if intended)")
            diff = difflib.unified_diff(expected[name].decode().splitlines(), got[name].decode().splitlines(),
                                        f"expected/{name}", f"generated/{name}", lineterm="", n=2)
            raise AssertionError("\n".join(list(diff)[:60]) + "\n(run `make golden` if the change is intended)")


def test_the_committed_copy_says_what_the_fixture_says():
    """The golden files are not just bytes: they hold the verdicts, evidence and corrections of the fixture."""
    claim = (EXPECTED / "sample-article" / "opening-year" / "index.md").read_text(encoding="utf-8")
    page = BeautifulSoup(claim, "html.parser")
    assert page.select_one(".fc-verdict .fc-badge__label").get_text() == "False"
    assert "verdict changed from Misleading to False" in page.get_text()
    quote = page.select_one('blockquote.fc-source__excerpt[lang="tr"]')
    assert "Köprü 2021" in quote.get_text()
    assert quote.find_next_sibling().get_text(" ", strip=True).startswith("Our translation: The bridge opened")
    article = BeautifulSoup((EXPECTED / "sample-article" / "index.md").read_text(encoding="utf-8"), "html.parser")
    assert [a["href"] for a in article.select(".fc-appearances a")] == ["https://copy.example/bridge"]
    assert article.select('.fc-article mark.fc-passage')[0]["id"] == "claim-opening-year"
    assert "Dead link" in (EXPECTED / "sample-article" / "cost" / "index.md").read_text(encoding="utf-8")
    # The fixture is a folder of the project's repository, not the top of one: no history, and the page says so.
    edit = page.select_one(".fc-correct a")["href"]
    assert edit.endswith("/edit/main/claims/sample-article/opening-year.yaml")
    assert "not built from the publication's git repository" in page.select_one(".fc-history .admonition").get_text()
    exported = json.loads((EXPECTED / "claims.json").read_text(encoding="utf-8"))
    assert exported["version"] == 2 and len(exported["claims"]) == 4
    assert {c["history"] for c in exported["claims"]} == {None}
    assert (EXPECTED / "sample-article" / "opening-year" / "share.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

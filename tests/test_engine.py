"""The site engine runs inside the build's process: it must leave nothing behind, and sweep what a killed build left."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

from conftest import ROOT
from factcheck import engine, pipeline, settings
from test_golden import EPOCH, FIXTURE


def test_running_mkdocs_leaves_no_state_behind(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    handlers = list(logging.getLogger("mkdocs").handlers)
    outcome = pipeline.build(settings.options(FIXTURE, out=tmp_path / "docs", with_site=True, site_dir=tmp_path / "site",
                                              image_cache=tmp_path / "cache"))
    assert outcome.status == 0, outcome.problems
    assert (tmp_path / "site" / "sample-article" / "opening-year" / "index.html").is_file()
    assert logging.getLogger("mkdocs").handlers == handlers
    assert "SOURCE_DATE_EPOCH" not in os.environ
    assert not list(tmp_path.glob(".site-*"))


def test_a_pinned_epoch_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert pipeline.build(settings.options(FIXTURE, out=tmp_path / "docs", with_site=True, site_dir=tmp_path / "site",
                                           image_cache=tmp_path / "cache")).status == 0
    assert os.environ["SOURCE_DATE_EPOCH"] == EPOCH


def test_leftovers_of_dead_builds_are_swept_and_a_running_build_is_left_alone(tmp_path):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / f"{engine.PREFIX}{finished.stdout.strip()}-abc"
    alive = tmp_path / f"{engine.PREFIX}{os.getpid()}-def"
    for folder in (dead, alive):
        (folder / "site").mkdir(parents=True)
    assert engine.sweep_leftovers(tmp_path) == [dead]
    assert alive.is_dir() and not dead.exists()


def test_mkdocs_problems_come_back_as_problems(tmp_path):
    docs = tmp_path / "docs"
    assert pipeline.build(settings.options(FIXTURE, out=docs, image_cache=tmp_path / "cache")).status == 0
    page = docs / "sample-article" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[broken](no-such-page.md)\n", encoding="utf-8")
    problems = engine.build_site(ROOT / "mkdocs.yml", docs, tmp_path / "site", settings.today())
    assert any(p.is_error and "no-such-page.md" in p.message for p in problems)
    assert not (tmp_path / "site").exists()

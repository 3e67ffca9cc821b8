"""Shared fixtures: the real site, built once per test session into a temporary folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
# The settings the environment overrides (factcheck/settings.read_site_settings) come from each test, never from the
# shell that runs the suite: every build here is the same whoever runs it.
for _variable in ("SITE_URL", "REPO_URL", "REPO_BRANCH", "CMS_AUTH_URL", "CMS_SITE_DOMAIN", "CMS_LOCAL_BACKEND"):
    os.environ.pop(_variable, None)

# The real site is built as a deployment is: for its own address and repository (not mkdocs.yml's placeholders), so
# every end-to-end test checks what readers of the published site get. The path is mkdocs.yml's (tests/site_server.py
# serves the site there).
SITE_URL = "https://checks.newsroom.test/factcheck/"
REPO_URL = "https://code.newsroom.test/desk/factcheck"
DEPLOYED = {"SITE_URL": SITE_URL, "REPO_URL": REPO_URL}

SLOW_FILES = ("test_browser.py", "test_html_validity.py", "test_editor.py")  # Chromium, axe, the Nu checker: `make quick` skips


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.name in SLOW_FILES:
            item.add_marker(pytest.mark.browser)


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, one for the whole session (the browser and editor tests)."""
    from playwright.sync_api import sync_playwright
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)",
                    pytrace=False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


PROJECT_FILES = ("build.py", "mkdocs.yml", "factcheck", "templates", "schemas", "overrides", "content", "claims")


ENGINES = ("mkdocs", "zensical")  # factcheck/engine.py: the default, and Material's successor


def build_real_site(tmp_path_factory, engine: str) -> Path:
    """site/ of the real publication, built with the same command as `make site ENGINE=...`."""
    out = tmp_path_factory.mktemp(f"real-{engine}")
    run_build(ROOT, "--out", str(out / "generated"), "--site", "--site-dir", str(out / "site"), "--engine", engine,
              env=DEPLOYED)
    return out / "site"


@pytest.fixture(scope="session")
def site_mkdocs(tmp_path_factory) -> Path:
    return build_real_site(tmp_path_factory, "mkdocs")


@pytest.fixture(scope="session")
def built_site(site_mkdocs) -> Path:
    """site/ of the real publication, built with the same command as `make site` (strict MkDocs)."""
    return site_mkdocs


@pytest.fixture(scope="session")
def built_site_zensical(tmp_path_factory) -> Path:
    """The same, built by Zensical (`make site ENGINE=zensical`)."""
    return build_real_site(tmp_path_factory, "zensical")


@pytest.fixture(params=ENGINES)
def engine_site(request) -> Path:
    """The real site from each engine in turn, for the end-to-end checks both must pass. A module that needs all
    its tests run on both overrides built_site with this (test_site.py, test_machine_readable.py)."""
    return request.getfixturevalue("site_mkdocs" if request.param == "mkdocs" else "built_site_zensical")


@pytest.fixture(scope="session")
def long_listing(tmp_path_factory) -> Path:
    """A synthetic publication of 250 claims, all marked opinion: its verdict's listing runs to three pages."""
    import bench  # tests/, beside this file
    root = tmp_path_factory.mktemp("long-listing") / "publication"
    bench.generate(root, articles=5, claims=50, verdict="opinion")
    return root


def build_long_listing(root: Path, engine: str) -> Path:
    """Built for the deployed addresses, as the real site is: with mkdocs.yml's placeholders, the repository's links
    (example.org/newsroom/…) would be on the site's host (example.org/factcheck/) but outside the site."""
    site = root.parent / f"site-{engine}"
    run_build(ROOT, "--root", str(root), "--out", str(root.parent / f"generated-{engine}"), "--site", "--site-dir",
              str(site), "--engine", engine, env=DEPLOYED)
    return site


@pytest.fixture(scope="session")
def long_listing_mkdocs(long_listing) -> Path:
    return build_long_listing(long_listing, "mkdocs")


@pytest.fixture(scope="session")
def long_listing_zensical(long_listing) -> Path:
    return build_long_listing(long_listing, "zensical")


@pytest.fixture(params=ENGINES)
def long_listing_site(request) -> Path:
    """The long listing's site from each engine in turn."""
    return request.getfixturevalue(f"long_listing_{request.param}")


def run_build(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run build.py as editors and CI do, in a subprocess (with `env` added to the environment), and fail with its
    output if it fails."""
    result = subprocess.run([sys.executable, str(root / "build.py"), *args], cwd=root, capture_output=True,
                            text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})})
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def copy_project(target: Path) -> Path:
    """A copy of the project's sources (no venv, no build output), to change without touching the real one."""
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    if (ROOT / "node_modules").is_dir():  # installed once (npm ci): the copy's site gets the editor's bundle from it
        (target / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    return target


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path / "project")


def git(root: Path, *args: str, date: str = "2026-11-01T12:00:00+00:00") -> str:
    """Run git in `root` as one fixed editor at a fixed date, with no user or system configuration (no signing, no
    hooks from the machine): the same commits get the same hashes on every run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="Editor",
               GIT_AUTHOR_EMAIL="editor@newsroom.test", GIT_COMMITTER_NAME="Editor",
               GIT_COMMITTER_EMAIL="editor@newsroom.test", GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    result = subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=root, capture_output=True,
                            text=True, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout

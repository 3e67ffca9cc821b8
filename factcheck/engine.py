"""Run the site engine on the generated docs folder, leaving no state behind.

Two engines read the same mkdocs.yml: MkDocs with Material (the default) and Zensical, by Material's authors and
meant to succeed it (`build.py --site --engine zensical`, `make site ENGINE=zensical`). Zensical runs as a
subprocess (`zensical build`); it accepts only a docs folder and a site folder inside the folder of its config
file, so it is given a small config there that inherits mkdocs.yml (see _zensical).

The site is built into a temporary folder beside its target and swapped in only on success, so a failed build
leaves the published site as it was. A build killed part-way leaves its temporary folder behind: the next build
sweeps such leftovers (each is named after the process that made it, so a running build's folder is never taken).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from . import cms, write
from .model import Problem

PREFIX = ".site-"


def sweep_leftovers(parent: Path) -> list[Path]:
    """Remove temporary site folders of builds that are no longer running."""
    removed = []
    for folder in parent.glob(f"{PREFIX}*"):
        pid = folder.name[len(PREFIX):].partition("-")[0]
        if folder.is_dir() and not folder.is_symlink() and not (pid.isdigit() and _running(int(pid))):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: not ours to judge
    return True


@contextmanager
def _environment(name: str, value: str):
    """Set an environment variable for the duration of the block only."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            del os.environ[name]
        else:
            os.environ[name] = before


class _Collect(logging.Handler):
    """MkDocs reports broken links and anchors as log warnings (strict mode then aborts): keep them as problems."""

    def __init__(self, config: Path):
        super().__init__(logging.WARNING)
        self.config, self.problems = config, []

    def emit(self, record: logging.LogRecord) -> None:
        self.problems.append(Problem(self.config, f"mkdocs: {record.levelname.lower()}: {record.getMessage()}",
                                     severity="error" if record.levelno >= logging.WARNING else "warning"))


ENGINES = ("mkdocs", "zensical")


def build_site(config: Path, docs: Path, site_dir: Path, latest: dt.date, engine: str = "mkdocs",
               site_url: str | None = None) -> list[Problem]:
    """The site engine (MkDocs strict, or Zensical) from `docs` into `site_dir`; the problems it found, empty on
    success. The site is built into a temporary folder and swapped in only on success. `site_url` replaces the
    config's (SITE_URL: the engines write it into canonical links, og:url and the sitemap)."""
    if engine not in ENGINES:
        return [Problem(config, f"unknown site engine '{engine}' (one of {', '.join(ENGINES)})")]
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    sweep_leftovers(site_dir.parent)
    # Both engines stamp the build date (the sitemap, Zensical's pages): take it from the content, not the clock.
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or str(int(dt.datetime.combine(
        latest, dt.time(), dt.timezone.utc).timestamp()))
    with _environment("SOURCE_DATE_EPOCH", epoch), \
            tempfile.TemporaryDirectory(dir=site_dir.parent, prefix=f"{PREFIX}{os.getpid()}-") as temporary:
        built = Path(temporary) / "site"
        problems = (_mkdocs if engine == "mkdocs" else _zensical)(config, docs, built, site_url)
        if any(p.is_error for p in problems):
            return problems
        if missing := cms.copy_bundle(built):  # the web editor's bundle, beside its page (admin/)
            return problems + [missing]
        write.replace_dir(built, site_dir)
    return problems


def _mkdocs(config: Path, docs: Path, built: Path, site_url: str | None = None) -> list[Problem]:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    collect = _Collect(config)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    try:
        overrides = {"site_url": site_url} if site_url else {}
        build(load_config(str(config), docs_dir=str(docs), site_dir=str(built), strict=True, **overrides))
    except MkDocsException as error:
        return collect.problems + [Problem(config, f"mkdocs: {error}; the site was not changed")]
    finally:
        logger.removeHandler(collect)
    return [p for p in collect.problems if not p.is_error]


ZENSICAL_CONFIG = """\
# Written by factcheck/engine.py for one build, then removed: {config} with this build's folders.
INHERIT: {config}
docs_dir: {docs}
site_dir: {site}
theme:
  variant: classic  # Material's own look (Zensical's default "modern" one restyles what overrides/ and our CSS assume)
"""


def _zensical(config: Path, docs: Path, built: Path, site_url: str | None = None,
              clean: bool = False) -> list[Problem]:
    """`zensical build` (strict) with the settings of `config` (and `site_url`), reading `docs`, writing `built`.

    Zensical resolves docs_dir, site_dir and the theme's custom_dir against the folder of its config file and
    refuses folders outside it, so the config it reads is written (as a hidden file, removed afterwards) in the
    deepest folder holding both `docs` and `built`, inheriting `config`, with custom_dir made absolute. Zensical
    keeps a cache of rendered pages in .cache/ of that folder; `clean` empties it first (the benchmark's cold run)."""
    import json
    import subprocess
    import sys

    from . import load

    document = load.load_yaml(config)
    if isinstance(document, Problem):
        return [document]
    theme = (document.data or {}).get("theme") or {}
    home = Path(os.path.commonpath([docs.resolve(), built.resolve()]))
    text = ZENSICAL_CONFIG.format(config=json.dumps(str(config.resolve())),
                                  docs=json.dumps(os.path.relpath(docs.resolve(), home)),
                                  site=json.dumps(os.path.relpath(built.resolve(), home)))
    if theme.get("custom_dir"):
        text += f"  custom_dir: {json.dumps(str((config.parent / theme['custom_dir']).resolve()))}\n"
    if site_url:
        text += f"site_url: {json.dumps(site_url)}\n"
    settings = home / f".zensical-{os.getpid()}.yml"
    settings.write_text(text, encoding="utf-8")
    try:
        result = subprocess.run([sys.executable, "-m", "zensical", "build", "--strict", "-f", str(settings),
                                 *(["--clean"] if clean else [])],
                                cwd=home, capture_output=True, text=True)
    finally:
        settings.unlink(missing_ok=True)
    if result.returncode or not built.is_dir():
        output = (result.stdout + result.stderr).strip()[-3000:]
        return [Problem(config, f"zensical: the build failed ({result.returncode}); the site was not changed:\n"
                                f"{output}")]
    return []

"""Run the site engine (MkDocs) on the generated docs folder, leaving no state behind.

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

from . import write
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


def build_site(config: Path, docs: Path, site_dir: Path, latest: dt.date) -> list[Problem]:
    """MkDocs (strict) from `docs` into `site_dir`; the problems it found, empty on success."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    site_dir.parent.mkdir(parents=True, exist_ok=True)
    sweep_leftovers(site_dir.parent)
    collect = _Collect(config)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    # MkDocs stamps the sitemap with the build date: take it from the content, not the clock.
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or str(int(dt.datetime.combine(
        latest, dt.time(), dt.timezone.utc).timestamp()))
    try:
        with _environment("SOURCE_DATE_EPOCH", epoch), \
                tempfile.TemporaryDirectory(dir=site_dir.parent, prefix=f"{PREFIX}{os.getpid()}-") as temporary:
            built = Path(temporary) / "site"
            try:
                build(load_config(str(config), docs_dir=str(docs), site_dir=str(built), strict=True))
            except MkDocsException as error:
                return collect.problems + [Problem(config, f"mkdocs: {error}; the site was not changed")]
            write.replace_dir(built, site_dir)
    finally:
        logger.removeHandler(collect)
    return [p for p in collect.problems if not p.is_error]

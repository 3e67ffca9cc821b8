"""The preview's memory: the publication kept loaded between edits, so saving one file costs one file's work.

`make serve` keeps one Preview. Each `refresh()` runs the build's own sequence (pipeline.build) with the memory kept
here: the folders are listed, only the files whose modification time, size or inode changed (and whose bytes then
differ) are read again, and the memo (factcheck/memo.py) gives back every check, quote and page whose inputs did not
change, so only the pages an edit changed are rendered and only the files whose bytes changed are written. After
any sequence of edits the docs folder is byte for byte what a clean build of the same inputs writes
(tests/test_preview.py checks this after every step of a sequence of edits).

An edit with errors changes nothing on disk: the preview keeps showing the last good build, and the next refresh
after the fix picks up from there. Code changes (factcheck/*.py) need a restart; templates, schemas, the rating
scale and mkdocs.yml's site settings (read again by the serve hook when mkdocs.yml changes) do not. The claims'
history (factcheck/history.py) is read from git once, on the first refresh, not on every keystroke: it is as of
when the preview started (restart to see new commits).
"""

from __future__ import annotations

import gc
import hashlib
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from . import load, pipeline
from .model import Problem
from .settings import Options

RECENT_NS = 2_000_000_000  # files modified this recently are hashed anyway: coarse clocks can repeat an mtime


@dataclass(frozen=True)
class _File:
    """A file as last read: what identifies that version on disk, and what reading it gave."""

    signature: tuple[int, int, int]  # st_mtime_ns, st_size, st_ino
    digest: bytes
    parsed: object
    problems: tuple[Problem, ...]


class _Reader:
    """load.read_file, remembered: an unchanged file is neither read nor parsed again."""

    def __init__(self) -> None:
        self.files: dict[Path, _File] = {}
        self.reread: list[Path] = []  # files read again since the last refresh began

    def read(self, path: Path, parse, form=None) -> tuple[object | None, list[Problem]]:
        try:
            info = os.lstat(path)
        except OSError:
            return load.read_file(path, parse, form)  # it reports the error
        if not stat.S_ISREG(info.st_mode):  # a link, a FIFO (opening it would block the preview)...: never opened
            return load.read_file(path, parse, form)  # it reports what the file is
        signature = (info.st_mtime_ns, info.st_size, info.st_ino)
        known = self.files.get(path)
        recent = time.time_ns() - info.st_mtime_ns < RECENT_NS
        if known is not None and known.signature == signature and not recent:
            return known.parsed, list(known.problems)
        try:
            digest = hashlib.blake2b(path.read_bytes()).digest()
        except OSError:
            return load.read_file(path, parse, form)
        if known is not None and known.digest == digest:
            self.files[path] = _File(signature, digest, known.parsed, known.problems)
            return known.parsed, list(known.problems)
        parsed, problems = load.read_file(path, parse, form)
        self.files[path] = _File(signature, digest, parsed, tuple(problems))
        self.reread.append(path)
        return parsed, problems


@dataclass(frozen=True)
class Refresh:
    """What one refresh did."""

    problems: tuple[Problem, ...]
    written: tuple[str, ...]  # docs files rewritten (relative paths)
    removed: tuple[str, ...]
    reread: tuple[Path, ...]  # input files read again because they changed
    seconds: float

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


class Preview:
    """The publication under `options.root`, kept in memory and written to `options.out` on every refresh."""

    def __init__(self, options: Options):
        self.options = options  # the serve hook replaces them when mkdocs.yml changes
        self._reader = _Reader()
        self._memory = pipeline.Memory(read=self._reader.read)

    def refresh(self) -> Refresh:
        """Bring the docs folder up to date with the inputs; on errors, leave it as it is and say why."""
        start = time.perf_counter()
        self._reader.reread = []
        outcome = pipeline.build(self.options, self._memory)
        # What the preview holds lives until the next edit replaces part of it: keep the cycle collector from
        # walking those millions of objects again on every refresh (a third of a second at 8,000 claims).
        gc.freeze()
        return Refresh(outcome.problems, outcome.written, outcome.removed, tuple(self._reader.reread),
                       time.perf_counter() - start)

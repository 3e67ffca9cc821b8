"""Answers worth keeping between builds: a digest of what was asked -> the answer, in a small JSON file under the
root's .cache/ (gitignored; CI keeps it between runs), so that a build asking nothing new does none of the work.
The language identifier's answers (language.py) and the YAML form check's (yamlform.py) are kept this way. A missing
or damaged file is only a slower build: answers of the wrong shape are not taken.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from . import write


_KINDS: list[Answers] = []  # every kind of answer, in the order made (the same in forked workers)


class Answers:
    """One kind of answer, in memory for the process, and read from and written to its cache file."""

    def __init__(self, valid: Callable[[object], bool]):
        self.known: dict[str, object] = {}  # digest -> answer
        self.new: dict[str, object] = {}  # the answers found since `found_since` last took them
        self._valid = valid  # whether a value read from the file is an answer of this kind
        self._kept: dict[Path, int] = {}  # cache file -> how many answers it held when last read or written
        _KINDS.append(self)

    def add(self, key: str, answer: object) -> None:
        self.known[key] = self.new[key] = answer

    def remember(self, cache: Path) -> None:
        """Read earlier answers from `cache` (once per process)."""
        if cache in self._kept:
            return
        self._kept[cache] = 0
        try:
            answers = {k: v for k, v in json.loads(cache.read_text(encoding="utf-8")).items() if self._valid(v)}
        except (OSError, ValueError, AttributeError):
            return
        self.known.update(answers)
        self._kept[cache] = len(answers)

    def keep(self, cache: Path) -> None:
        """Write the answers to `cache` atomically, when it lacks some (something new was asked)."""
        if self._kept.get(cache) == len(self.known):
            return
        self._kept[cache] = len(self.known)
        cache.parent.mkdir(parents=True, exist_ok=True)
        write.atomically(cache, json.dumps(self.known, sort_keys=True).encode("utf-8"))


def found_since() -> tuple[dict, ...]:
    """The answers of every kind found since the last call: what a forked worker sends back with its result, so
    the build's caches keep them (`learn`)."""
    found = tuple(kind.new for kind in _KINDS)
    for kind in _KINDS:
        kind.new = {}
    return found


def learn(found: tuple[dict, ...]) -> None:
    """Answers a worker found (`found_since` there), known here as if found here."""
    for kind, answers in zip(_KINDS, found):
        kind.known.update(answers)

"""Work remembered between builds: the preview's memory, owned by the pipeline and handed to the stages.

A stage that can save work asks `once(key, inputs, compute)`. A build passes `fresh`, which computes every time. The
preview passes one Memo for its whole life: it returns the result it computed for `key` while `inputs` are equal to
what they were then (==, which is immediate for the unchanged objects the preview hands back), so a remembered
result is always what `compute()` would return now, and the stages stay pure. Keys are tuples that start with a
word saying what is remembered: ("claim", slug, id), ("quote", slug, id), ("page", slug)...
"""

from __future__ import annotations

from typing import Callable, Hashable, Protocol, TypeVar

T = TypeVar("T")


class Once(Protocol):
    def __call__(self, key: Hashable, inputs: object, compute: Callable[[], T]) -> T: ...


def fresh(key: Hashable, inputs: object, compute: Callable[[], T]) -> T:
    """No memory: a build computes everything."""
    return compute()


class Memo:
    """Results by key, with the inputs each was computed from; what a build no longer asks for is forgotten."""

    def __init__(self) -> None:
        self._results: dict = {}
        self._asked: set = set()

    def __call__(self, key: Hashable, inputs: object, compute: Callable[[], T]) -> T:
        self._asked.add(key)
        hit = self._results.get(key)
        if hit is not None and hit[0] == inputs:
            return hit[1]
        result = compute()
        self._results[key] = (inputs, result)
        return result

    def forget_unasked(self) -> None:
        """Drop what was not asked for since the last call (deleted claims and articles, pages no longer made):
        called after a successful build, so a build stopped by errors keeps what the next one will need."""
        for key in self._results.keys() - self._asked:
            del self._results[key]
        self._asked = set()

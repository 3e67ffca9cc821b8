"""Work spread over every core, for the two stages a cold build spends most of its time in: rendering the pages and
drawing the share images. Each is a pure function of its item, so the result is the same however it is split.

Workers are forked: they start at once, with the modules and the parent's data (the publication) already loaded,
and their memory is the parent's until they change it. Where forking is not available, or there is too little to
do to pay for starting workers, the work runs in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")
PARALLEL_FROM = 8  # fewer items than this run here: starting workers would cost more


def available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1


def imap(function: Callable[[T], R], items: list[T], workers: int | None = None) -> Iterator[R]:
    """`function` over `items`, results in order, as they come: on every core when there are enough items. The
    function must be a module-level one (workers find it by name); what it reads, the parent set before calling."""
    workers = workers or os.cpu_count() or 1
    if len(items) < PARALLEL_FROM or workers < 2 or not available():
        yield from map(function, items)
        return
    # The parent's objects out of the cycle collector's reach while workers run: a collection in a worker would
    # otherwise walk, and so copy, every page of the memory it shares with the parent (the whole publication).
    # The preview freezes what it keeps after each refresh: what it froze stays frozen.
    thawed = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            # Chunks keep the pipes busy without leaving one worker with the tail.
            yield from pool.map(function, items, chunksize=max(1, min(64, len(items) // (workers * 4))))
    finally:
        if thawed:
            gc.unfreeze()

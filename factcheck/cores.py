"""Work spread over every core, for what a cold build spends most of its time in: reading and checking the claims,
rendering the pages and drawing the share images. Each is a pure function of its item, so the result is the same
however it is split.

Workers are forked: they start at once, with the modules and the parent's data (the publication) already loaded,
and their memory is the parent's until they change it. Where forking is not available, or there is too little to
do to pay for starting workers, the work runs in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterator, TypeVar

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
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=_worker)
    try:
        # Chunks keep the pipes busy without leaving one worker with the tail.
        yield from pool.map(function, items, chunksize=max(1, min(64, len(items) // (workers * 4))))
    finally:
        # Also after an error, an interruption (Ctrl-C, SIGTERM) or a caller that stopped reading: items not started
        # are dropped and every worker has ended before this returns, so none is left orphaned.
        pool.shutdown(cancel_futures=True)
        if thawed:
            gc.unfreeze()


def _worker() -> None:
    """Workers leave interruptions to the build: Ctrl-C reaches the whole process group, and the build stops its
    workers itself (each finishes its item, so no file is left half-written) and prints one message. SIGTERM sent
    to a worker itself ends it at once, as it would any program (build.py turns its own SIGTERM into an exception,
    which stops the workers as above)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

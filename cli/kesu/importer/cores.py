"""Building a ledger's cases on every core of the machine.

A case is built from its own row alone (the engine's steps, the checks of a
new case, its canonical text), so the rows of a long ledger are shared among
worker processes and the answers come back in the rows' order; what the rows
share (duplicates, case IDs) is settled before and after, in one process.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterator, Sequence

#: Fewer rows than this are built in the importing process: starting workers costs more.
MINIMUM = 200

_task: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def map_in_order(function: Callable[[Any], Any], items: Sequence[Any],
                 workers: int | None = None) -> Iterator[Any]:
    """``map(function, items)``, on ``workers`` processes (default: one per core).

    ``function`` must not raise for an expected failure: it returns it, as the
    answers cross a process boundary. The workers are forked, so they see
    ``items`` without copying them through a pipe.
    """
    global _task
    import multiprocessing

    workers = min(workers or cores(), len(items) // (MINIMUM // 2) or 1)
    if workers < 2 or len(items) < MINIMUM or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(function, items)
        return
    _task = (function, items)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_one, range(len(items)), chunksize=max(1, len(items) // (workers * 16)))
    finally:
        _task = None


def _one(index: int) -> Any:
    assert _task is not None
    function, items = _task
    return function(items[index])

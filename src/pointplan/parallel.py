"""Independent searches on the machine's cores, with results in a fixed order.

The caller consumes results in the order of its items, so a plan never depends on which
process finished first. The shared, read-only context (the problem) is handed to each worker
process once, when it starts, not with every item.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

Context = TypeVar("Context")
Item = TypeVar("Item")
Result = TypeVar("Result")

_worker_context: Any = None


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def ordered_map(
    function: Callable[[Context, Item], Result],
    context: Context,
    items: Sequence[Item],
    workers: int,
) -> Generator[Result, None, None]:
    """`function(context, item)` for every item, yielded in the items' order, computed on up
    to `workers` processes (in this process when one is enough). `function` must be a
    module-level function. Closing the iterator early cancels the items not yet started."""
    if workers <= 1 or len(items) <= 1:
        for item in items:
            yield function(context, item)
        return
    methods = multiprocessing.get_all_start_methods()
    # fork hands the already-built problem to the workers without pickling it; else spawn.
    start = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(
        max_workers=min(workers, len(items)),
        mp_context=start,
        initializer=_set_context,
        initargs=(context,),
    ) as pool:
        futures = [pool.submit(_call, function, item) for item in items]
        try:
            for future in futures:
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


def _set_context(context: object) -> None:
    global _worker_context
    _worker_context = context


def _call(function: Callable[[Any, Item], Result], item: Item) -> Result:
    return function(_worker_context, item)

"""Independent searches on the machine's cores, or on a cluster, with results in a fixed order.

The caller consumes results in the order of its items, so a plan never depends on which
process finished first. The shared, read-only context is handed to each worker process once,
when it starts, not with every item. Where the work runs is an `int` (processes of this
machine) or an `Executor`, such as `pointplan.cluster.ClusterExecutor` for a Dask cluster.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol, TypeVar

Context = TypeVar("Context")
Item = TypeVar("Item")
Result = TypeVar("Result")

_worker_context: Any = None


class Executor(Protocol):
    """Somewhere other than this machine's process pool to run independent work."""

    def ordered_map(
        self,
        function: Callable[[Context, Item], Result],
        context: Context,
        items: Sequence[Item],
    ) -> Generator[Result, None, None]:
        """`function(context, item)` for every item, yielded in the items' order; closing the
        iterator early cancels the items not yet started."""
        ...


Workers = int | Executor
"""Where independent work runs: up to that many processes of this machine, or an executor."""


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
    workers: Workers,
) -> Generator[Result, None, None]:
    """`function(context, item)` for every item, yielded in the items' order, computed on up
    to `workers` processes (in this process when one is enough) or by the executor given.
    `function` must be a module-level function. Closing the iterator early cancels the items
    not yet started."""
    if not isinstance(workers, int):
        yield from workers.ordered_map(function, context, items)
        return
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

"""How the service starts its worker processes (plan solvers, the batch validator).

The service is multi-threaded, so its workers are never forked from it. They are forked from a
fork server, a clean single-threaded process that has imported pointplan's solving and storing
code once: a plan's process then starts in milliseconds instead of re-importing pandas,
OR-Tools and the rest for every plan (seconds each). Where there is no fork server (Windows),
each worker is spawned afresh.
"""

from __future__ import annotations

import multiprocessing
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.context import ForkServerContext, SpawnContext

PRELOADED = ("pointplan.api.jobs", "pointplan.api.batch_writer")
"""The modules the fork server imports once, for every worker forked from it."""


def worker_context() -> ForkServerContext | SpawnContext:
    """The multiprocessing context the service's workers start from."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOADED))
    return context

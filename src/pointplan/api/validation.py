"""Batch validation off the service's interpreter lock.

Validating a registration (place names, resident ids, the nearest point) is pure Python CPU
work; done in the service's own process it holds the interpreter lock, and single reads wait
behind it. `Validator` does it in worker processes instead (or, with 0 processes, in a thread,
as tests want).
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from starlette.concurrency import run_in_threadpool

from pointplan.domain.places import Point
from pointplan.store.registrations import ValidatedBatch, validate_batch


class Validator:
    """Validates batches in `processes` worker processes (0: in a thread)."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor | None:
        if self.processes == 0:
            return None
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(max_workers=self.processes, mp_context=context)

    async def validate(
        self, items: Sequence[Mapping[str, Any]], points: Sequence[Point]
    ) -> ValidatedBatch:
        """`validate_batch(items, points)`, computed off the event loop and the lock."""
        if self._pool is None:
            return await run_in_threadpool(validate_batch, items, points)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, validate_batch, items, points)
        except BrokenProcessPool:  # a worker died: start a new pool, answer from a thread
            self._pool = self._new_pool()
            return await run_in_threadpool(validate_batch, items, points)

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

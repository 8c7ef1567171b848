"""Registration batches validated and saved off the service's interpreter lock.

Validating a registration (place names, resident ids, the nearest point) and saving it is
pure Python CPU work; done in the service's own process it holds the interpreter lock, and
single reads wait behind it. `BatchWriter` does both in worker processes, each with its own
connection to the database, and hands the service back only the batch's small answer. With 0
processes it works in a thread of the service instead, as tests want.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from pointplan.api.processes import worker_context
from pointplan.domain.places import Point
from pointplan.store.database import Database
from pointplan.store.points import load_points, points_version
from pointplan.store.registrations import BatchResult, Moved, WriteRules, save_batch
from pointplan.store.sealing import Sealer

ATTEMPTS = 5
"""How often a batch is tried when concurrent writers keep moving its registrations."""


class BatchStore:
    """Validates and saves batches on one database, reading the points again only when
    their version in the database (`points_version`) has moved: whichever service process
    saved them."""

    def __init__(self, db: Database, sealer: Sealer, rules: WriteRules) -> None:
        self.db = db
        self.sealer = sealer
        self.rules = rules
        self._points: tuple[str, tuple[Point, ...]] = ("", ())

    def save(self, items: Sequence[Any], actor: str, area: str) -> BatchResult:
        """Validate `items` against the points and save the good ones as `actor`, writing
        within `area`; the batch's answer. A batch whose registrations another writer
        stored or changed meanwhile is read and tried again."""
        points = self._current_points()
        for _ in range(ATTEMPTS - 1):
            try:
                return self._save_once(items, points, actor, area)
            except (IntegrityError, Moved):
                continue  # read again and try again
        return self._save_once(items, points, actor, area)

    def _save_once(
        self, items: Sequence[Any], points: Sequence[Point], actor: str, area: str
    ) -> BatchResult:
        with self.db.session() as session:
            return save_batch(session, items, points, actor, area, self.sealer, self.rules)

    def check(self, items: Sequence[Any], actor: str, area: str) -> BatchResult:
        """What `save` would answer for `items`, saving nothing."""
        points = self._current_points()
        with self.db.session() as session:
            return save_batch(
                session, items, points, actor, area, self.sealer, self.rules, dry_run=True
            )

    def _current_points(self) -> tuple[Point, ...]:
        with self.db.session() as session:
            version = points_version(session)
            if self._points[0] != version:
                self._points = (version, load_points(session))
        return self._points[1]


_worker_store: BatchStore | None = None


def _start_worker(database_url: str, keys: tuple[str, ...], rules: WriteRules) -> None:
    global _worker_store
    _worker_store = BatchStore(Database(database_url), Sealer(keys), rules)


def _ready() -> bool:
    return _worker_store is not None


def _save_in_worker(items: Sequence[Any], actor: str, area: str) -> BatchResult:
    assert _worker_store is not None, "the pool's initializer opens the database"
    return _worker_store.save(items, actor, area)


class BatchWriter:
    """Saves batches in `processes` worker processes (0: in a thread of this process)."""

    def __init__(self, db: Database, processes: int, sealer: Sealer, rules: WriteRules) -> None:
        self.processes = processes
        self._url = db.url
        self._keys = sealer.keys
        self._rules = rules
        self._here = BatchStore(db, sealer, rules)
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor | None:
        if self.processes == 0:
            return None
        return ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=worker_context(),
            initializer=_start_worker,
            initargs=(self._url, self._keys, self._rules),
        )

    async def start(self) -> None:
        """Start the worker processes now, so that the first batch does not wait seconds for
        the fork server to import pointplan (and for the workers to open the database)."""
        if self._pool is None:
            return
        loop = asyncio.get_running_loop()
        started = [loop.run_in_executor(self._pool, _ready) for _ in range(self.processes)]
        await asyncio.gather(*started)

    async def save(self, items: Sequence[Any], actor: str, area: str) -> BatchResult:
        """`BatchStore.save`, computed off the event loop and the interpreter lock."""
        pool = self._pool
        if pool is None:
            return await run_in_threadpool(self._here.save, items, actor, area)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(pool, _save_in_worker, items, actor, area)
        except BrokenProcessPool:  # a worker died: start a new pool once, save from a thread
            if self._pool is pool:
                pool.shutdown(wait=False)
                self._pool = self._new_pool()
            return await run_in_threadpool(self._here.save, items, actor, area)

    async def check(self, items: Sequence[Any], actor: str, area: str) -> BatchResult:
        """`BatchStore.check`, in a thread of this process (nothing is written)."""
        return await run_in_threadpool(self._here.check, items, actor, area)

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

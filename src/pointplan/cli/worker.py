"""`pointplan worker`: solve the plan jobs of a service's database, beside any number of
`pointplan serve` processes and other workers on the same (PostgreSQL) database."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from typing import Any

from pointplan.cli.common import EXIT_OK

log = logging.getLogger(__name__)


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add `worker` to `commands`."""
    worker = commands.add_parser(
        "worker",
        help="solve queued plan jobs (beside `pointplan serve` processes)",
        description="Claim queued plan jobs of the database with a lease and solve them, "
        "until stopped (SIGTERM or Ctrl-C: the jobs it holds go back to the queue). A job "
        "whose worker dies is queued again once its lease runs out "
        "(POINTPLAN_PLAN_LEASE_SECONDS). Settings come from POINTPLAN_* environment "
        "variables; --db overrides POINTPLAN_DATABASE_URL.",
    )
    worker.add_argument("--db", metavar="URL", help="SQLAlchemy database URL")
    worker.add_argument(
        "--plan-workers",
        type=int,
        metavar="N",
        help="plans solved at once (default: POINTPLAN_PLAN_WORKERS, 1)",
    )
    worker.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Solve jobs until stopped."""
    from pointplan.api.jobs import PlanRunner
    from pointplan.api.settings import Settings
    from pointplan.store.database import Database, migrate

    overrides: dict[str, Any] = {}
    if args.db:
        overrides["database_url"] = args.db
    if args.plan_workers is not None:
        overrides["plan_workers"] = args.plan_workers
    settings = Settings(**overrides)
    db = Database(settings.database_url)
    migrate(db.engine)
    runner = PlanRunner(
        db,
        max(settings.plan_workers, 1),
        settings.sealer(),
        settings.plan_margin_seconds,
        lease_seconds=settings.plan_lease_seconds,
    )
    runner.recover()

    async def until_stopped() -> None:
        task = asyncio.create_task(runner.run())
        loop = asyncio.get_running_loop()
        for stop in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):  # not on Windows
                loop.add_signal_handler(stop, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    log.info("plan worker %s on %s", runner.owner, db.engine.url.render_as_string())
    try:
        asyncio.run(until_stopped())
    finally:
        db.dispose()
    return EXIT_OK

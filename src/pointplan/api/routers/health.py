"""Health and metrics, no token needed: `/healthz` and `/readyz` (the service and its
database answer, the schema is current), `/livez` (the process answers), `/metrics` (the
plan queue in the Prometheus text format). None of them says anything about a person."""

from __future__ import annotations

from collections.abc import Iterator

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter, HTTPException, Response, status
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import text

from pointplan.api.auth import DB
from pointplan.api.schemas import error_responses
from pointplan.store.database import Database, migration_scripts
from pointplan.store.plans import queue_state

router = APIRouter(tags=["health"], responses=error_responses(503))
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


@router.get("/healthz", summary="200 when the service and its database answer")
def healthz(db: DB) -> dict[str, str]:
    """No token needed."""
    _database_answers(db)
    return {"status": "ok"}


@router.get("/livez", summary="200 while the process answers (it need not reach the database)")
async def livez() -> dict[str, str]:
    """No token needed: a process that answers this is alive; restart it when it does not."""
    return {"status": "ok"}


@router.get(
    "/readyz", summary="200 when the service can serve: its database answers, schema current"
)
def readyz(db: DB) -> dict[str, str]:
    """No token needed: send requests to a process only while this answers 200 (503 when
    the database does not answer or its schema is not this version's)."""
    _database_answers(db)
    head = ScriptDirectory.from_config(migration_scripts()).get_current_head()
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            f"the database schema is at {current}, not {head}: migrate it",
        )
    return {"status": "ok"}


@router.get("/metrics", summary="the plan queue, in the Prometheus text format")
def metrics(db: DB) -> Response:
    """No token needed: `pointplan_plans_queued`, `pointplan_plans_running` and
    `pointplan_plan_oldest_lease_seconds` (how long the oldest running job has held its
    worker), read from the database, so every process answers the same."""
    registry = CollectorRegistry()
    registry.register(_QueueCollector(db))
    return Response(generate_latest(registry), media_type=PROMETHEUS_TEXT)


class _QueueCollector(Collector):
    """The plan queue's gauges, read at each scrape."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Metric]:
        with self.db.session() as session:
            state = queue_state(session)
        yield GaugeMetricFamily(
            "pointplan_plans_queued", "plan jobs waiting for a worker", value=state.queued
        )
        yield GaugeMetricFamily(
            "pointplan_plans_running", "plan jobs a worker is solving", value=state.running
        )
        yield GaugeMetricFamily(
            "pointplan_plan_oldest_lease_seconds",
            "how long the oldest running plan job has held its worker, s",
            value=state.oldest_lease_seconds,
        )


def _database_answers(db: Database) -> None:
    try:
        with db.session() as session:
            session.execute(text("SELECT 1"))
    except Exception as error:  # any database failure is "not healthy", said plainly
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "the database does not answer"
        ) from error

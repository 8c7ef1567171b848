"""A service of several processes on one PostgreSQL database: two `pointplan serve` processes
that solve nothing and two `pointplan worker` processes. Every job runs once; a job whose
worker is killed (with its solver) runs again on the other and completes; a token revoked
on the command line is refused by both servers within their cache time; the points one
server saves are read by the other; the queue's metrics and the readiness answer.

Leases of 9 s (renewed every 3 s) and a token cache of 1 s keep the test short.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import select

from pointplan.store import models
from pointplan.store.database import Database, migrate
from pointplan.synthetic import make_week
from tests.api.live import LIVE_TIMEOUT, free_port, fresh_database, plan_worker, serve, token_add

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX process groups")
DROPPED = ("pickup_point", "dropoff_point")
"""Columns of the synthetic week naming points this database does not hold."""
SETTINGS = {
    "POINTPLAN_PLAN_LEASE_SECONDS": "9",
    "POINTPLAN_TOKEN_CACHE_SECONDS": "1",
    "POINTPLAN_VALIDATION_PROCESSES": "0",
}


def _registrations(prefix: str, count: int, day: str) -> list[dict[str, Any]]:
    return [
        {
            "registration_id": f"{prefix}{n:04d}",
            "direction": "return_to_work",
            "origin": "150121",
            "destination": "150203",
            "earliest_date": day,
            "latest_date": day,
            "party_size": 1 + n % 3,
        }
        for n in range(count)
    ]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Two servers (no plan workers of their own) and two workers on a fresh PostgreSQL
    database, and an admin token."""
    folder = tmp_path_factory.mktemp("processes")
    with fresh_database("postgresql", folder) as url:
        db = Database(url)
        migrate(db.engine)
        token = token_add(url, "multi", "--role", "admin")
        servers_env = {**SETTINGS, "POINTPLAN_PLAN_WORKERS": "0"}
        ports = [free_port(), free_port()]
        with contextlib.ExitStack() as stack:
            for number, port in enumerate(ports):
                stack.enter_context(serve(url, port, folder / f"serve{number}.log", servers_env))
            workers = [
                stack.enter_context(plan_worker(url, folder / f"worker{n}.log", SETTINGS))
                for n in range(2)
            ]
            yield {
                "url": url, "db": db, "token": token, "ports": ports, "workers": workers,
                "folder": folder,
            }  # fmt: skip
        db.dispose()


def _client(cluster: dict[str, Any], server: int, token: str | None = None) -> httpx.Client:
    return httpx.Client(
        base_url=f"http://127.0.0.1:{cluster['ports'][server]}",
        headers={"Authorization": f"Bearer {token or cluster['token']}"},
        timeout=LIVE_TIMEOUT,
    )


def _wait_done(client: httpx.Client, plan_ids: list[str], seconds: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    jobs: dict[str, Any] = {}
    while time.monotonic() < deadline:
        jobs = {pid: client.get(f"/v1/plans/{pid}").json() for pid in plan_ids}
        if all(job["status"] not in ("queued", "running") for job in jobs.values()):
            return jobs
        time.sleep(0.5)
    raise AssertionError(f"plans not finished: {[j['status'] for j in jobs.values()]}")


def test_every_job_runs_once_across_two_servers_and_two_workers(
    cluster: dict[str, Any],
) -> None:
    with _client(cluster, 0) as first, _client(cluster, 1) as second:
        first.post("/v1/registrations", json=_registrations("MA", 40, "2022-11-21"))
        asked = [
            (first if n % 2 else second).post(
                "/v1/plans",
                json={"area": "15", "date_from": "2022-11-21", "date_to": "2022-11-21",
                      "time_limit": 1},
            ).json()["plan_id"]
            for n in range(6)
        ]  # fmt: skip
        jobs = _wait_done(second, asked)
    assert {job["status"] for job in jobs.values()} == {"done"}
    with cluster["db"].session() as session:
        rows = session.scalars(
            select(models.PlanJob).where(models.PlanJob.plan_id.in_(asked))
        ).all()
        assert [row.attempts for row in rows] == [1] * len(asked)  # each claimed once
        owners = {row.lease_owner.split(":")[1] for row in rows}
    workers = {str(process.pid) for process in cluster["workers"]}
    assert owners <= workers  # solved by the workers, not by the servers


def test_a_job_whose_worker_is_killed_runs_again_and_completes(
    cluster: dict[str, Any],
) -> None:
    with _client(cluster, 0) as client:
        client.post("/v1/registrations", json=_registrations("MB", 300, "2022-11-28"))
        plan_id = client.post(
            "/v1/plans",
            json={"area": "15", "date_from": "2022-11-28", "date_to": "2022-11-28",
                  "time_limit": 8},
        ).json()["plan_id"]  # fmt: skip
        owner = ""
        deadline = time.monotonic() + 60
        while not owner and time.monotonic() < deadline:
            with cluster["db"].session() as session:
                job = session.get(models.PlanJob, plan_id)
                assert job is not None
                owner = job.lease_owner if job.status == "running" else ""
            time.sleep(0.2)
        assert owner, "no worker claimed the plan"
        victim = next(p for p in cluster["workers"] if str(p.pid) == owner.split(":")[1])
        os.killpg(victim.pid, signal.SIGKILL)  # the worker and its solver, mid-run
        job = _wait_done(client, [plan_id])[plan_id]
    assert job["status"] == "done", job
    with cluster["db"].session() as session:
        stored = session.get(models.PlanJob, plan_id)
        assert stored is not None
        assert stored.attempts == 2 and stored.lease_owner != owner
    assert job["plan"]["summary"]["served_passengers"] == job["plan"]["summary"]["passengers"]


def test_a_revoked_token_is_refused_by_both_servers(cluster: dict[str, Any]) -> None:
    token = token_add(cluster["url"], "short-lived", "--role", "admin")
    for server in (0, 1):
        with _client(cluster, server, token) as client:
            assert client.get("/v1/registrations", params={"limit": 1}).status_code == 200
    subprocess.run(
        [sys.executable, "-m", "pointplan", "token", "revoke", "short-lived", "--db",
         cluster["url"]],
        check=True, capture_output=True,
    )  # fmt: skip
    time.sleep(1.5)  # the servers' token cache: 1 s
    for server in (0, 1):
        with _client(cluster, server, token) as client:
            assert client.get("/v1/registrations", params={"limit": 1}).status_code == 401


def test_points_saved_on_one_server_are_read_on_the_other(cluster: dict[str, Any]) -> None:
    point = {"point_id": "MP-1", "name": "土左旗站", "lat": 40.69, "lon": 111.15,
             "adcode": "150121"}  # fmt: skip
    with _client(cluster, 0) as first, _client(cluster, 1) as second:
        item = {**_registrations("MC", 1, "2022-12-05")[0], "pickup_point": "MP-1"}
        assert second.post("/v1/registrations", json=[item]).json()["accepted"] == 0
        assert first.post("/v1/points", json=[point]).status_code == 200
        assert second.post("/v1/registrations", json=[item]).json()["accepted"] == 1


def test_readiness_and_the_queues_metrics(cluster: dict[str, Any]) -> None:
    for server in (0, 1):
        base = f"http://127.0.0.1:{cluster['ports'][server]}"
        assert httpx.get(f"{base}/livez").status_code == 200
        assert httpx.get(f"{base}/readyz").status_code == 200
        text = httpx.get(f"{base}/metrics").text
        values = {
            line.split()[0]: float(line.split()[1])
            for line in text.splitlines()
            if line.startswith("pointplan_")
        }
        assert set(values) == {
            "pointplan_plans_queued", "pointplan_plans_running",
            "pointplan_plan_oldest_lease_seconds",
        }  # fmt: skip
        assert values["pointplan_plans_queued"] >= 0


def test_a_cancellation_on_one_server_stops_the_solver_on_the_worker(
    cluster: dict[str, Any],
) -> None:
    week = make_week(1500, seed=3, week_start=dt.date(2023, 1, 2))  # a search of minutes
    rows = week.registrations.astype(object).where(week.registrations.notna(), None)
    items = [
        {k: v for k, v in row.items() if v not in ("", None) and k not in DROPPED}
        for row in rows.to_dict("records")
    ]
    with _client(cluster, 0) as first, _client(cluster, 1) as second:
        saved = first.post("/v1/registrations", json=items).json()
        assert saved["accepted"] == len(items), saved["rejected"][:3]
        plan_id = first.post(
            "/v1/plans",
            json={"area": "15", "date_from": "2023-01-02", "date_to": "2023-01-08",
                  "time_limit": 120},
        ).json()["plan_id"]  # fmt: skip
        deadline = time.monotonic() + 60
        while first.get(f"/v1/plans/{plan_id}").json()["status"] != "running":
            assert time.monotonic() < deadline, "no worker claimed the plan"
            time.sleep(0.2)
        with cluster["db"].session() as session:
            running = session.get(models.PlanJob, plan_id)
            assert running is not None
            pid = running.lease_owner.split(":")[1]
        time.sleep(1)  # solving
        assert second.delete(f"/v1/plans/{plan_id}").status_code == 200
        time.sleep(6)  # the worker's next lease renewal (every 3 s) stops the solver
        job = first.get(f"/v1/plans/{plan_id}").json()
    assert job["status"] == "cancelled" and job["plan"] is None
    with cluster["db"].session() as session:
        stored = session.get(models.PlanJob, plan_id)
        assert stored is not None and stored.result is None
    (number,) = [n for n, w in enumerate(cluster["workers"]) if str(w.pid) == pid]
    assert cluster["workers"][number].poll() is None  # its solver stopped, the worker goes on
    log = (cluster["folder"] / f"worker{number}.log").read_text(errors="replace")
    assert f"plan {plan_id} is no longer this worker's" in log

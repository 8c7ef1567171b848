"""Load on a real `pointplan serve`: clients posting registrations in batches and reading
registrations and plans at once, against one server on loopback (a new SQLite file, or the
empty database given by --db), while a plan is being solved. Reports throughput, latency
percentiles and errors; writes RESULTS.md.

    python -m benchmarks.load --seconds 30 --writers 4 --readers 8 --batch 100 --rate 1200 \
        --read-rate 100

Writers and readers both keep a set rate (open loop), so the latencies are those of the
stated load, not of a machine driven to saturation by its own clients.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import signal
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from benchmarks.results import replace_section
from pointplan.store import models
from pointplan.store.database import Database, migrate
from pointplan.store.tokens import add_token
from pointplan.synthetic import make_week
from tests.api.live import free_port, plan_worker, serve

RESULTS = Path(__file__).with_name("RESULTS.md")
BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass
class Tally:
    """Latencies (seconds) and errors of one kind of call."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    items: int = 0

    def percentile(self, share: float) -> float:
        """The latency below which `share` of the calls fall, in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def _writer(
    client: httpx.AsyncClient,
    rows: list[dict[str, str]],
    batch: int,
    period: float,
    first: float,
    stop: float,
    tally: Tally,
) -> None:
    """Post `batch` registrations every `period` seconds from `first` (at once when behind)."""
    start = 0
    due = first
    while time.monotonic() < stop and start < len(rows):
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        due += period
        items = rows[start : start + batch]
        start += batch
        began = time.perf_counter()
        try:
            answer = await client.post("/v1/registrations", json=items)
        except httpx.HTTPError:
            tally.errors += 1
            continue
        tally.latencies.append(time.perf_counter() - began)
        if answer.status_code != 200 or answer.json()["rejected"]:
            tally.errors += 1
        else:
            tally.items += answer.json()["accepted"]


async def _reader(
    client: httpx.AsyncClient,
    paths: list[str],
    period: float,
    first: float,
    stop: float,
    tally: Tally,
) -> None:
    """Read one registration or the plan every `period` seconds from `first` (at once when
    behind)."""
    number = 0
    due = first
    while time.monotonic() < stop:
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        due += period
        path = paths[number % len(paths)]
        number += 1
        began = time.perf_counter()
        try:
            answer = await client.get(path)
        except httpx.HTTPError:
            tally.errors += 1
            continue
        tally.latencies.append(time.perf_counter() - began)
        tally.items += 1
        if answer.status_code != 200:
            tally.errors += 1


async def _load(
    bases: list[str],
    token: str,
    rows: list[dict[str, str]],
    args: argparse.Namespace,
    plan_id: str,
    during: Callable[[], Awaitable[None]] | None = None,
) -> tuple[Tally, Tally, float]:
    """The writers and readers, spread over the servers at `bases` in turn, with `during`
    (such as killing a worker) run beside them."""
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=args.writers + args.readers)
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=base, headers=headers, timeout=30, limits=limits)
            )
            for base in bases
        ]
        seeded = [f"/v1/registrations/{r['registration_id']}" for r in rows[: args.seed]]
        paths = [*seeded, f"/v1/plans/{plan_id}"]
        fresh = rows[args.seed :]
        share = len(fresh) // args.writers
        writes, reads = Tally(), Tally()
        began = time.monotonic()
        stop = began + args.seconds
        # The clients' calls are spread evenly over each period, not sent in bursts.
        period = args.writers * args.batch / args.rate
        read_period = args.readers / args.read_rate
        await asyncio.gather(
            *((during(),) if during else ()),
            *(
                _writer(
                    clients[i % len(clients)],
                    fresh[i * share : (i + 1) * share],
                    args.batch,
                    period,
                    began + i * period / args.writers,
                    stop,
                    writes,
                )
                for i in range(args.writers)
            ),
            *(
                _reader(
                    clients[i % len(clients)],
                    paths,
                    read_period,
                    began + i * read_period / args.readers,
                    stop,
                    reads,
                )
                for i in range(args.readers)
            ),
        )
        return writes, reads, time.monotonic() - began


def main() -> None:
    """Run the load and write its section of RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--writers", type=int, default=4, help="clients posting batches")
    parser.add_argument("--readers", type=int, default=8, help="clients reading one at a time")
    parser.add_argument("--batch", type=int, default=100, help="registrations per post")
    parser.add_argument(
        "--rate", type=float, default=1200.0, help="registrations a second the writers aim at"
    )
    parser.add_argument(
        "--read-rate", type=float, default=100.0, help="single reads a second the readers aim at"
    )
    parser.add_argument("--seed", type=int, default=3000, help="registrations stored first")
    parser.add_argument(
        "--no-plan", action="store_true", help="no plan solving during the load (for comparison)"
    )
    parser.add_argument(
        "--db", metavar="URL", help="an empty database to serve from (default: a new SQLite file)"
    )
    parser.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    parser.add_argument(
        "--servers", type=int, default=1, help="`pointplan serve` processes (more: PostgreSQL)"
    )
    parser.add_argument(
        "--plan-workers",
        type=int,
        default=0,
        help="`pointplan worker` processes; with any, the servers solve nothing (PostgreSQL)",
    )
    parser.add_argument(
        "--plans", type=int, default=1, help="plans asked for before the load (default 1)"
    )
    parser.add_argument(
        "--plan-time-limit", type=float, default=600.0, help="each plan's budget (default 600)"
    )
    parser.add_argument(
        "--kill-worker-at",
        type=float,
        metavar="S",
        help="SIGKILL the first plan worker (with its solvers) S seconds into the load",
    )
    args = parser.parse_args()
    several = args.servers > 1 or args.plan_workers > 0
    if several and not (args.db or "").startswith("postgresql"):
        parser.error("--servers above 1 and --plan-workers need --db postgresql://...")
    if args.kill_worker_at is not None and args.plan_workers < 1:
        parser.error("--kill-worker-at needs --plan-workers")

    folder = Path(tempfile.mkdtemp(prefix="pointplan-load-"))
    url = args.db or f"sqlite:///{folder / 'service.db'}"
    db = Database(url)
    migrate(db.engine)
    with db.session() as session:
        if session.scalar(select(func.count()).select_from(models.Registration)):
            parser.error("--db: the database holds registrations already; give an empty one")
        token = add_token(session, "load", "admin")
    week = make_week(args.seed + 80_000, seed=11)
    rows = [
        {str(k): v for k, v in record.items() if v == v and v not in ("", None)}  # v != v: NaN
        for record in week.registrations.to_dict("records")
    ]
    points = [
        {"point_id": p["point_id"], "name": p["name"], "lat": float(p["lat"]),
         "lon": float(p["lon"]), "adcode": str(p.get("adcode", ""))}
        for p in week.points.fillna("").to_dict("records")
    ]  # fmt: skip
    ports = [free_port() for _ in range(args.servers)]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    server_env = {"POINTPLAN_PLAN_WORKERS": "0"} if args.plan_workers else {}
    killed: list[float] = []
    with contextlib.ExitStack() as stack:
        for number, port in enumerate(ports):
            stack.enter_context(serve(url, port, folder / f"serve{number}.log", server_env))
        workers = [
            stack.enter_context(plan_worker(url, folder / f"worker{number}.log"))
            for number in range(args.plan_workers)
        ]
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=bases[0], headers=headers, timeout=120) as client:
            client.post("/v1/points", json=points).raise_for_status()
            for start in range(0, args.seed, 1000):
                client.post("/v1/registrations", json=rows[start : start + 1000]).raise_for_status()
            plan_ids = [
                client.post(
                    "/v1/plans",
                    json={"area": "15", "date_from": "2022-11-21", "date_to": "2022-11-30",
                          "time_limit": args.plan_time_limit},
                ).json()["plan_id"]
                for _ in range(args.plans)
            ]  # fmt: skip
            if args.no_plan:  # still read by the readers, as a cancelled plan
                for plan_id in plan_ids:
                    client.delete(f"/v1/plans/{plan_id}").raise_for_status()
            time.sleep(3)  # the plan's process starts and begins solving
            plan_status = client.get(f"/v1/plans/{plan_ids[0]}").json()["status"]

        async def kill_a_worker() -> None:
            await asyncio.sleep(args.kill_worker_at)
            os.killpg(workers[0].pid, signal.SIGKILL)
            killed.append(args.kill_worker_at)

        during = kill_a_worker if args.kill_worker_at is not None else None
        writes, reads, seconds = asyncio.run(_load(bases, token, rows, args, plan_ids[0], during))
        statuses = _plans_after(bases, headers, plan_ids, wait=several and not args.no_plan)
    attempts = _attempts(db, plan_ids)
    db.dispose()
    report = _report(args, url, writes, reads, seconds, plan_status, statuses[0])
    if several:
        report += "\n\n" + _processes_report(args, statuses, attempts, killed)
    print(report)
    if not args.no_write:
        backend = _backend(url)
        heading = "## Service load" if backend == "SQLite" else f"## {backend} service load"
        if several:
            heading = (
                f"## {backend} service load: {args.servers} servers, {args.plan_workers} workers"
            )
        replace_section(heading, f"{heading}\n\n{report}\n", RESULTS)


def _plans_after(
    bases: list[str], headers: dict[str, str], plan_ids: list[str], wait: bool
) -> list[str]:
    """Each plan's status after the load; with `wait`, once none is queued or running
    (10 minutes at most), each asked of the servers in turn."""
    deadline = time.monotonic() + (600 if wait else 0)
    while True:
        statuses = []
        for number, plan_id in enumerate(plan_ids):
            base = bases[number % len(bases)]
            with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
                statuses.append(client.get(f"/v1/plans/{plan_id}").json()["status"])
        if not wait or time.monotonic() > deadline:
            return statuses
        if all(status not in ("queued", "running") for status in statuses):
            return statuses
        time.sleep(2)


def _attempts(db: Database, plan_ids: list[str]) -> list[int]:
    """How many times each plan's job was claimed."""
    with db.session() as session:
        jobs = {job.plan_id: job.attempts for job in session.scalars(select(models.PlanJob))}
    return [jobs.get(plan_id, 0) for plan_id in plan_ids]


def _processes_report(
    args: argparse.Namespace, statuses: list[str], attempts: list[int], killed: list[float]
) -> str:
    done = sum(status == "done" for status in statuses)
    kill = (
        f"the first worker was killed (SIGKILL, with its solver) {killed[0]:g} s into the load; "
        if killed
        else ""
    )
    return (
        f"{args.servers} `pointplan serve` processes (solving nothing) and {args.plan_workers} "
        f"`pointplan worker` processes on one database, the clients spread over the servers; "
        f"{kill}{args.plans} plans of {args.plan_time_limit:g} s asked for before the load: "
        f"**{done} of {len(statuses)} done** afterwards ({', '.join(statuses)}), claimed "
        f"{', '.join(map(str, attempts))} times (a job claimed twice ran again after its "
        "worker died, once its lease ran out)."
    )


def _report(
    args: argparse.Namespace,
    url: str,
    writes: Tally,
    reads: Tally,
    seconds: float,
    plan_before: str,
    plan_after: str,
) -> str:
    rate = writes.items / seconds
    given = make_url(url)
    database = "a SQLite file" if _backend(url) == "SQLite" else f"{_backend(url)} at {given.host}"
    db_option = f" --db {given.render_as_string(hide_password=True)}" if args.db else ""
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; "
        f"{_servers(args)} on loopback with {database}; the "
        "clients (Python, httpx, asyncio) on the same machine; the plan's solver at nice 10 "
        "(the service's own setting).",
        "",
        f"Command: `python -m benchmarks.load --seconds {args.seconds:g} --writers {args.writers} "
        f"--readers {args.readers} --batch {args.batch} --rate {args.rate:g} --read-rate "
        f"{args.read_rate:g}{db_option}{_process_options(args)}` (the writers aim at "
        f"{args.rate:g} registrations a second and the readers at {args.read_rate:g} reads a "
        f"second; {args.seed} "
        f"registrations stored first; a plan of them was {plan_before} when the load began "
        f"and {plan_after} when it ended).",
        "",
        "| calls | count | per second | p50 ms | p95 ms | p99 ms | errors |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        f"| POST /v1/registrations ({args.batch} each) | {len(writes.latencies)} | "
        f"{len(writes.latencies) / seconds:.1f} | {writes.percentile(0.5):.0f} | "
        f"{writes.percentile(0.95):.0f} | {writes.percentile(0.99):.0f} | {writes.errors} |",
        f"| GET one registration or the plan | {len(reads.latencies)} | "
        f"{len(reads.latencies) / seconds:.1f} | {reads.percentile(0.5):.1f} | "
        f"{reads.percentile(0.95):.1f} | {reads.percentile(0.99):.1f} | {reads.errors} |",
        "",
        f"Registrations accepted: {writes.items:,} in {seconds:.1f} s = **{rate:,.0f} a second**; "
        f"mean single read {1000 * statistics.fmean(reads.latencies or [0]):.1f} ms.",
    ]
    return "\n".join(lines)


def _servers(args: argparse.Namespace) -> str:
    if args.servers == 1:
        return "one `pointplan serve` (uvicorn, one process)"
    return f"{args.servers} `pointplan serve` processes (uvicorn)"


def _process_options(args: argparse.Namespace) -> str:
    """The options of several processes, as given."""
    options = []
    if args.servers != 1:
        options.append(f"--servers {args.servers}")
    if args.plan_workers:
        options.append(f"--plan-workers {args.plan_workers}")
    if args.plans != 1:
        options.append(f"--plans {args.plans}")
    if args.plan_time_limit != 600:
        options.append(f"--plan-time-limit {args.plan_time_limit:g}")
    if args.kill_worker_at is not None:
        options.append(f"--kill-worker-at {args.kill_worker_at:g}")
    return "".join(f" {option}" for option in options)


def _backend(url: str) -> str:
    name = make_url(url).get_backend_name()
    return BACKENDS.get(name, name)


if __name__ == "__main__":
    main()

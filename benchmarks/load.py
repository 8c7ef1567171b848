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
import os
import platform
import statistics
import tempfile
import time
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
from tests.api.live import free_port, serve

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
    base: str, token: str, rows: list[dict[str, str]], args: argparse.Namespace, plan_id: str
) -> tuple[Tally, Tally, float]:
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=args.writers + args.readers)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, timeout=30, limits=limits
    ) as client:
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
            *(
                _writer(
                    client,
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
                    client, paths, read_period, began + i * read_period / args.readers, stop, reads
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
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="pointplan-load-"))
    url = args.db or f"sqlite:///{folder / 'service.db'}"
    db = Database(url)
    migrate(db.engine)
    with db.session() as session:
        if session.scalar(select(func.count()).select_from(models.Registration)):
            parser.error("--db: the database holds registrations already; give an empty one")
        token = add_token(session, "load", "admin")
    db.dispose()
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
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with serve(url, port, folder / "serve.log"):
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            client.post("/v1/points", json=points).raise_for_status()
            for start in range(0, args.seed, 1000):
                client.post("/v1/registrations", json=rows[start : start + 1000]).raise_for_status()
            plan = client.post(
                "/v1/plans",
                json={"area": "15", "date_from": "2022-11-21", "date_to": "2022-11-30",
                      "time_limit": 600},
            ).json()  # fmt: skip
            if args.no_plan:  # still read by the readers, as a cancelled plan
                client.delete(f"/v1/plans/{plan['plan_id']}").raise_for_status()
            time.sleep(3)  # the plan's process starts and begins solving
            plan_status = client.get(f"/v1/plans/{plan['plan_id']}").json()["status"]
        writes, reads, seconds = asyncio.run(_load(base, token, rows, args, plan["plan_id"]))
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            plan_after = client.get(f"/v1/plans/{plan['plan_id']}").json()["status"]
    report = _report(args, url, writes, reads, seconds, plan_status, plan_after)
    print(report)
    if not args.no_write:
        backend = _backend(url)
        heading = "## Service load" if backend == "SQLite" else f"## {backend} service load"
        replace_section(heading, f"{heading}\n\n{report}\n", RESULTS)


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
        f"one `pointplan serve` (uvicorn, one process) on loopback with {database}; the "
        "clients (Python, httpx, asyncio) on the same machine; the plan's solver at nice 10 "
        "(the service's own setting).",
        "",
        f"Command: `python -m benchmarks.load --seconds {args.seconds:g} --writers {args.writers} "
        f"--readers {args.readers} --batch {args.batch} --rate {args.rate:g} --read-rate "
        f"{args.read_rate:g}{db_option}` (the writers aim at {args.rate:g} registrations a "
        f"second and the readers at {args.read_rate:g} reads a second; {args.seed} "
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


def _backend(url: str) -> str:
    name = make_url(url).get_backend_name()
    return BACKENDS.get(name, name)


if __name__ == "__main__":
    main()

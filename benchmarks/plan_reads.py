"""Reading a done plan over HTTP: GET /v1/plans/{id} (plan.json inside) and GET one trip with
its manifest, for a plan of the shipped sample week (3,000 registrations), in-process
(FastAPI's TestClient, SQLite file). Writes its section of RESULTS.md.

    python -m benchmarks.plan_reads --reads 20
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from benchmarks.results import replace_section
from pointplan.api import Settings, create_app
from pointplan.store.database import Database, migrate
from pointplan.store.tokens import add_token

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def _rows(name: str) -> list[dict[str, str]]:
    with open(SAMPLE / name, encoding="utf-8-sig", newline="") as file:
        return [{k: v for k, v in row.items() if v} for row in csv.DictReader(file)]


def _timed(client: TestClient, path: str, headers: dict[str, str], reads: int) -> list[float]:
    """Milliseconds of each of `reads` GETs of `path`."""
    times = []
    for _ in range(reads):
        began = time.perf_counter()
        client.get(path, headers=headers).raise_for_status()
        times.append(1000 * (time.perf_counter() - began))
    return times


def main() -> None:
    """Plan the sample week through the service, then time the reads."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reads", type=int, default=20, help="reads of each kind")
    parser.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    args = parser.parse_args()

    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='pointplan-reads-')) / 'service.db'}"
    db = Database(url)
    migrate(db.engine)
    with db.session() as session:
        headers = {"Authorization": f"Bearer {add_token(session, 'bench', 'admin')}"}
    db.dispose()
    points = [{**p, "lat": float(p["lat"]), "lon": float(p["lon"])} for p in _rows("points.csv")]
    registrations = _rows("registrations.csv")
    with TestClient(create_app(Settings(database_url=url))) as client:
        client.post("/v1/points", json=points, headers=headers).raise_for_status()
        client.post("/v1/registrations", json=registrations, headers=headers).raise_for_status()
        asked = {"area": "15", "date_from": "2022-11-01", "date_to": "2022-12-31", "time_limit": 5}
        plan_id = client.post("/v1/plans", json=asked, headers=headers).json()["plan_id"]
        while (plan := client.get(f"/v1/plans/{plan_id}", headers=headers).json())["status"] in (
            "queued",
            "running",
        ):
            time.sleep(1)
        assert plan["status"] == "done", plan["error"]
        plan_path = f"/v1/plans/{plan_id}"
        size = len(client.get(plan_path, headers=headers).content)
        trip_path = f"{plan_path}/trips/{plan['plan']['trips'][-1]['trip_id']}"
        first_trip = _timed(client, trip_path, headers, 1)[0]
        plans = _timed(client, plan_path, headers, args.reads)
        trips = _timed(client, trip_path, headers, args.reads)
    report = "\n".join(
        [
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}; the app in-process (TestClient, so the times include "
            "the client's own work) on a SQLite file; a done plan of the shipped sample week "
            f"({len(registrations):,} registrations, {len(plan['plan']['trips']):,} trips).",
            "",
            f"Command: `python -m benchmarks.plan_reads --reads {args.reads}`",
            "",
            "| call | reads | median ms | max ms |",
            "| --- | --- | --- | --- |",
            f"| GET /v1/plans/{{id}} ({size / 1e6:.2f} MB) | {len(plans)} | "
            f"{statistics.median(plans):.1f} | {max(plans):.1f} |",
            f"| GET /v1/plans/{{id}}/trips/{{trip_id}}, first read of the plan | 1 | "
            f"{first_trip:.1f} | {first_trip:.1f} |",
            f"| GET /v1/plans/{{id}}/trips/{{trip_id}}, again | {len(trips)} | "
            f"{statistics.median(trips):.1f} | {max(trips):.1f} |",
        ]
    )
    print(report)
    if not args.no_write:
        replace_section("## Reading a done plan", f"## Reading a done plan\n\n{report}\n")


if __name__ == "__main__":
    main()

"""Human resources' calls over HTTP on synthetic weeks: the ledger, the coordination lists,
the warnings' evaluation, a county's report and the league's and the region's combined,
in-process (FastAPI's TestClient, SQLite file). Every call of a size runs in one process,
one after another, so the sizes compare side by side: the first round (the first read
makes the service's job matching) and the median of the rounds after it (the matching
kept). Writes its section of RESULTS.md.

    python -m benchmarks.hr_calls --sizes 3000 20000 --reads 3
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from benchmarks.results import replace_section
from pointplan.api import Settings, create_app
from pointplan.store.database import Database, migrate
from pointplan.store.tokens import add_token
from pointplan.synthetic import make_jobs, make_week

WEEK = "2022-11-21"
COUNTY, LEAGUE = "150203", "1502"  # 昆都仑区 of 包头市
CALLS = (
    ("GET /v1/hr/ledger (a league)", "get", "/v1/hr/ledger", "league"),
    ("GET /v1/hr/coordination (the region)", "get", "/v1/hr/coordination", "region"),
    ("POST /v1/hr/warnings/evaluate (the region)", "post", "/v1/hr/warnings/evaluate", "region"),
    ("GET a county's report (from the data)", "get", f"/v1/hr/reports/{WEEK}/{COUNTY}", "county"),
    ("GET the league's report (combined)", "get", f"/v1/hr/reports/{WEEK}/{LEAGUE}", "league"),
    ("GET the region's report (combined)", "get", f"/v1/hr/reports/{WEEK}/15", "region"),
)


def _records(frame: Any) -> list[dict[str, Any]]:
    """A table's rows as API items (empty cells left out)."""
    return [
        {k: v for k, v in row.items() if v not in ("", None)}
        for row in frame.astype(object).where(frame.notna(), None).to_dict("records")
    ]


def _timed(size: int, reads: int) -> tuple[dict[str, list[float]], int]:
    """Seconds of each call, `reads` times, on a synthetic week of `size` registrations and
    the synthetic jobs file; and the postings stored."""
    url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='pointplan-hr-')) / 'service.db'}"
    db = Database(url)
    migrate(db.engine)
    with db.session() as session:
        tokens = {
            "admin": add_token(session, "bench", "admin"),
            "region": add_token(session, "region", "hr", "15"),
            "league": add_token(session, "league", "hr", LEAGUE),
            "county": add_token(session, "county", "hr", COUNTY),
        }
    db.dispose()
    week = make_week(size, seed=1)
    postings = make_jobs(seed=1).to_dict("records")
    times: dict[str, list[float]] = {name: [] for name, *_ in CALLS}
    with TestClient(create_app(Settings(database_url=url, validation_processes=0))) as client:
        admin = {"Authorization": f"Bearer {tokens['admin']}"}
        points = [
            {**p, "lat": float(p["lat"]), "lon": float(p["lon"])} for p in _records(week.points)
        ]
        client.post("/v1/points", json=points, headers=admin).raise_for_status()
        items = _records(week.registrations.astype(object))
        for start in range(0, len(items), 5000):
            saved = client.post(
                "/v1/registrations", json=items[start : start + 5000], headers=admin
            )
            saved.raise_for_status()
            assert not saved.json()["rejected"], saved.json()["rejected"][:3]
        client.post("/v1/hr/jobs", json=postings, headers=admin).raise_for_status()
        for _ in range(reads):
            for name, method, path, who in CALLS:
                headers = {"Authorization": f"Bearer {tokens[who]}"}
                body = {"json": {"week_start": WEEK}} if method == "post" else {}
                began = time.perf_counter()
                getattr(client, method)(path, headers=headers, **body).raise_for_status()
                times[name].append(time.perf_counter() - began)
    return times, len(postings)


def main() -> None:
    """Time the calls at each size and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3000, 20000])
    parser.add_argument("--reads", type=int, default=3, help="times each call is made")
    parser.add_argument("--no-write", action="store_true", help="print, do not touch RESULTS.md")
    args = parser.parse_args()
    results = {size: _timed(size, args.reads) for size in args.sizes}
    sizes = " ".join(str(s) for s in args.sizes)
    postings = next(iter(results.values()))[1]
    header = " | ".join(f"{size:,}: first s | {size:,}: then, median s" for size in args.sizes)
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; the app in-process (TestClient) on a SQLite file; "
        f"synthetic weeks (`make_week(size, seed=1)`) and the synthetic jobs file ({postings} "
        f"postings); each call made {args.reads} times, one after another.",
        "",
        f"Command: `python -m benchmarks.hr_calls --sizes {sizes} --reads {args.reads}`",
        "",
        f"| call | {header} | ratio of the first rounds |",
        "| --- | " + " | ".join("--- | ---" for _ in args.sizes) + " | --- |",
    ]
    for name, *_ in CALLS:
        firsts = [results[size][0][name][0] for size in args.sizes]
        later = [statistics.median(results[size][0][name][1:] or [0.0]) for size in args.sizes]
        ratio = firsts[-1] / firsts[0] if firsts[0] else float("nan")
        cells = " | ".join(f"{f:.2f} | {t:.2f}" for f, t in zip(firsts, later, strict=True))
        lines.append(f"| {name} | {cells} | {ratio:.1f} |")
    report = "\n".join(lines)
    print(report)
    if not args.no_write:
        heading = "## Human resources' calls"
        replace_section(heading, f"{heading}\n\n{report}\n")


if __name__ == "__main__":
    main()

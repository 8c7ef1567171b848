"""Network benchmark (issue 14): plans measured as a transport department looks at them.

For the shipped sample week (its own fleet and policy, as the README's main command plans it)
and synthetic weeks (default fleet and policy), each plan's figures: vehicles, people per
trip over all trips and over trips longer than 300 km, trips carrying one or two people and
the share of the km they drive, vehicle-km and cost per person served, solve seconds, and
rule violations (the independent checker). Today every plan is direct-only: these rows are
the baseline the network plans (hubs, transfers, rail; issue 14) will be set beside, in the
same run, when they exist.

    python -m benchmarks.network --sizes 5000 20000 100000 --time-limit 60
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import time
from pathlib import Path
from typing import Any

from benchmarks.results import replace_section
from benchmarks.scale import week_problem
from pointplan.builder import build_problem
from pointplan.domain.plan import Plan
from pointplan.io import load_fleet, load_policy, read_points
from pointplan.problem import Problem
from pointplan.solve import solve

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
LONG_KM = 300.0
"""Trips longer than this are the long-distance runs whose load the issue's target is on."""


def sample_problem() -> Problem:
    """The shipped sample week with its own fleet, policy and points."""
    return build_problem(
        SAMPLE / "registrations.csv",
        points=read_points(SAMPLE / "points.csv"),
        fleet=load_fleet(SAMPLE / "fleet.yaml"),
        policy=load_policy(SAMPLE / "policy.yaml"),
    )


def figures(plan: Plan) -> dict[str, Any]:
    """What a department looks at in a plan (see the module's description)."""
    trips = plan.trips
    people = sum(t.passengers for t in trips)
    long = [t for t in trips if t.distance_km > LONG_KM]
    small = [t for t in trips if t.passengers <= 2]
    km = sum(t.distance_km for t in trips)
    return {
        "vehicles": len(trips),
        "people": people,
        "per_trip": round(people / max(1, len(trips)), 1),
        "long_trips": len(long),
        "per_long_trip": round(sum(t.passengers for t in long) / max(1, len(long)), 1),
        "small_trips": len(small),
        "small_km_share": round(sum(t.distance_km for t in small) / max(1.0, km), 3),
        "km_per_person": round(km / max(1, people), 1),
        "cost_per_person": round(sum(t.cost for t in trips) / max(1, people), 1),
    }


def run(name: str, problem: Problem, time_limit: float, seed: int) -> dict[str, Any]:
    """Plan one input direct-only, check it and measure it."""
    from tests.checker import check_plan

    started = time.perf_counter()
    plan = solve(problem, seed=seed, time_limit=time_limit)
    seconds = time.perf_counter() - started
    violations = check_plan(
        json.loads(plan.to_json()), problem.registrations, problem.fleet, problem.policy
    )
    row = {"input": name, "plan": "direct only", **figures(plan)}
    row |= {"solve_s": round(seconds, 1), "violations": len(violations)}
    print(json.dumps(row), flush=True)
    return row


def _table(rows: list[dict[str, Any]], command: str) -> str:
    lines = [
        "## Networks: direct-only plans measured as a department reads them",
        "",
        f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, 2 cores, Python "
        f"{platform.python_version()}. Date: {dt.date.today()}.",
        f"Command: `{command}` (benchmarks/network.py describes the figures).",
        "",
        "| input | plan | vehicles | people | people a trip | trips > 300 km | people a trip "
        "> 300 km | trips of 1-2 people | their share of km | km a person | cost a person "
        "| solve s | rule violations |",
        "|" + " --- |" * 13,
    ]
    for r in rows:
        lines.append(
            f"| {r['input']} | {r['plan']} | {r['vehicles']:,} | {r['people']:,} | "
            f"{r['per_trip']} | {r['long_trips']:,} | {r['per_long_trip']} | "
            f"{r['small_trips']:,} | {r['small_km_share']:.0%} | {r['km_per_person']} | "
            f"{r['cost_per_person']:,} | {r['solve_s']} | {r['violations']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the inputs and write the section of RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000, 100000])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args()
    rows = [run("sample week", sample_problem(), args.time_limit, args.seed)]
    for size in args.sizes:
        rows.append(
            run(f"{size:,} week", week_problem(size, args.seed), args.time_limit, args.seed)
        )
    sizes = " ".join(str(s) for s in args.sizes)
    command = (
        f"python -m benchmarks.network --sizes {sizes} --time-limit {args.time_limit:g} "
        f"--seed {args.seed}"
    )
    replace_section("## Networks: direct-only", _table(rows, command))


if __name__ == "__main__":
    main()

"""Scale benchmark: synthetic Inner Mongolia weeks of growing size, both planners side by side.

Each (size, planner) runs in a fresh process so that peak memory is its own. Every plan is
checked by the independent checker of the tests (tests/checker.py); a run whose plan breaks a
rule is reported as such. Results go to benchmarks/RESULTS.md (the scale section) and to
stdout.

    python -m benchmarks.scale --sizes 1000 5000 20000 --time-limit 60
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.results import replace_section
from pointplan.builder import build_problem
from pointplan.io import read_points
from pointplan.problem import Problem
from pointplan.synthetic import make_week

ROOT = Path(__file__).resolve().parent.parent


def week_problem(size: int, seed: int) -> Problem:
    """The synthetic week of `size` registrations, default fleet and policy."""
    week = make_week(size, seed=seed)
    return build_problem(week.registrations, points=read_points(week.points))


def run_one(size: int, solver: str, time_limit: float, seed: int) -> dict[str, object]:
    """Generate, solve and check one week in this process; return its figures."""
    from pointplan.solve import solve
    from tests.checker import check_plan

    problem = week_problem(size, seed)
    policy = problem.policy
    started = time.perf_counter()
    plan = solve(problem, solver=solver, seed=seed, time_limit=time_limit)
    wall = time.perf_counter() - started
    violations = check_plan(
        json.loads(plan.to_json()), problem.registrations, problem.fleet, policy
    )
    s = plan.summary
    return {
        "size": size,
        "solver": solver,
        "people": s.passengers,
        "served": s.served_passengers,
        "vehicles": s.vehicles,
        "lower_bound": s.vehicles_lower_bound,
        "stops": s.stops,
        "km": s.distance_km,
        "solve_s": round(wall, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        # Parts are searched in forked worker processes; this is the largest one's peak.
        "worker_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "violations": len(violations),
    }


def main() -> None:
    """Run every size with both planners and write the results table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--solvers", nargs="+", default=["greedy", "consolidate"])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--one", nargs=2, metavar=("SIZE", "SOLVER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(int(args.one[0]), args.one[1], args.time_limit, args.seed)))
        return
    rows = []
    for size in args.sizes:
        for solver in args.solvers:
            out = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.scale",
                    "--one",
                    str(size),
                    solver,
                    "--time-limit",
                    str(args.time_limit),
                    "--seed",
                    str(args.seed),
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            row = json.loads(out.stdout.strip().splitlines()[-1])
            print(row, flush=True)
            rows.append(row)
    write_results(rows, args)


def write_results(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    """Replace the scale section of RESULTS.md with these rows."""
    lines = [
        "## Scale: synthetic Inner Mongolia weeks",
        "",
        f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"{_cores()} cores, Python {platform.python_version()}. "
        f"Date: {time.strftime('%Y-%m-%d')}.",
        f"Command: `python -m benchmarks.scale --sizes {' '.join(map(str, args.sizes))} "
        f"--time-limit {args.time_limit:g} --seed {args.seed}` (default fleet, default policy).",
        "",
        "| registrations | planner | people | served | vehicles | lower bound | gap | stops "
        "| km | solve s | peak MB (main / largest worker) | rule violations |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        gap = (int(r["vehicles"]) / int(r["lower_bound"]) - 1) * 100 if r["lower_bound"] else 0
        lines.append(
            f"| {r['size']:,} | {r['solver']} | {r['people']:,} | {r['served']:,} "
            f"| {r['vehicles']:,} | {r['lower_bound']:,} | {gap:.1f}% | {r['stops']:,} "
            f"| {float(r['km']):,.0f} | {r['solve_s']} "
            f"| {r['peak_mb']:,} / {r.get('worker_peak_mb', 0):,} | {r['violations']} |"
        )
    replace_section("## Scale:", "\n".join(lines) + "\n")


def _cores() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    main()

"""Daily-limits benchmark: the sample week, direct only, with its fleet's daily counts and
without them, side by side.

The sample fleet (sample_data/fleet.yaml) has a count of vehicles a day for every type. The
part search (the routing component, the exact model) runs under those counts too: a part's
searched plan replaces the sweep's only where the counts leave room for it. The benchmark
plans the shipped week with the sample policy but `transfers: false` twice, once with the
counts and once with the same fleet unlimited, and reports vehicles against each plan's own
proven bound, the busiest (type, day) against its count, and the checker's violations.

    python -m benchmarks.daily_limits --time-limit 60
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from benchmarks.results import machine_line, replace_section
from pointplan.builder import build_problem
from pointplan.domain.fleet import Fleet
from pointplan.io import load_fleet, load_policy, read_points
from pointplan.solve import solve
from pointplan.solvers.fleet_use import on_the_road

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


def run(limited: bool, time_limit: float) -> dict[str, object]:
    """Plan the sample week direct only, with the fleet's counts or without them."""
    from tests.checker import check_plan

    fleet = load_fleet(SAMPLE / "fleet.yaml")
    if not limited:
        fleet = Fleet(
            vehicle_types=tuple(vt.model_copy(update={"count": None}) for vt in fleet.vehicle_types)
        )
    policy = load_policy(SAMPLE / "policy.yaml").model_copy(update={"transfers": False})
    problem = build_problem(
        SAMPLE / "registrations.csv",
        points=read_points(SAMPLE / "points.csv"),
        fleet=fleet,
        policy=policy,
    )
    started = time.perf_counter()
    plan = solve(problem, time_limit=time_limit)
    seconds = time.perf_counter() - started
    busy = on_the_road(plan.trips)
    counts = {vt.name: vt.count for vt in fleet.vehicle_types}
    busiest = max(busy, key=lambda key: (busy[key] / (counts[key[0]] or 10**9), str(key)))
    s = plan.summary
    return {
        "fleet": "daily counts" if limited else "unlimited",
        "vehicles": s.vehicles,
        "bound": s.vehicles_lower_bound,
        "gap": s.vehicles / s.vehicles_lower_bound - 1,
        "stops": s.stops,
        "km": s.distance_km,
        "busiest": f"{busiest[0]} on {busiest[1]}: {busy[busiest]} of "
        f"{counts[busiest[0]] if counts[busiest[0]] is not None else 'unlimited'}",
        "seconds": round(seconds, 1),
        "violations": len(
            check_plan(json.loads(plan.to_json()), problem.registrations, fleet, policy)
        ),
    }


def main() -> None:
    """Run both and write the daily-limits section of RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    rows = [run(True, args.time_limit), run(False, args.time_limit)]
    lines = [
        "## Daily limits: the sample week under its fleet's daily counts",
        "",
        machine_line(),
        f"Command: `python -m benchmarks.daily_limits --time-limit {args.time_limit:g}` (the "
        "shipped week, the sample policy with `transfers: false`, the sample fleet with its "
        "counts and the same fleet unlimited).",
        "",
        "| fleet | vehicles | proven bound | gap | stops | km | busiest type and day "
        "| solve s | rule violations |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        print(r, flush=True)
        lines.append(
            f"| {r['fleet']} | {r['vehicles']:,} | {r['bound']:,} | {float(r['gap']):.2%} "  # type: ignore[arg-type]
            f"| {r['stops']:,} | {float(r['km']):,.1f} | {r['busiest']} | {r['seconds']} "  # type: ignore[arg-type]
            f"| {r['violations']} |"
        )
    replace_section("## Daily limits:", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

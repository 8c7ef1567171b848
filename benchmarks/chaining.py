"""Depots and chaining benchmark: one plan's trips run by the buses of depots, with chaining
(a bus that takes workers out brings others back) and without (every bus home after every
trip), side by side.

Each week is planned once (direct only, the sample fleet's types with no daily counts, so
that the trips are the same for both), then its trips are given buses of one depot per league
or city seat (each with as many buses as it needs: the fleet-sizing answer) twice, once with
`chain_trips` and once without. Reported: trips (vehicle-days), buses, empty km, the most
buses away on one day, the seconds of the bus stage, and the checker's violations (every
bus's chain checked).

    python -m benchmarks.chaining --size 20000 --time-limit 20
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.results import machine_line, replace_section
from pointplan.builder import build_problem
from pointplan.buses import with_buses
from pointplan.domain.fleet import Depot, Fleet
from pointplan.geo.gazetteer import default_gazetteer
from pointplan.io import load_fleet, load_policy, read_points
from pointplan.problem import Problem
from pointplan.solve import solve
from pointplan.synthetic import make_week

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"


def league_depots(fleet: Fleet) -> tuple[Depot, ...]:
    """One depot at each league or city seat of Inner Mongolia, running every road type with
    as many buses as the plan needs."""
    gaz = default_gazetteer()
    seats = sorted(
        (u for u in gaz.by_code.values() if u.code[:2] == "15" and u.level == 2),
        key=lambda u: u.code,
    )
    road = {vt.name: None for vt in fleet.vehicle_types if not vt.is_rail}
    return tuple(
        Depot(depot_id=f"D{u.code[:4]}", name=u.name, lat=u.lat, lon=u.lon, buses=dict(road))
        for u in seats
    )


def week(size: int | None) -> tuple[Problem, str]:
    """The shipped sample week (size None) or a synthetic week, direct only, no counts."""
    sample_fleet = load_fleet(SAMPLE / "fleet.yaml")
    road = tuple(
        vt.model_copy(update={"count": None}) for vt in sample_fleet.vehicle_types if not vt.is_rail
    )
    fleet = Fleet(vehicle_types=road)
    policy = load_policy(SAMPLE / "policy.yaml").model_copy(update={"transfers": False})
    if size is None:
        source, points, label = SAMPLE / "registrations.csv", SAMPLE / "points.csv", "sample week"
        problem = build_problem(source, points=read_points(points), fleet=fleet, policy=policy)
        return problem, label
    made = make_week(size, seed=2)
    problem = build_problem(
        made.registrations, points=read_points(made.points), fleet=fleet, policy=policy
    )
    return problem, f"synthetic {size:,} (seed 2)"


def run(size: int | None, time_limit: float) -> list[dict[str, object]]:
    """Plan one week, then give it buses with and without chaining; the two rows."""
    from tests.checker import check_plan

    problem, label = week(size)
    plan = solve(problem, time_limit=time_limit)
    with_depots = Fleet(
        vehicle_types=problem.fleet.vehicle_types, depots=league_depots(problem.fleet)
    )
    rows: list[dict[str, object]] = []
    for chain in (True, False):
        policy = problem.policy.model_copy(update={"chain_trips": chain})
        chained = replace(problem, fleet=with_depots, policy=policy)
        started = time.perf_counter()
        bused = with_buses(chained, plan)
        seconds = time.perf_counter() - started
        days = {day for need in bused.fleet_sizing for day in need.by_date}
        peak = max(
            (sum(n.by_date.get(day, 0) for n in bused.fleet_sizing) for day in days), default=0
        )
        violations = check_plan(
            json.loads(bused.to_json()), problem.registrations, with_depots, policy,
            rejected_rows=len(problem.rejected),
        )  # fmt: skip
        rows.append(
            {
                "week": label,
                "chaining": "yes" if chain else "no",
                "trips": bused.summary.vehicles,
                "buses": bused.summary.buses,
                "empty_km": bused.summary.empty_km,
                "peak": peak,
                "cost": bused.summary.cost,
                "seconds": round(seconds, 1),
                "violations": len(violations),
            }
        )
        print(rows[-1], violations[:3], flush=True)
    return rows


def main() -> None:
    """Run the sample week and a synthetic one; write the section of RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=20000, help="synthetic week's registrations")
    parser.add_argument("--time-limit", type=float, default=20.0)
    args = parser.parse_args()
    rows = run(None, args.time_limit) + run(args.size, args.time_limit)
    lines = [
        "## Depots and chaining: buses with and without chaining",
        "",
        machine_line(),
        f"Command: `python -m benchmarks.chaining --size {args.size} --time-limit "
        f"{args.time_limit:g}` (direct only, the sample fleet's road types without daily "
        "counts; one depot per league or city seat with as many buses as needed; the same "
        "trips given buses with `chain_trips` true and false).",
        "",
        "| week | chaining | trips (vehicle-days) | buses | empty km | most buses away on a day "
        "| cost | bus stage s | violations |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['week']} | {r['chaining']} | {r['trips']:,} | {r['buses']:,} "
            f"| {float(r['empty_km']):,.1f} | {r['peak']:,} | {float(r['cost']):,.0f} "  # type: ignore[arg-type]
            f"| {r['seconds']} | {r['violations']} |"
        )
    replace_section("## Depots and chaining:", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

"""Network benchmark (issue 14): plans measured as a transport department looks at them.

For the shipped sample week (its own fleet and policy, as the README's main command plans
it) and synthetic weeks (default fleet and policy), the plans of the same input in one run:
the direct-only plan, the plan with `transfers: true` (hubs; docs/networks.md) and, with
`--rail-cars N` (40 by default; 0 for none), the plan with transfers and `rail: true` on the
fleet with N rail cars a day, each with the same time limit. Each plan's figures: vehicles
(trips, legs included), people per trip over all trips and over trips longer than 300 km,
trips carrying one or two people and the share of the km they drive, vehicle-km and cost per
person served (a person riding three legs is one person), rail cars, trains and people by
rail, solve seconds, and rule violations (the independent checker, itineraries included).
Beside them, for each input, `flow_bound`: the people a trip over 300 km would carry on
average if each league's flow to each city (and back) of over 300 km rode together on as few
days as the windows allow (interval stabbing), in vehicles of the largest capacity: an
estimate of what gathering at league hubs could reach, not a proof.

    python -m benchmarks.network --sizes 5000 20000 100000 --time-limit 60

With `--suggest-days N` it measures date guidance instead (section "Networks: date
suggestions"): for each input, the plan with transfers and `date_suggestion_days: N`, its
groups and the people staff would ask, and the plan if every group agreed
(`pointplan.suggestions.plan_if_agreed`), checked, with the figures above.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.results import machine_line, replace_section
from benchmarks.scale import week_problem
from pointplan.builder import build_problem
from pointplan.domain.fleet import Fleet
from pointplan.domain.plan import Plan
from pointplan.io import load_fleet, load_policy, read_points
from pointplan.problem import Problem
from pointplan.solve import solve
from pointplan.solvers.seating import with_capacities

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
    people = plan.summary.served_passengers
    long = [t for t in trips if t.distance_km > LONG_KM]
    small = [t for t in trips if t.passengers <= 2]
    rail = [t for t in trips if t.mode == "rail"]
    km = sum(t.distance_km for t in trips)
    return {
        "vehicles": len(trips),
        "people": people,
        "per_trip": round(sum(t.passengers for t in trips) / max(1, len(trips)), 1),
        "long_trips": len(long),
        "per_long_trip": round(sum(t.passengers for t in long) / max(1, len(long)), 1),
        "small_trips": len(small),
        "small_km_share": round(sum(t.distance_km for t in small) / max(1.0, km), 3),
        "km_per_person": round(km / max(1, people), 1),
        "cost_per_person": round(sum(t.cost for t in trips) / max(1, people), 1),
        "rail_cars": len(rail),
        "trains": len({t.train for t in rail}),
        "rail_people": sum(t.passengers for t in rail),
    }


def flow_bound(problem: Problem) -> float:
    """People a trip over `LONG_KM` would carry on average with each league-to-city flow
    gathered on as few days as the windows allow (see the module)."""
    flows: dict[tuple[str, str, str], list[tuple[dt.date, dt.date, int]]] = {}
    for r in problem.registrations:
        if problem.distances.road_km(r.pickup, r.dropoff) > LONG_KM:
            ends = (
                (r.pickup.adcode or r.pickup.label)[:4],
                (r.dropoff.adcode or r.dropoff.label)[:4],
            )
            flows.setdefault((r.direction.value, *ends), []).append(
                (r.earliest_date, r.latest_date, r.party_size)
            )
    largest = max(problem.capacity(vt).effective for vt in problem.available_types)
    people = trips = 0
    for windows in flows.values():
        days: list[list[Any]] = []  # a departure day and its people, fewest days first
        for first, last, size in sorted(windows, key=lambda w: w[1]):
            if not days or first > days[-1][0]:
                days.append([last, 0])
            days[-1][1] += size
        people += sum(n for _, n in days)
        trips += sum(-(-n // largest) for _, n in days)
    return round(people / max(1, trips), 1)


def with_rail_cars(fleet: Fleet, cars: int) -> Fleet:
    """The fleet with `cars` of each rail car type a day."""
    types = tuple(
        vt.model_copy(update={"count": cars}) if vt.is_rail else vt for vt in fleet.vehicle_types
    )
    return fleet.model_copy(update={"vehicle_types": types})


def run(
    name: str, problem: Problem, time_limit: float, seed: int, rail_cars: int = 0
) -> list[dict[str, Any]]:
    """Plan one input direct-only, with transfers and, given `rail_cars` a day, with
    transfers and rail; check each and measure them."""
    from tests.checker import check_plan

    problem = with_capacities(problem)
    bound = flow_bound(problem)
    variants = [
        ("direct only", {"transfers": False}, problem.fleet),
        ("transfers", {"transfers": True}, problem.fleet),
    ]
    if rail_cars:
        rail_fleet = with_rail_cars(problem.fleet, rail_cars)
        variants.append(("transfers + rail", {"transfers": True, "rail": True}, rail_fleet))
    rows = []
    for label, keys, fleet in variants:
        policy = problem.policy.model_copy(update=keys)
        started = time.perf_counter()
        plan = solve(replace(problem, policy=policy, fleet=fleet), seed=seed, time_limit=time_limit)
        seconds = time.perf_counter() - started
        violations = check_plan(json.loads(plan.to_json()), problem.registrations, fleet, policy)
        row = {"input": name, "plan": label, **figures(plan), "flow_bound": bound}
        row |= {"solve_s": round(seconds, 1), "violations": len(violations)}
        row["legs"] = plan.summary.legs
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def suggested(
    name: str, problem: Problem, time_limit: float, seed: int, days: int
) -> dict[str, Any]:
    """Plan one input with transfers and date suggestions; measure the plan if all agreed."""
    from pointplan.suggestions import plan_if_agreed
    from tests.checker import check_plan

    problem = with_capacities(problem)
    policy = problem.policy.model_copy(update={"transfers": True, "date_suggestion_days": days})
    asked = replace(problem, policy=policy)
    plan = solve(asked, seed=seed, time_limit=time_limit)
    agreed = plan_if_agreed(asked, plan)
    dates = {s.registration_id: s.move_to for s in plan.date_suggestions}
    moved = tuple(
        r.model_copy(update={"earliest_date": dates[r.registration_id],
                             "latest_date": dates[r.registration_id]})
        if r.registration_id in dates else r
        for r in problem.registrations
    )  # fmt: skip
    violations = check_plan(json.loads(agreed.to_json()), moved, problem.fleet, policy)
    sizes = {r.registration_id: r.party_size for r in problem.registrations}
    row = {
        "input": name,
        "days": days,
        "groups": len({s.group for s in plan.date_suggestions}),
        "asked": len(dates),
        "people_asked": sum(sizes[rid] for rid in dates),
        "before": figures(plan),
        "agreed": figures(agreed),
        "violations": len(violations),
    }
    print(json.dumps(row), flush=True)
    return row


def _suggestion_table(rows: list[dict[str, Any]], command: str) -> str:
    lines = [
        "## Networks: date suggestions, and the plan if everyone asked agreed",
        "",
        machine_line(),
        f"Command: `{command}` (benchmarks/network.py describes the figures). Plans with "
        "transfers; the groups are of direct trips only.",
        "",
        "| input | days asked | groups (vehicles saved) | registrations asked | people asked "
        "| vehicles | if agreed | people a trip > 300 km | if agreed | cost a person | if "
        "agreed | rule violations if agreed |",
        "|" + " --- |" * 12,
    ]
    for r in rows:
        b, a = r["before"], r["agreed"]
        lines.append(
            f"| {r['input']} | ±{r['days']} | {r['groups']:,} | {r['asked']:,} | "
            f"{r['people_asked']:,} | {b['vehicles']:,} | {a['vehicles']:,} | "
            f"{b['per_long_trip']} | {a['per_long_trip']} | {b['cost_per_person']:,} | "
            f"{a['cost_per_person']:,} | {r['violations']} |"
        )
    return "\n".join(lines) + "\n"


def _table(rows: list[dict[str, Any]], command: str) -> str:
    lines = [
        "## Networks: direct-only and transfer plans side by side",
        "",
        machine_line(),
        f"Command: `{command}` (benchmarks/network.py describes the figures). The two plans of "
        "an input are made one after the other in one run.",
        "",
        "| input | plan | vehicles | of which legs | people | people a trip | trips > 300 km "
        "| people a trip > 300 km | flow bound > 300 km | trips of 1-2 people | their share of "
        "km | km a person | cost a person | against direct | rail cars (trains) | people by "
        "rail | solve s | rule violations |",
        "|" + " --- |" * 18,
    ]
    direct: dict[str, float] = {}
    for r in rows:
        if r["plan"] == "direct only":
            direct[r["input"]] = r["cost_per_person"]
        ratio = r["cost_per_person"] / direct[r["input"]] - 1 if direct.get(r["input"]) else 0.0
        lines.append(
            f"| {r['input']} | {r['plan']} | {r['vehicles']:,} | {r['legs']:,} | "
            f"{r['people']:,} | {r['per_trip']} | {r['long_trips']:,} | {r['per_long_trip']} | "
            f"{r['flow_bound']} | {r['small_trips']:,} | {r['small_km_share']:.0%} | "
            f"{r['km_per_person']} | {r['cost_per_person']:,} | {ratio:+.1%} | "
            f"{r['rail_cars']:,} ({r['trains']:,}) | {r['rail_people']:,} | "
            f"{r['solve_s']} | {r['violations']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the inputs and write the section of RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000, 100000])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--suggest-days", type=int, default=0)
    parser.add_argument(
        "--rail-cars",
        type=int,
        default=40,
        help="rail cars a day for a third plan, with transfers and rail (0: none)",
    )
    args = parser.parse_args()
    sizes = " ".join(str(s) for s in args.sizes)
    if args.suggest_days:
        found = [suggested("sample week", sample_problem(), args.time_limit, args.seed,
                           args.suggest_days)]  # fmt: skip
        for size in args.sizes:
            week = week_problem(size, args.seed)
            found.append(
                suggested(f"{size:,} week", week, args.time_limit, args.seed, args.suggest_days)
            )
        command = (
            f"python -m benchmarks.network --sizes {sizes} --time-limit {args.time_limit:g} "
            f"--seed {args.seed} --suggest-days {args.suggest_days}"
        )
        replace_section("## Networks: date suggestions", _suggestion_table(found, command))
        return
    rows = run("sample week", sample_problem(), args.time_limit, args.seed, args.rail_cars)
    for size in args.sizes:
        week = week_problem(size, args.seed)
        rows += run(f"{size:,} week", week, args.time_limit, args.seed, args.rail_cars)
    command = (
        f"python -m benchmarks.network --sizes {sizes} --time-limit {args.time_limit:g} "
        f"--seed {args.seed} --rail-cars {args.rail_cars}"
    )
    replace_section("## Networks: direct-only", _table(rows, command))


if __name__ == "__main__":
    main()

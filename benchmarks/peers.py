"""Peer benchmark: pointplan beside VROOM (pyvroom) and PyVRP on the class they model exactly.

The class: return to work only, one fixed date per registration, one drop-off point per
group, one vehicle type, no stop limit or radius, straight-line distances. The instance is a
synthetic week (`pointplan.synthetic.make_week`) made to fit: return-home registrations are
turned round, each registration keeps its earliest date, the vehicle is the 53-seat coach
(effective capacity 22 under the default seat rules).

Registrations with different drop-off points or dates can never share a vehicle, so every
solver gets the same groups, one routing problem per (drop-off, date). The peers get each
group as they model it best: a job (VROOM) or client (PyVRP) per registration with its
party size as pickup amount, vehicles that start anywhere and end at the drop-off, distances
in metres rounded from the same distance model. VROOM minimises a large fixed cost per
vehicle plus metres; PyVRP is given the bin-packing number of vehicles, one more each time
that proves infeasible (how a PyVRP user finds the fewest vehicles), and pointplan's wall
time spread over the groups by size. Each solver runs in a fresh process; wall time covers
everything after the instance is read (matrices, search, turning routes into a plan).

With `--large-groups` every destination city has one site (one drop-off point, the first
of its points in a fixed order), so the groups are large routing problems: the routing
component meets the peers where routing, not grouping, decides the plan.

    python -m benchmarks.peers --size 5000 --seed 2
    python -m benchmarks.peers --size 5000 --seed 2 --large-groups
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import platform
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from benchmarks.results import replace_section
from pointplan.builder import build_problem
from pointplan.domain import Policy
from pointplan.domain.fleet import Fleet
from pointplan.domain.places import Place
from pointplan.domain.registration import Direction, Registration
from pointplan.geo.distances import GeodesicDistances, road_metres
from pointplan.io import read_points
from pointplan.io.config import default_fleet
from pointplan.problem import Problem
from pointplan.solvers.decision import place_key
from pointplan.synthetic import make_week

ROOT = Path(__file__).resolve().parent.parent
VEHICLE = "coach-53"
PEER_POLICY = Policy(
    max_pickups=1_000_000,
    max_dropoffs=1,
    pickup_radius_km=40_000,  # more than any distance on Earth: no radius
    dropoff_radius_km=0,
    road_factor=1.0,  # straight-line distances
    driving_rules=False,
)
Route = list[Registration]


def peer_problem(size: int, seed: int, large_groups: bool = False) -> Problem:
    """The peer-class instance made from the synthetic week of `size` and `seed` (with
    `large_groups`, one drop-off point per destination city)."""
    week = make_week(size, seed=seed)
    points = read_points(week.points)
    built = build_problem(week.registrations, points=points, policy=Policy())
    registrations = []
    for r in built.registrations:
        update: dict[str, object] = {"latest_date": r.earliest_date}
        if r.direction is Direction.RETURN_HOME:
            update |= {
                "direction": Direction.RETURN_TO_WORK,
                "pickup": r.dropoff,
                "dropoff": r.pickup,
                "pickup_point_id": r.dropoff_point_id,
                "dropoff_point_id": r.pickup_point_id,
            }
        registrations.append(r.model_copy(update=update))
    if large_groups:
        registrations = _one_site_per_city(registrations)
    vehicle = default_fleet().by_name(VEHICLE).model_copy(update={"count": None})
    return build_problem(
        tuple(registrations),
        points=points,
        fleet=Fleet(vehicle_types=(vehicle,)),
        policy=PEER_POLICY,
        distances=GeodesicDistances(road_factor=1.0),
    )


def _one_site_per_city(registrations: list[Registration]) -> list[Registration]:
    """The registrations with every drop-off moved to its city's site: the first drop-off
    point of that city (by its key) stands for all of them."""

    def city(r: Registration) -> str:
        return (r.dropoff.adcode or r.dropoff.label)[:4]

    site: dict[str, Registration] = {}
    for r in sorted(registrations, key=lambda r: str(place_key(r.dropoff))):
        site.setdefault(city(r), r)
    return [
        r.model_copy(
            update={
                "dropoff": site[city(r)].dropoff,
                "dropoff_point_id": site[city(r)].dropoff_point_id,
            }
        )
        for r in registrations
    ]


def groups(problem: Problem) -> list[list[Registration]]:
    """Registrations by (drop-off, date), in a fixed order."""
    by_key: dict[object, list[Registration]] = defaultdict(list)
    for r in problem.registrations:
        by_key[place_key(r.dropoff), r.earliest_date].append(r)
    return [by_key[key] for key in sorted(by_key, key=str)]


def _metres(problem: Problem, places: Sequence[Place]) -> list[list[int]]:
    return road_metres(problem.distances, places)


def _capacity(problem: Problem) -> int:
    return problem.capacity(problem.fleet.vehicle_types[0]).effective


def run_vroom(problem: Problem) -> list[Route]:
    """VROOM on every group: jobs with pickup amounts, vehicles ending at the drop-off."""
    import vroom

    capacity = _capacity(problem)
    routes: list[Route] = []
    for group in groups(problem):
        matrix = _metres(problem, [group[0].dropoff] + [r.pickup for r in group])
        model = vroom.Input()
        model.set_durations_matrix("car", matrix)
        model.set_costs_matrix("car", matrix)
        people = sum(r.party_size for r in group)
        for vehicle in range(min(len(group), 2 * math.ceil(people / capacity) + 1)):
            model.add_vehicle(
                vroom.Vehicle(
                    id=vehicle,
                    end=0,
                    capacity=[capacity],
                    costs=vroom.VehicleCosts(fixed=10**9),
                )
            )
        for index, r in enumerate(group, start=1):
            model.add_job(vroom.Job(id=index, location=index, pickup=[r.party_size]))
        solution = model.solve(exploration_level=5, nb_threads=2)
        by_vehicle: dict[int, Route] = defaultdict(list)
        for row in solution.routes.itertuples():
            if row.type == "job":
                by_vehicle[int(row.vehicle_id)].append(group[int(row.id) - 1])
        routes.extend(by_vehicle[v] for v in sorted(by_vehicle))
    return routes


def run_pyvrp(problem: Problem, seconds: float) -> list[Route]:
    """PyVRP on every group with the fewest vehicles it finds feasible; `seconds` in all."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    capacity = _capacity(problem)
    routes: list[Route] = []
    all_groups = groups(problem)
    for group in all_groups:
        share = max(0.01, seconds * len(group) / len(problem.registrations))
        matrix = _metres(problem, [group[0].dropoff] + [r.pickup for r in group])
        vehicles = math.ceil(sum(r.party_size for r in group) / capacity)
        while True:
            model = pyvrp.Model()
            # Locations: 0 the drop-off, 1 an open start (free to leave), 2.. the pickups.
            locations = [model.add_location(x=0, y=0) for _ in range(len(group) + 2)]
            end, start = model.add_depot(locations[0]), model.add_depot(locations[1])
            model.add_vehicle_type(
                num_available=vehicles, capacity=[capacity], start_depot=start, end_depot=end
            )
            for index, r in enumerate(group):
                model.add_client(locations[index + 2], pickup=[r.party_size])
            node = [0, -1, *range(1, len(group) + 1)]  # location -> matrix row
            for a, frm in enumerate(locations):
                for b, to in enumerate(locations):
                    if a != b:
                        far = a == 1 or b == 1
                        model.add_edge(frm, to, distance=0 if far else matrix[node[a]][node[b]])
            result = model.solve(stop=MaxRuntime(share), seed=0, display=False)
            if result.best.is_feasible():
                break
            vehicles += 1
        for route in result.best.routes():
            visits = [a.idx for a in route.schedule() if a.type == pyvrp.ActivityType.CLIENT]
            routes.append([group[i] for i in visits])
    return routes


def _route_km(problem: Problem, route: Route) -> float:
    places = [r.pickup for r in route] + [route[0].dropoff]
    return sum(problem.distances.road_km(a, b) for a, b in itertools.pairwise(places))


def _stops(route: Route) -> int:
    """Pickup points visited (a point visited twice in a row counts once) plus the drop-off."""
    keys = [place_key(r.pickup) for r in route]
    return 1 + sum(1 for i, key in enumerate(keys) if i == 0 or key != keys[i - 1])


def _peer_figures(problem: Problem, routes: list[Route]) -> dict[str, object]:
    capacity = _capacity(problem)
    served = sorted(r.registration_id for route in routes for r in route)
    if served != sorted(r.registration_id for r in problem.registrations):
        raise AssertionError("a peer left registrations out or served one twice")
    if any(sum(r.party_size for r in route) > capacity for route in routes):
        raise AssertionError("a peer overloaded a vehicle")
    return {
        "vehicles": len(routes),
        "stops": sum(_stops(route) for route in routes),
        "km": round(sum(_route_km(problem, route) for route in routes), 1),
        "violations": 0,
    }


def run_one(
    solver: str, size: int, seed: int, seconds: float, large_groups: bool = False
) -> dict[str, object]:
    """Build the instance, run one solver on it in this process, return its figures."""
    from pointplan.solve import solve
    from tests.checker import check_plan

    problem = peer_problem(size, seed, large_groups)
    started = time.perf_counter()
    if solver == "pointplan":
        plan = solve(problem, seed=seed)
        wall = time.perf_counter() - started
        s = plan.summary
        figures: dict[str, object] = {
            "vehicles": s.vehicles,
            "lower_bound": s.vehicles_lower_bound,
            "stops": s.stops,
            "km": s.distance_km,
            "violations": len(
                check_plan(
                    json.loads(plan.to_json()),
                    problem.registrations,
                    problem.fleet,
                    problem.policy,
                )
            ),
        }
    else:
        routes = run_vroom(problem) if solver == "vroom" else run_pyvrp(problem, seconds)
        wall = time.perf_counter() - started
        figures = _peer_figures(problem, routes)
    return {
        "solver": solver,
        "registrations": len(problem.registrations),
        "people": problem.passengers,
        "groups": len(groups(problem)),
        "seconds": round(wall, 2),
        **figures,
    }


def _run_in_fresh_process(solver: str, args: argparse.Namespace, seconds: float) -> dict:  # type: ignore[type-arg]
    command = [sys.executable, "-m", "benchmarks.peers", "--one", solver]
    command += ["--size", str(args.size), "--seed", str(args.seed), "--seconds", str(seconds)]
    command += ["--large-groups"] if args.large_groups else []
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    row: dict = json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[type-arg]
    print(row, flush=True)
    return row


def main() -> None:
    """Run pointplan, VROOM and PyVRP side by side and write the peers section."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--large-groups", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        figures = run_one(args.one, args.size, args.seed, args.seconds, args.large_groups)
        print(json.dumps(figures))
        return
    ours = _run_in_fresh_process("pointplan", args, 0)
    rows = [
        ours,
        _run_in_fresh_process("vroom", args, 0),
        _run_in_fresh_process("pyvrp", args, float(ours["seconds"])),
    ]
    write_results(rows, args)


def write_results(rows: list[dict], args: argparse.Namespace) -> None:  # type: ignore[type-arg]
    """Replace the peers section of RESULTS.md with these rows and their ratios."""
    ours = rows[0]
    best_km = min(float(r["km"]) for r in rows[1:])
    heading = (
        "## Peers with large groups: one site per destination city"
        if args.large_groups
        else "## Peers: VROOM and PyVRP on the class they model exactly"
    )
    large = " --large-groups" if args.large_groups else ""
    lines = [
        heading,
        "",
        f"Machine: {platform.machine()}, 2 cores, Python {platform.python_version()}; "
        f"pyvroom {_version('pyvroom')}, pyvrp {_version('pyvrp')}, "
        f"ortools {_version('ortools')}. Date: {time.strftime('%Y-%m-%d')}.",
        f"Command: `python -m benchmarks.peers --size {args.size} --seed {args.seed}{large}` "
        f"({ours['registrations']:,} registrations, {ours['people']:,} people, "
        f"{ours['groups']} (drop-off, date) groups; each solver in a fresh process).",
        "",
        "| solver | vehicles | stops | km | seconds | vehicles / pointplan | km / best peer "
        "| seconds / pointplan | rule violations |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['solver']} | {r['vehicles']:,} | {r['stops']:,} | {float(r['km']):,.1f} "
            f"| {r['seconds']} | {int(r['vehicles']) / int(ours['vehicles']):.3f} "
            f"| {float(r['km']) / best_km:.4f} "
            f"| {float(r['seconds']) / float(ours['seconds']):.2f} | {r['violations']} |"
        )
    lines += [
        "",
        f"pointplan's own lower bound on vehicles: {ours['lower_bound']:,}. PyVRP had "
        "pointplan's wall time, shared over the groups by size. Peers' plans are checked for "
        "completeness and capacity; pointplan's by the independent checker.",
    ]
    replace_section(heading.split(":")[0] + ":", "\n".join(lines) + "\n")


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    main()

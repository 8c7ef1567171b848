"""CVRP benchmark: pointplan's routing component on the Augerat A, B, P and Uchoa X sets,
beside the peers.

Each instance is a closed-tour CVRP (every route leaves the depot and returns), with
distances rounded to integers as CVRPLIB defines them (EUC_2D). The routing component
(`pointplan.solvers.routing.capacitated_routes`, stop limits off) runs a fixed number of
iterations per customer; VROOM runs at exploration level 5; PyVRP, run as a user would
(on the clock), gets the routing component's wall time on each instance. The objective is
each set's own: on A, B and P the fleet of the instance's name (the published optimum's,
the fewest vehicles), so pointplan minimises vehicles first and PyVRP gets that fleet; on
X the fleet is unlimited and only distance counts (Uchoa et al. 2017), so pointplan's
`fewest=False` and PyVRP gets a vehicle per customer. Costs are compared with the optimum
or best known (../shared/instances/cvrp_bks.csv); every route is checked for capacity and
completeness.

    python -m benchmarks.cvrp --instances ../shared/instances --iterations-per-customer 500
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.results import replace_section

ROOT = Path(__file__).resolve().parent.parent
SETS = ("A", "B", "P", "X")
FLEET_FREE = {"X"}  # sets whose objective is distance alone, the fleet unlimited


@dataclass(frozen=True)
class CvrpInstance:
    """A CVRPLIB instance: node 0 is the depot."""

    name: str
    distance: list[list[int]]
    demand: list[int]
    capacity: int


def read_cvrplib(path: Path) -> CvrpInstance:
    """Read a CVRPLIB .vrp file of EUC_2D type (the Augerat sets)."""
    capacity = 0
    coords: dict[int, tuple[float, float]] = {}
    demand: dict[int, int] = {}
    depot: int | None = None
    section = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if line.endswith("_SECTION"):
            section = line
        elif ":" in line and not line[0].isdigit():
            key, value = (part.strip() for part in line.split(":", 1))
            if key == "CAPACITY":
                capacity = int(value)
            elif key == "EDGE_WEIGHT_TYPE" and value != "EUC_2D":
                raise ValueError(f"{path.name}: only EUC_2D distances are read")
        elif section == "NODE_COORD_SECTION":
            node, x, y = line.split()
            coords[int(node)] = (float(x), float(y))
        elif section == "DEMAND_SECTION":
            node, amount = line.split()
            demand[int(node)] = int(amount)
        elif section == "DEPOT_SECTION" and depot is None and int(line) > 0:
            depot = int(line)
    if depot is None:
        raise ValueError(f"{path.name}: no depot")
    order = [depot, *sorted(n for n in coords if n != depot)]
    distance = [[round(math.dist(coords[a], coords[b])) for b in order] for a in order]
    return CvrpInstance(path.stem, distance, [demand[n] for n in order], capacity)


def tour_cost(distance: Sequence[Sequence[int]], routes: Sequence[Sequence[int]]) -> int:
    """Total cost of closed tours from and back to node 0."""
    return sum(
        distance[a][b] for route in routes for a, b in zip([0, *route], [*route, 0], strict=True)
    )


def _check(instance: CvrpInstance, routes: Sequence[Sequence[int]]) -> None:
    visited = sorted(c for route in routes for c in route)
    if visited != list(range(1, len(instance.demand))):
        raise AssertionError(f"{instance.name}: a customer missed or visited twice")
    if any(sum(instance.demand[c] for c in r) > instance.capacity for r in routes):
        raise AssertionError(f"{instance.name}: a route over capacity")


def solve_pointplan(
    instance: CvrpInstance, iterations_per_customer: int, *, fewest: bool = True
) -> list[list[int]]:
    """The routing component: fewest vehicles (unless `fewest` is False), then shortest
    closed tours."""
    from pointplan.solvers.routing import capacitated_routes

    routes = capacitated_routes(
        instance.distance,
        instance.demand,
        instance.capacity,
        start=0,
        end=0,
        iterations=iterations_per_customer * (len(instance.demand) - 1),
        fewest=fewest,
    )
    assert routes is not None
    return routes


def solve_vroom(instance: CvrpInstance, fleet_free: bool = False) -> list[list[int]]:
    """VROOM with one vehicle per customer at most and a large fixed cost per vehicle (none
    when the fleet is free: distance alone)."""
    import vroom

    model = vroom.Input()
    model.set_durations_matrix("car", instance.distance)
    model.set_costs_matrix("car", instance.distance)
    for vehicle in range(len(instance.demand) - 1):
        model.add_vehicle(
            vroom.Vehicle(
                id=vehicle,
                start=0,
                end=0,
                capacity=[instance.capacity],
                costs=vroom.VehicleCosts(fixed=0 if fleet_free else 10**7),
            )
        )
    for node in range(1, len(instance.demand)):
        model.add_job(vroom.Job(id=node, location=node, delivery=[instance.demand[node]]))
    solution = model.solve(exploration_level=5, nb_threads=2)
    routes: dict[int, list[int]] = {}
    for row in solution.routes.itertuples():
        if row.type == "job":
            routes.setdefault(int(row.vehicle_id), []).append(int(row.id))
    return [routes[v] for v in sorted(routes)]


def solve_pyvrp(instance: CvrpInstance, vehicles: int, seconds: float) -> list[list[int]]:
    """PyVRP on the clock with `vehicles` vehicles (one more while infeasible)."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    while True:
        model = pyvrp.Model()
        locations = [model.add_location(x=0, y=0) for _ in instance.demand]
        model.add_depot(locations[0])
        model.add_vehicle_type(num_available=vehicles, capacity=[instance.capacity])
        for node in range(1, len(instance.demand)):
            model.add_client(locations[node], delivery=[instance.demand[node]])
        for a, frm in enumerate(locations):
            for b, to in enumerate(locations):
                if a != b:
                    model.add_edge(frm, to, distance=instance.distance[a][b])
        result = model.solve(stop=MaxRuntime(seconds), seed=0, display=False)
        if result.best.is_feasible():
            break
        vehicles += 1
    return [
        [a.idx + 1 for a in route.schedule() if a.type == pyvrp.ActivityType.CLIENT]
        for route in result.best.routes()
    ]


def run_instance(
    path: Path, optimum: int, vehicles: int, iterations_per_customer: int, fleet_free: bool
) -> dict[str, object]:
    """All three solvers on one instance, in this process."""
    instance = read_cvrplib(path)
    row: dict[str, object] = {"instance": instance.name, "optimum": optimum}
    started = time.perf_counter()
    ours = solve_pointplan(instance, iterations_per_customer, fewest=not fleet_free)
    ours_seconds = time.perf_counter() - started
    fleet = len(instance.demand) - 1 if fleet_free else vehicles
    for name, solver in (
        ("pointplan", lambda: ours),
        ("vroom", lambda: solve_vroom(instance, fleet_free)),
        ("pyvrp", lambda: solve_pyvrp(instance, fleet, ours_seconds)),
    ):
        started = time.perf_counter()
        routes = solver()  # type: ignore[no-untyped-call]
        seconds = ours_seconds if name == "pointplan" else time.perf_counter() - started
        _check(instance, routes)
        row[name] = {
            "routes": len(routes),
            "cost": tour_cost(instance.distance, routes),
            "seconds": round(seconds, 2),
        }
    return row


def main() -> None:
    """Run the A, B and P sets and write the CVRP section of RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instances", type=Path, default=ROOT.parent / "shared" / "instances")
    parser.add_argument("--iterations-per-customer", type=int, default=500)
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        path, optimum, vehicles = args.one
        fleet_free = Path(path).parent.name in FLEET_FREE
        row = run_instance(
            Path(path), int(optimum), int(vehicles), args.iterations_per_customer, fleet_free
        )
        print(json.dumps(row))
        return
    rows = []
    with (args.instances / "cvrp_bks.csv").open(encoding="utf-8") as table:
        known = [r for r in csv.DictReader(table) if r["set"] in args.sets]
    for entry in known:
        path = args.instances / "cvrp" / entry["set"] / f"{entry['instance']}.vrp"
        command = [sys.executable, "-m", "benchmarks.cvrp"]
        command += ["--iterations-per-customer", str(args.iterations_per_customer)]
        command += ["--one", str(path), entry["bks_cost"], entry["bks_routes"]]
        out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print(row, flush=True)
        rows.append(row)
    write_results(rows, args)


def write_results(rows: list[dict], args: argparse.Namespace) -> None:  # type: ignore[type-arg]
    """Replace the CVRP section of RESULTS.md: per-set summary, then every instance."""
    solvers = ("pointplan", "vroom", "pyvrp")

    def gap(row: dict, solver: str) -> float:  # type: ignore[type-arg]
        return (int(row[solver]["cost"]) / int(row["optimum"]) - 1) * 100

    lines = [
        "## CVRP: the routing component on Augerat A, B, P and Uchoa X",
        "",
        f"Machine: {platform.machine()}, 2 cores, Python {platform.python_version()}. "
        f"Date: {time.strftime('%Y-%m-%d')}.",
        "Command: `python -m benchmarks.cvrp --iterations-per-customer "
        f"{args.iterations_per_customer}` (instances and optimal or best-known values from "
        "../shared/instances; each instance in a fresh process; PyVRP gets pointplan's "
        "seconds on each instance; A, B, P with the fleet of the instance's name, X with "
        "the fleet free and distance alone counted).",
        "",
        "| set | instances | solver | mean gap to best known | worst gap | best known reached "
        "| total seconds |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in [*args.sets, "all"]:
        in_set = [r for r in rows if name == "all" or str(r["instance"]).startswith(name + "-")]
        if not in_set:
            continue
        for solver in solvers:
            gaps = [gap(r, solver) for r in in_set]
            reached = sum(1 for g in gaps if g <= 1e-9)
            seconds = sum(float(r[solver]["seconds"]) for r in in_set)
            lines.append(
                f"| {name} | {len(in_set)} | {solver} | {statistics.mean(gaps):.2f}% "
                f"| {max(gaps):.2f}% | {reached} | {seconds:.1f} |"
            )
    lines += [
        "",
        "| instance | best known | pointplan | vroom | pyvrp | pointplan gap | routes "
        "(pointplan / vroom / pyvrp) | pointplan s | vroom s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        routes = " / ".join(str(r[solver]["routes"]) for solver in solvers)
        lines.append(
            f"| {r['instance']} | {r['optimum']} | {r['pointplan']['cost']} "
            f"| {r['vroom']['cost']} | {r['pyvrp']['cost']} | {gap(r, 'pointplan'):.2f}% "
            f"| {routes} | {r['pointplan']['seconds']} | {r['vroom']['seconds']} |"
        )
    replace_section("## CVRP:", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

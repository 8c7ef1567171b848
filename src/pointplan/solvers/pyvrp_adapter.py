"""The one place pointplan drives PyVRP: capacitated routes by iterated local search.

PyVRP (a maintained hybrid genetic / iterated local search for vehicle routing) finds routes
of a fleet of one vehicle type between a start depot and an end depot, within load
dimensions (people, stops). It runs for a number of iterations with a seed, never on the
clock, so the same input gives the same routes on any machine and under any load.

`solve_pyvrp_routes` takes one problem in pointplan's terms (`RouteProblem`: an integer cost
matrix over nodes, where the start and end nodes are depots and every other node a client
with amounts to gather); it returns the routes or None when the fleet given cannot carry
everyone.
`fewest_vehicles` finds the smallest fleet it can (PyVRP's `minimise_fleet`) before the
final search for the least distance.

No other module imports `pyvrp` (tests/test_layers.py checks it).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyvrp
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxIterations

__all__ = ["RouteProblem", "fewest_vehicles", "solve_pyvrp_routes"]


@dataclass(frozen=True)
class RouteProblem:
    """Routes from node `start` to node `end` through every other node of `matrix` (the cost
    of each arc); a route gathers at most `capacities[k]` of `amounts[k]` (one value a node)."""

    matrix: Sequence[Sequence[int]]
    amounts: Sequence[Sequence[int]]
    capacities: Sequence[int]
    start: int
    end: int


def _data(problem: RouteProblem, vehicles: int) -> tuple[pyvrp.ProblemData, list[int]]:
    """PyVRP's problem and, for each of its clients, the node it stands for."""
    matrix, amounts, start, end = problem.matrix, problem.amounts, problem.start, problem.end
    nodes = len(matrix)
    clients = [node for node in range(nodes) if node not in (start, end)]
    # PyVRP numbers depots first, then clients; its locations follow the same order.
    depots = [start] if start == end else [start, end]
    order = depots + clients
    costs = np.asarray(matrix, dtype=np.int64)[np.ix_(order, order)]
    np.fill_diagonal(costs, 0)
    locations = [pyvrp.Location(x=0, y=0) for _ in order]
    data = pyvrp.ProblemData(
        locations=locations,
        clients=[
            pyvrp.Client(location=len(depots) + i, pickup=[int(a[node]) for a in amounts])
            for i, node in enumerate(clients)
        ],
        depots=[pyvrp.Depot(location=i) for i in range(len(depots))],
        vehicle_types=[
            pyvrp.VehicleType(
                num_available=max(1, vehicles),
                capacity=list(problem.capacities),
                start_depot=0,
                end_depot=len(depots) - 1,
            )
        ],
        # PyVRP's stubs write the matrix type as ndarray[int], which numpy's types never match.
        distance_matrices=[costs],  # type: ignore[list-item]
        duration_matrices=[np.zeros_like(costs)],  # type: ignore[list-item]
    )
    return data, clients


def _params(problem: RouteProblem, iterations: int) -> pyvrp.SolveParams:
    """PyVRP's defaults, but with penalties that can outweigh any route (a unit of excess
    load must cost more than the vehicle it saves, whatever the unit of distance) and that
    adapt often enough for a short search."""
    longest = max((max(row) for row in problem.matrix), default=0)
    return pyvrp.SolveParams(
        penalty=pyvrp.PenaltyParams(
            solutions_between_updates=max(10, min(500, iterations // 20)),
            max_penalty=max(100_000.0, 4.0 * longest),
        )
    )


def _routes(solution: pyvrp.Solution, clients: Sequence[int]) -> list[list[int]]:
    """Each route's client nodes in visiting order (a scheduled client's `idx` numbers it
    among the clients)."""
    return [
        [clients[step.idx] for step in route.schedule() if step.is_client()]
        for route in solution.routes()
    ]


def fewest_vehicles(problem: RouteProblem, *, most: int, iterations: int, seed: int) -> int:
    """The fewest vehicles PyVRP finds feasible for the problem, starting from a fleet of
    `most` (which must be feasible) and spending at most `iterations` in all."""
    data, _ = _data(problem, most)
    with warnings.catch_warnings():
        # Probing a fleet one vehicle too small drives the penalties to their bound: that
        # is how the search learns the fleet is too small, not a fault.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        fleet = pyvrp.minimise_fleet(
            data, MaxIterations(iterations), seed=seed, params=_params(problem, iterations)
        )
    return int(fleet.num_available)


def solve_pyvrp_routes(
    problem: RouteProblem, *, vehicles: int, iterations: int, seed: int
) -> list[list[int]] | None:
    """Least-cost routes of the problem with at most `vehicles` vehicles, each route's nodes
    in visiting order; None when no feasible plan was found."""
    data, clients = _data(problem, vehicles)
    result = pyvrp.solve(
        data,
        stop=MaxIterations(iterations),
        seed=seed,
        display=False,
        params=_params(problem, iterations),
    )
    if not result.best.is_feasible():
        return None
    return _routes(result.best, clients)

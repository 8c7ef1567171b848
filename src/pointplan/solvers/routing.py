"""The routing component: capacitated vehicle routes over an integer distance matrix.

Two uses, each with the library that does it best (benchmarks/RESULTS.md, "CVRP"):

- `capacitated_routes` splits the pickups of one part among as few vehicles as possible and
  orders each route (open start, a fixed end such as a drop-off point, or a closed tour from
  a depot, as in the CVRP benchmark sets). PyVRP's iterated local search does the search
  (through `pyvrp_adapter`): first the fewest vehicles it can find, then the least distance
  for that fleet.
- `shortest_path` orders the stops of one vehicle, every pickup before any drop-off; a few
  stops, which OR-Tools' routing library orders optimally in a few guided-local-search steps
  (through `ortools_adapter.solve_routes`).

Both searches are limited by a count of iterations or solutions, never by the clock, so the
same input gives the same routes on any machine and under any load.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pointplan.solvers.ortools_adapter import solve_routes
from pointplan.solvers.pyvrp_adapter import RouteProblem, fewest_vehicles, solve_pyvrp_routes

PATH_STEPS = 100  # one vehicle's stop order: optimal on every 7-stop test case (tests)
ITERATIONS_PER_CLIENT = 100
"""The routing search's default length: iterations per node to visit (at least
`MIN_ITERATIONS`), a quarter more for the fleet's size. On the peer class with large groups
(benchmarks/RESULTS.md) 250 a node lowered km by 0.04% for 2.9 times the time."""
MIN_ITERATIONS = 500


def default_iterations(clients: int) -> int:
    """The routing search's iterations for `clients` nodes to visit."""
    return max(MIN_ITERATIONS, ITERATIONS_PER_CLIENT * clients)


def capacitated_routes(
    distance: Sequence[Sequence[int]],
    demand: Sequence[int],
    capacity: int,
    *,
    start: int | None = None,
    end: int | None = None,
    max_stops: int | None = None,
    iterations: int | None = None,
    fewest: bool = True,
    seed: int = 0,
) -> list[list[int]] | None:
    """Routes visiting every node with demand: fewest vehicles first, then least distance
    (or, with `fewest=False`, least distance whatever the number of vehicles).

    `distance[a][b]` is the cost of driving from node a to node b. Nodes `start` and `end`
    (when given) are where every route begins and ends and carry no demand; `None` means a
    route may begin (or end) anywhere at no cost. A route carries at most `capacity` and
    visits at most `max_stops` demand nodes. Returns each used vehicle's demand nodes in
    visiting order, or None when some node alone exceeds the capacity.

    The search runs `iterations` (default `default_iterations`) with `seed`: the fleet is
    first made as small as the search can from one vehicle a node down to the bin-packing
    bound (a quarter of the iterations more), then the routes of that fleet are searched.
    """
    customers = [i for i in range(len(demand)) if i not in (start, end)]
    if any(demand[i] > capacity for i in customers):
        return None
    if not customers:
        return []
    matrix, start_node, end_node = _with_open_ends(distance, start, end)
    visited = set(customers)
    amounts = [[int(demand[i]) if i in visited else 0 for i in range(len(matrix))]]
    capacities = [capacity]
    if max_stops is not None:
        amounts.append([1 if i in visited else 0 for i in range(len(matrix))])
        capacities.append(max_stops)
    problem = RouteProblem(matrix, amounts, capacities, start_node, end_node)
    budget = iterations or default_iterations(len(customers))
    vehicles = len(customers)  # one a node always fits
    if fewest:
        least = max(1, math.ceil(sum(demand[i] for i in customers) / capacity))
        if max_stops is not None:
            least = max(least, math.ceil(len(customers) / max_stops))
        if least < vehicles:
            vehicles = fewest_vehicles(
                problem, most=vehicles, iterations=max(1, budget // 4), seed=seed
            )
    # The fleet search found its fleet feasible, so the final search should too; should it
    # not, one vehicle a node always fits.
    for fleet in dict.fromkeys((vehicles, len(customers))):
        routes = solve_pyvrp_routes(problem, vehicles=fleet, iterations=budget, seed=seed)
        if routes is not None:
            return routes
    raise AssertionError("one vehicle a node always fits")  # pragma: no cover


def shortest_path(distance: Sequence[Sequence[int]], first: int) -> list[int]:
    """The order of all nodes with the least distance that visits nodes 0..first-1 (the
    pickups) before the others (the drop-offs); it begins and ends anywhere."""
    size = len(distance)
    if size <= 1:
        return list(range(size))
    forbidden = 1 + 2 * size * max(max(row) for row in distance)
    guarded = [
        [
            forbidden if (a >= first > b) else distance[a][b]  # no pickup after a drop-off
            for b in range(size)
        ]
        for a in range(size)
    ]
    matrix, start_node, end_node = _with_open_ends(guarded, None, None)
    routes = solve_routes(matrix, 1, start_node, end_node, (), PATH_STEPS)
    assert routes is not None and len(routes) == 1  # one uncapacitated vehicle always fits
    return routes[0]


def _with_open_ends(
    distance: Sequence[Sequence[int]], start: int | None, end: int | None
) -> tuple[list[list[int]], int, int]:
    """The matrix with an extra node for an open start (free to leave) and one for an open
    end (free to reach), and the start and end nodes."""
    size = len(distance)
    start_node = size if start is None else start
    end_node = (size + (start is None)) if end is None else end
    nodes = size + (start is None) + (end is None)
    matrix = [[0] * nodes for _ in range(nodes)]
    for a in range(size):
        for b in range(size):
            matrix[a][b] = int(distance[a][b])
    return matrix, start_node, end_node

"""The routing component: capacitated vehicle routes over an integer distance matrix.

OR-Tools' routing library does the search (through `ortools_adapter.solve_routes`): a first
solution by a construction heuristic, then guided local search. The search is limited by a
number of solutions, never by the clock, so the same input gives the same routes on any
machine and under any load.

Two uses: `capacitated_routes` splits the pickups of one part among as few vehicles as
possible and orders each route (open start, a fixed end such as a drop-off point, or a
closed tour from a depot, as in the Augerat CVRP sets); `shortest_path` orders the stops of
one vehicle, every pickup before any drop-off.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pointplan.solvers.ortools_adapter import RouteLimit, solve_routes

SOLUTION_LIMIT = 30  # guided local search steps: enough for the few stops of one part
PATH_STEPS = 100  # one vehicle's stop order: optimal on every 7-stop test case (tests)


def capacitated_routes(
    distance: Sequence[Sequence[int]],
    demand: Sequence[int],
    capacity: int,
    *,
    start: int | None = None,
    end: int | None = None,
    max_stops: int | None = None,
    solution_limit: int = SOLUTION_LIMIT,
) -> list[list[int]] | None:
    """Routes visiting every node with demand, fewest vehicles first, then least distance.

    `distance[a][b]` is the cost of driving from node a to node b. Nodes `start` and `end`
    (when given) are where every route begins and ends and carry no demand; `None` means a
    route may begin (or end) anywhere at no cost. A route carries at most `capacity` and
    visits at most `max_stops` demand nodes. Returns each used vehicle's demand nodes in
    visiting order, or None when some node alone exceeds the capacity.

    The vehicle count starts at the bin-packing bound ceil(total / capacity) and grows by
    one until the search finds a plan, so fewer vehicles always come first.
    """
    customers = [i for i in range(len(demand)) if i not in (start, end)]
    if any(demand[i] > capacity for i in customers):
        return None
    if not customers:
        return []
    vehicles = max(1, math.ceil(sum(demand[i] for i in customers) / capacity))
    if max_stops is not None:
        vehicles = max(vehicles, math.ceil(len(customers) / max_stops))
    while vehicles <= len(customers):
        routes = _solve(distance, demand, capacity, vehicles, start, end, max_stops, solution_limit)
        if routes is not None:
            return routes
        vehicles += 1
    raise AssertionError("one vehicle per node always fits")  # pragma: no cover


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
    routes = _solve(guarded, [0] * size, None, 1, None, None, None, PATH_STEPS)
    assert routes is not None and len(routes) == 1  # one uncapacitated vehicle always fits
    return routes[0]


def _solve(
    distance: Sequence[Sequence[int]],
    demand: Sequence[int],
    capacity: int | None,
    vehicles: int,
    start: int | None,
    end: int | None,
    max_stops: int | None,
    solution_limit: int,
) -> list[list[int]] | None:
    """One routing search with `vehicles` vehicles (no load limit when `capacity` is None);
    None when no first solution is found."""
    size = len(distance)
    # Open ends become extra nodes that cost nothing to leave (start) or to reach (end).
    start_node = size if start is None else start
    end_node = (size + (start is None)) if end is None else end
    nodes = size + (start is None) + (end is None)
    matrix = [[0] * nodes for _ in range(nodes)]
    for a in range(size):
        for b in range(size):
            matrix[a][b] = int(distance[a][b])
    limits = []
    for name, values, most in (("load", demand, capacity), ("stops", [1] * size, max_stops)):
        if most is not None:
            per_node = [
                int(values[i]) if i < size and i not in (start, end) else 0 for i in range(nodes)
            ]
            limits.append(RouteLimit(name, per_node, most))
    return solve_routes(matrix, vehicles, start_node, end_node, limits, solution_limit)

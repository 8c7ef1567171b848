"""The one place pointplan drives OR-Tools: CP-SAT, the routing library and the LP solver.

Every model is built by the module that owns it (seating, exact, bounds, routing) with the
types named here, and solved here, so that parameters and status handling are written once:

- `solve_cp`: CP-SAT with a `WorkLimit` (deterministic work, plus a wall-clock guard that only
  a much slower machine reaches), a seed and one worker, so the same model gives the same
  answer on any machine and under any load. An invalid model raises `SolverFault`; the
  answer says whether a solution was found and carries the proven bound.
- `solve_routes`: the routing library with a solution limit (never the clock), trying
  first-solution strategies in turn.
- `new_lp` and `lp_optimum`: the GLOP linear solver, with the status checked.
- `min_cost_flow`: OR-Tools' min-cost flow (cost scaling) on integer arcs, status checked.

No other module imports `ortools` (tests/test_layers.py checks it).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow
from ortools.linear_solver.pywraplp import Solver as LpSolver
from ortools.linear_solver.pywraplp import Variable as LpVariable
from ortools.sat.python import cp_model

CpModel = cp_model.CpModel
IntVar = cp_model.IntVar
LinearExpr = cp_model.LinearExprT

__all__ = [
    "CP_SAT_DEFAULT_SEED",
    "FIRST_SOLUTION_STRATEGIES",
    "CpAnswer",
    "CpModel",
    "FlowArc",
    "IntVar",
    "LinearExpr",
    "LpSolver",
    "LpVariable",
    "RouteLimit",
    "SolverFault",
    "WorkLimit",
    "lp_optimum",
    "min_cost_flow",
    "new_lp",
    "solve_cp",
    "solve_routes",
]

CP_SAT_DEFAULT_SEED = 1
"""CP-SAT's own default `random_seed`, for searches that do not depend on a plan's seed."""


class SolverFault(RuntimeError):
    """OR-Tools refused a model: a fault of ours, never of the input."""


@dataclass(frozen=True)
class WorkLimit:
    """How long a CP-SAT search may run: `deterministic_time` is CP-SAT's own count of work
    (the same on every machine); `wall_seconds` guards against a much slower machine."""

    deterministic_time: float
    wall_seconds: float

    @classmethod
    def until(cls, deterministic_time: float, deadline: float | None, fallback: float) -> WorkLimit:
        """A limit of `deterministic_time`, with the wall-clock guard at `deadline` (a
        `time.time()` value, comparable on every machine of a cluster), or `fallback` seconds
        from now when there is none."""
        wall = fallback if deadline is None else deadline - time.time()
        return cls(deterministic_time, max(0.05, wall))


@dataclass(frozen=True)
class CpAnswer:
    """What a CP-SAT search found: whether it has a solution, its values, the proven bound
    and the deterministic time it spent."""

    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE or UNKNOWN (CP-SAT's names)
    solver: cp_model.CpSolver

    @property
    def found(self) -> bool:
        """A solution was found (optimal or not)."""
        return self.status in ("OPTIMAL", "FEASIBLE")

    @property
    def objective(self) -> float:
        """The objective value of the solution found."""
        return float(self.solver.objective_value)

    @property
    def bound(self) -> float:
        """The best proven bound on the objective (valid whether or not a solution was found)."""
        return float(self.solver.best_objective_bound)

    @property
    def deterministic_time(self) -> float:
        """The work the search spent, in CP-SAT's deterministic time."""
        return float(self.solver.response_proto.deterministic_time)

    def value(self, variable: IntVar) -> int:
        """The value of `variable` in the solution found."""
        return int(self.solver.value(variable))


def solve_cp(
    model: CpModel,
    limit: WorkLimit,
    *,
    seed: int,
    linearization_level: int | None = None,
) -> CpAnswer:
    """Solve `model` on one worker (one worker: the same answer every run) within `limit`.

    Raises `SolverFault` when CP-SAT finds the model invalid.
    """
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    if linearization_level is not None:
        solver.parameters.linearization_level = linearization_level
    solver.parameters.max_deterministic_time = limit.deterministic_time
    solver.parameters.max_time_in_seconds = limit.wall_seconds
    status = solver.solve(model)
    if status == cp_model.MODEL_INVALID:
        raise SolverFault(f"CP-SAT refused a model: {model.validate()}")
    return CpAnswer(solver.status_name(status), solver)


FIRST_SOLUTION_STRATEGIES = (
    routing_enums_pb2.FirstSolutionStrategy.SAVINGS,
    routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION,
    routing_enums_pb2.FirstSolutionStrategy.CHRISTOFIDES,
)
"""Construction heuristics that either build a plan or fail at once (path-cheapest-arc can
instead backtrack without end on a tight fleet); tried in this order."""


@dataclass(frozen=True)
class RouteLimit:
    """A per-route cap on a quantity gathered at nodes (load, stops): `per_node[i]` is what
    node i adds, `most` what one route may gather."""

    name: str
    per_node: Sequence[int]
    most: int


def solve_routes(
    matrix: Sequence[Sequence[int]],
    vehicles: int,
    start: int,
    end: int,
    limits: Sequence[RouteLimit],
    solution_limit: int,
) -> list[list[int]] | None:
    """Routes of `vehicles` vehicles from node `start` to node `end` visiting every other node
    once, least total `matrix` cost, within the `limits`; each used vehicle's nodes in
    visiting order (start and end left out). The search stops after `solution_limit`
    solutions of guided local search, never on the clock. None when no first-solution
    strategy finds a solution."""
    nodes = len(matrix)
    for strategy in FIRST_SOLUTION_STRATEGIES:
        manager = pywrapcp.RoutingIndexManager(
            nodes, vehicles, [start] * vehicles, [end] * vehicles
        )
        model = pywrapcp.RoutingModel(manager)
        transit = model.RegisterTransitMatrix([list(row) for row in matrix])
        model.SetArcCostEvaluatorOfAllVehicles(transit)
        for limit in limits:
            callback = model.RegisterUnaryTransitVector(list(limit.per_node))
            model.AddDimensionWithVehicleCapacity(
                callback, 0, [limit.most] * vehicles, True, limit.name
            )
        parameters = pywrapcp.DefaultRoutingSearchParameters()
        parameters.first_solution_strategy = strategy
        parameters.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        )
        parameters.solution_limit = solution_limit
        solution = model.SolveWithParameters(parameters)
        if solution is None:
            if model.status() == routing_enums_pb2.RoutingSearchStatus.ROUTING_INVALID:
                raise SolverFault("the routing library refused a model")
            continue
        routes = []
        for vehicle in range(vehicles):
            index = solution.Value(model.NextVar(model.Start(vehicle)))
            route = []
            while not model.IsEnd(index):
                route.append(manager.IndexToNode(index))
                index = solution.Value(model.NextVar(index))
            if route:
                routes.append(route)
        return routes
    return None


def new_lp(deadline: float | None = None) -> LpSolver:
    """An empty GLOP linear program, stopped at the wall-clock `deadline` if given."""
    solver: LpSolver | None = LpSolver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover - GLOP ships with every OR-Tools build
        raise SolverFault("OR-Tools has no GLOP linear solver")
    if deadline is not None:
        solver.SetTimeLimit(max(1, int(1000 * (deadline - time.time()))))
    return solver


def lp_optimum(solver: LpSolver) -> float | None:
    """Solve the linear program; its optimal objective, or None when it was not solved to
    optimality (stopped at the deadline, say). Raises `SolverFault` on an invalid model."""
    status = solver.Solve()
    if status == LpSolver.MODEL_INVALID:
        raise SolverFault("GLOP refused a linear program")
    if status != LpSolver.OPTIMAL:
        return None
    return float(solver.Objective().Value())


@dataclass(frozen=True)
class FlowArc:
    """An arc of a min-cost flow: tail and head nodes, capacity and cost per unit."""

    tail: int
    head: int
    capacity: int
    cost: int


def min_cost_flow(supplies: Sequence[int], arcs: Sequence[FlowArc]) -> list[int]:
    """The flow on each of `arcs` (in their order) of a least-cost flow meeting every
    node's supply (positive) or demand (negative); nodes are 0..len(supplies)-1. Raises
    `SolverFault` when no flow meets them. Exact (cost scaling) and deterministic."""
    flow = SimpleMinCostFlow()
    for a in arcs:
        flow.add_arc_with_capacity_and_unit_cost(a.tail, a.head, a.capacity, a.cost)
    for node, supply in enumerate(supplies):
        flow.set_node_supply(node, supply)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise SolverFault(f"the min-cost flow has no optimum (status {status})")
    return [flow.flow(a) for a in range(len(arcs))]

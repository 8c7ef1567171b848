"""Solvers: each turns a frozen `Problem` into a `Plan`; `pointplan.solve` picks one by name.

Bottom to top: `ortools_adapter` (the one module that drives OR-Tools), `budget`, `decision`
and `seating`; `routing`, `trips` (a decision made a trip), `fleet_use`, `decompose`, `exact`
and `bounds`; `sweep` (the day sweep both heuristics share), `routed` and `search` (the part
search); the planners `greedy` and `consolidate`; `registry`.
"""

from pointplan.solvers.consolidate import solve_consolidated
from pointplan.solvers.greedy import solve_greedy
from pointplan.solvers.registry import SOLVERS, Solver, SolverName, solver_named

__all__ = ["SOLVERS", "Solver", "SolverName", "solve_consolidated", "solve_greedy", "solver_named"]

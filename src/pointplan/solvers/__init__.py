"""Solvers: each turns a frozen `Problem` into a `Plan`; `pointplan.solve` picks one."""

from pointplan.solvers.consolidate import solve_consolidated
from pointplan.solvers.greedy import solve_greedy

__all__ = ["solve_consolidated", "solve_greedy"]

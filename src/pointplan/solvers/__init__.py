"""Solvers: each turns a frozen `Problem` into a `Plan`."""

from pointplan.solvers.greedy import solve_greedy

__all__ = ["solve_greedy"]

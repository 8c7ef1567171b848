"""`solve()`: the one entry point the command line, notebooks and the service call."""

from __future__ import annotations

from pointplan.domain.plan import Plan
from pointplan.problem import Problem
from pointplan.solvers.greedy import solve_greedy

SOLVERS = {"greedy": solve_greedy}


def solve(problem: Problem, *, solver: str = "greedy", seed: int = 0) -> Plan:
    """Plan `problem` with the named solver; the same problem and seed give the same plan."""
    try:
        run = SOLVERS[solver]
    except KeyError:
        raise ValueError(f"unknown solver {solver!r}; choose from {sorted(SOLVERS)}") from None
    return run(problem, seed=seed)

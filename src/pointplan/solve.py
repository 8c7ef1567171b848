"""`solve()`: the one entry point the command line, notebooks and the service call."""

from __future__ import annotations

from pointplan.domain.plan import Plan
from pointplan.problem import Problem
from pointplan.solvers.consolidate import solve_consolidated
from pointplan.solvers.greedy import solve_greedy

SOLVERS = {"greedy": solve_greedy, "consolidate": solve_consolidated}


def solve(
    problem: Problem, *, solver: str = "consolidate", seed: int = 0, time_limit: float | None = None
) -> Plan:
    """Plan `problem` with the named solver; the same problem and seed give the same plan.

    `consolidate` (the default) shares trips across nearby pickups, drop-offs and dates and
    spends up to `time_limit` seconds (default 10) of solver work on parts that are above
    their lower bound; `greedy` is the one-pass baseline. Work limits are counted in CP-SAT's
    deterministic time, so the plan does not depend on the machine's speed.
    """
    if time_limit is not None and time_limit <= 0:
        raise ValueError("time_limit must be more than 0 seconds")
    try:
        run = SOLVERS[solver]
    except KeyError:
        raise ValueError(f"unknown solver {solver!r}; choose from {sorted(SOLVERS)}") from None
    return run(problem, seed=seed, time_limit=time_limit)

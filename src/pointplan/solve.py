"""`solve()`: the one entry point the command line, notebooks and the service call."""

from __future__ import annotations

from pointplan.domain.plan import Plan
from pointplan.problem import Problem
from pointplan.solvers.consolidate import solve_consolidated
from pointplan.solvers.greedy import solve_greedy
from pointplan.stop import AnyOf, MaxRuntime, StoppingCriterion

SOLVERS = {"greedy": solve_greedy, "consolidate": solve_consolidated}
DEFAULT_SECONDS = 10.0


def solve(
    problem: Problem,
    *,
    solver: str = "consolidate",
    seed: int = 0,
    stop: StoppingCriterion | None = None,
    time_limit: float | None = None,
) -> Plan:
    """Plan `problem` with the named solver; the same problem and seed give the same plan.

    `consolidate` (the default) shares trips across nearby pickups, drop-offs and dates, then
    searches parts that are above their lower bound until `stop` says so (for example
    `AnyOf((MaxRuntime(60), GapReached(0.03)))`). `time_limit` is shorthand for
    `MaxRuntime(time_limit)`; with neither, the search gets 10 seconds. Time is counted as
    solver work (see `solvers.exact.limit_work`), so the plan does not depend on the
    machine's speed. `greedy` is the one-pass baseline and needs no criterion.
    """
    if time_limit is not None and time_limit <= 0:
        raise ValueError("time_limit must be more than 0 seconds")
    try:
        run = SOLVERS[solver]
    except KeyError:
        raise ValueError(f"unknown solver {solver!r}; choose from {sorted(SOLVERS)}") from None
    criteria: list[StoppingCriterion] = [] if stop is None else [stop]
    if time_limit is not None or stop is None or stop.time_limit() is None:
        criteria.append(MaxRuntime(time_limit or DEFAULT_SECONDS))
    return run(problem, seed=seed, stop=AnyOf(tuple(criteria)))

"""`solve()`: the one entry point the command line, notebooks, scenarios and the service call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from pointplan.advised import with_advice
from pointplan.buses import with_buses
from pointplan.domain.plan import Plan
from pointplan.networked import solve_network
from pointplan.parallel import Executor, Workers
from pointplan.problem import Problem
from pointplan.ruled import solve_by_rules
from pointplan.solvers.budget import DEFAULT_SECONDS
from pointplan.solvers.registry import DEFAULT_SOLVER, SOLVERS, solver_named
from pointplan.solvers.seating import with_capacities
from pointplan.stop import AnyOf, MaxRuntime, Progress, StoppingCriterion
from pointplan.suggestions import with_date_suggestions

__all__ = ["DEFAULT_SECONDS", "SOLVERS", "solve"]

AFTER_PLANNING: tuple[tuple[str, object, Callable[[Problem, Plan], Plan]], ...] = (
    ("date_suggestion_days", 0, with_date_suggestions),
    ("min_trip_passengers", 1, with_advice),
)
"""Policy keys met after planning, outermost first: each key's value that does nothing, and
what makes the plan (planned without the key) meet it."""


def solve(
    problem: Problem,
    *,
    solver: str = DEFAULT_SOLVER,
    seed: int = 0,
    stop: StoppingCriterion | None = None,
    time_limit: float | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    buses: bool = True,
) -> Plan:
    """Plan `problem` with the named solver; the same problem and seed give the same plan.

    `consolidate` (the default) shares trips across nearby pickups, drop-offs and dates, then
    searches the independent parts of the problem until `stop` says so (for example
    `AnyOf((MaxRuntime(60), GapReached(0.03)))`). `time_limit` is shorthand for
    `MaxRuntime(time_limit)`; with neither, the search gets `DEFAULT_SECONDS` (10). Time is
    counted as solver work (see `pointplan.solvers.budget`), so the plan does not depend on
    the machine's speed. Parts are searched on `workers` processes (default: every core this
    process may use), or by `executor` (a cluster: `pointplan.cluster`); the plan is the same
    for any number, and on a cluster. `on_progress` is called with a
    `Progress` after each searched part. `greedy` is the one-pass baseline and needs none of
    these. The plan lists the problem's rejected input rows too. A policy with `overrides` is
    planned rule class by rule class (`pointplan.ruled`); one with `transfers` through hubs
    where that costs less than direct (`pointplan.networked`), each leg by the solver named;
    one with `min_trip_passengers` above 1 is planned without it, then the people of its
    direct and trunk trips under it are `advised` (`pointplan.advised`); with
    `date_suggestion_days` the plan lists whom staff could ask to move, in groups, and what
    each group saves (`pointplan.suggestions`). With a fleet of depots, the plan's trips are
    then chained into the depots' buses (`pointplan.buses`), unless `buses` is false (a part
    of a larger plan, whose buses are found once it is whole).
    """
    if time_limit is not None and time_limit <= 0:
        raise ValueError("time_limit must be more than 0 seconds")
    if workers is not None and workers < 1:
        raise ValueError("workers must be at least 1")
    plan = _plan(
        problem, solver=solver, seed=seed, stop=stop, time_limit=time_limit,
        workers=executor or workers, on_progress=on_progress,
    )  # fmt: skip
    return with_buses(problem, plan) if buses else plan


def _plan(
    problem: Problem,
    *,
    solver: str,
    seed: int,
    stop: StoppingCriterion | None,
    time_limit: float | None,
    workers: Workers | None,
    on_progress: Callable[[Progress], None] | None,
) -> Plan:
    """`solve` without the buses."""
    for key, off, finish in AFTER_PLANNING:
        if getattr(problem.policy, key) != off:
            without = problem.policy.model_copy(update={key: off})
            plan = _plan(
                replace(problem, policy=without), solver=solver, seed=seed, stop=stop,
                time_limit=time_limit, workers=workers, on_progress=on_progress,
            )  # fmt: skip
            return finish(with_capacities(problem), plan)
    planner = solver_named(solver)
    if problem.policy.transfers:

        def plan_legs(part: Problem, seconds: float) -> Plan:
            direct = part.policy.model_copy(update={"transfers": False})
            return _plan(
                replace(part, policy=direct), solver=solver, seed=seed, stop=None,
                time_limit=seconds, workers=workers, on_progress=on_progress,
            )  # fmt: skip

        budget = time_limit or (stop.time_limit() if stop else None) or DEFAULT_SECONDS
        return solve_network(problem, plan_legs, budget, seed)
    if problem.policy.overrides:

        def plan_class(part: Problem, seconds: float) -> Plan:
            return _plan(
                part, solver=solver, seed=seed, stop=None, time_limit=seconds,
                workers=workers, on_progress=on_progress,
            )  # fmt: skip

        budget = time_limit or (stop.time_limit() if stop else None) or DEFAULT_SECONDS
        return solve_by_rules(problem, plan_class, budget, solver, seed)
    criteria: list[StoppingCriterion] = [] if stop is None else [stop]
    if time_limit is not None or stop is None or stop.time_limit() is None:
        criteria.append(MaxRuntime(time_limit or DEFAULT_SECONDS))
    return planner(
        with_capacities(problem),
        seed=seed,
        stop=AnyOf(tuple(criteria)),
        workers=workers,
        on_progress=on_progress,
    )

"""The part search: what the consolidating planner does with the sweep's plan of each part.

Parts are searched on a process pool, each with a share of the budget by its size: a part
with one date and one drop-off point goes to the routing component (`routed`); a part still
above its lower bound goes, time allowing, to the exact model of `exact`, which starts from
the plan so far and keeps it unless it finds fewer vehicles or stops; a part too large for
that model gets the relaxed stop bound (`bounds.relaxed_stop_bound`). Parts are searched
as if the fleet had no daily counts; the caller keeps a part's new plan only where the
counts leave room for it.

Results are taken in the parts' order and the stopping criteria see the solver work handed
out so far, never the clock, so the parts searched, and the plan, are the same with any
number of processes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pointplan.parallel import Workers, default_workers, ordered_map
from pointplan.problem import Problem
from pointplan.solvers.bounds import cover_lower_bound, relaxed_stop_bound
from pointplan.solvers.budget import Budget
from pointplan.solvers.decision import Decision
from pointplan.solvers.decompose import Part
from pointplan.solvers.exact import enumerate_patterns, solve_part_exactly
from pointplan.solvers.ranking import downsized, largest_type, plan_rank, stops_of
from pointplan.solvers.routed import routable, route_part
from pointplan.stop import Progress, StoppingCriterion

log = logging.getLogger(__name__)
PATTERN_LIMIT = 4000  # beyond this a part keeps the sweep's plan and bound


@dataclass(frozen=True)
class SweptPart:
    """A part with the sweep's plan for it and its lower bound."""

    part: Part
    decisions: tuple[Decision, ...]
    bound: int


@dataclass(frozen=True)
class SearchOutcome:
    """Every part's plan, in the parts' order, and the sum of their bounds."""

    part_decisions: list[tuple[Decision, ...]]
    lower_bound: int

    @property
    def decisions(self) -> list[Decision]:
        """All the parts' decisions, in the parts' order."""
        return [d for part in self.part_decisions for d in part]


@dataclass(frozen=True)
class SearchContext:
    """What every part's search shares, sent to each worker process once: the problem without
    its demand (`Problem.without_demand`), since each part carries its own registrations."""

    problem: Problem
    seed: int


@dataclass(frozen=True)
class _PartJob:
    """One part to search: the sweep's plan for it, its bound and its share of the budget
    in search seconds (its wall-clock guard starts when its exact search does)."""

    swept: SweptPart
    seconds: float

    @property
    def registrations(self) -> int:
        return len(self.swept.part.registrations)


@dataclass(frozen=True)
class _Searched:
    """A part's routed plan and, when the exact model ran, its plan and bound."""

    routed: tuple[Decision, ...]
    refined: tuple[tuple[Decision, ...], int] | None = None


def search_parts(
    context: SearchContext,
    swept: Sequence[SweptPart],
    seconds: float,
    stop: StoppingCriterion,
    workers: Workers | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> SearchOutcome:
    """Search the parts whose sweep plan may improve until `stop` says so, each with a share
    of `seconds` by its number of registrations; the other parts keep the sweep's plan.
    Parts are searched on `workers` processes (default: every core this process may use) or
    by the executor given;
    `on_progress` hears after each searched part."""
    gaps = [s.part for s in swept if len(s.decisions) > s.bound]
    weight = sum(len(part.registrations) for part in gaps) or 1
    vehicles = sum(len(s.decisions) for s in swept)
    lower_bound = sum(s.bound for s in swept)
    jobs: list[_PartJob] = []
    job_of: dict[int, int] = {}  # a searched part's place in `swept` -> its job
    for index, part in enumerate(swept):
        if len(part.decisions) > min(1, part.bound):  # more than one vehicle, or above 0
            share = seconds * len(part.part.registrations) / weight
            job_of[index] = len(jobs)
            jobs.append(_PartJob(part, share))
    searched_decisions: list[tuple[Decision, ...]] = []
    results = ordered_map(_search_part, context, jobs, workers or default_workers())
    part_decisions: tuple[Decision, ...]
    spent = since_improvement = 0.0
    stopped = False
    for done, job in enumerate(jobs, start=1):
        searched = _routed_part(context, job) if stopped else next(results)
        vehicles += len(searched.routed) - len(job.swept.decisions)
        part_decisions, bound = searched.routed, job.swept.bound
        progress = Progress(spent, vehicles, lower_bound, since_improvement)
        if not stopped and stop.should_stop(progress):
            stopped = True
            results.close()  # cancels the searches not yet started
        if searched.refined is not None and not stopped:
            better, better_bound = searched.refined
            spent += job.seconds
            improved = len(better) < len(part_decisions) or better_bound > bound
            since_improvement = 0.0 if improved else since_improvement + job.seconds
            vehicles += len(better) - len(part_decisions)
            lower_bound += better_bound - bound
            part_decisions = better
            log.info(
                "searched a part of %d registrations: %d vehicles, lower bound %d",
                job.registrations,
                vehicles,
                lower_bound,
            )
        searched_decisions.append(part_decisions)
        if on_progress is not None:
            on_progress(Progress(spent, vehicles, lower_bound, since_improvement, done, len(jobs)))
    return SearchOutcome(
        [
            searched_decisions[job_of[i]] if i in job_of else part.decisions
            for i, part in enumerate(swept)
        ],
        lower_bound,
    )


def _routed_part(context: SearchContext, job: _PartJob) -> _Searched:
    """The routing component's plan where the part is one routing problem."""
    problem, part, swept = context.problem, job.swept.part, job.swept.decisions
    if len(swept) > 1 and routable(problem, part.registrations):
        return _Searched(_route(problem, part, swept))
    return _Searched(swept)


def _search_part(context: SearchContext, job: _PartJob) -> _Searched:
    """Route the part, then run the exact model on it while it stays above its bound."""
    routed = _routed_part(context, job).routed
    if len(routed) <= job.swept.bound:
        return _Searched(routed)
    return _Searched(routed, _refine(context, job, routed))


def _refine(
    context: SearchContext, job: _PartJob, decisions: tuple[Decision, ...]
) -> tuple[tuple[Decision, ...], int]:
    """Try the exact model on a part whose plan is above its bound; keep the better plan. Its
    wall-clock guard starts here, so the time other parts and the routing took (which grows
    with the problem and the machine's load, not with the budget) never cuts it short."""
    problem, registrations = context.problem, job.swept.part.registrations
    budget = Budget.starting_now(job.seconds)
    bound = job.swept.bound
    capacity = problem.largest_capacity
    half = budget.part(budget.seconds / 2)
    patterns = enumerate_patterns(problem, registrations, PATTERN_LIMIT, budget.deadline)
    if patterns is None:  # too large for the exact model: a relaxation still bounds it
        return decisions, max(bound, relaxed_stop_bound(problem, registrations, capacity, budget))
    bound = max(bound, cover_lower_bound(registrations, patterns, capacity, half))
    if len(decisions) <= bound:
        return decisions, bound
    result = solve_part_exactly(
        problem,
        registrations,
        patterns,
        largest_type(problem, problem.available_types),
        half,
        context.seed,
        hint=decisions,
    )
    if result is None:  # the model was too large to build: the relaxation bounds it
        return decisions, max(bound, relaxed_stop_bound(problem, registrations, capacity, half))
    better = downsized(problem, result.decisions)
    bound = max(bound, result.vehicles_bound)
    if (len(better), stops_of(better)) < (len(decisions), stops_of(decisions)):
        return better, bound
    return decisions, bound


def _route(problem: Problem, part: Part, decisions: tuple[Decision, ...]) -> tuple[Decision, ...]:
    """The routing component's plan for a one-date, one-drop-off part, where it is better
    (fewer vehicles, then stops, then km) than the sweep's."""
    biggest = largest_type(problem, problem.available_types)
    routed = downsized(
        problem,
        route_part(problem, part.registrations, biggest, problem.capacity(biggest).effective),
    )
    return routed if plan_rank(problem, routed) < plan_rank(problem, decisions) else decisions

"""Lower bounds on the vehicles a plan needs."""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence

from pointplan.domain.registration import Registration
from pointplan.problem import Problem
from pointplan.solvers.budget import Budget
from pointplan.solvers.decision import PlaceKey, place_key
from pointplan.solvers.decompose import Part, decompose
from pointplan.solvers.exact import Pattern, stop_sets
from pointplan.solvers.ortools_adapter import (
    CP_SAT_DEFAULT_SEED,
    CpModel,
    LpVariable,
    SolverFault,
    lp_optimum,
    new_lp,
    solve_cp,
)

log = logging.getLogger(__name__)


def _cover_spans(days: int, required: Callable[[int, int], int]) -> int:
    """Fewest vehicles over `days` days such that every span [a, b] has `required(a, b)`.

    Sweeping spans by their last day and adding any shortfall on that day is exact: a
    vehicle on the last day of a span lies in every later span that an earlier day would.
    """
    vehicles = [0] * days
    for b in range(days):
        placed = 0
        need = 0
        for a in range(b, -1, -1):
            placed += vehicles[a] if a < b else 0
            need = max(need, required(a, b) - placed)
        vehicles[b] = need
    return sum(vehicles)


def window_lower_bound(registrations: Sequence[Registration], capacity: int) -> int:
    """Vehicles needed by registrations that may share trips, counting their date windows.

    For every span of days [a, b], the people whose whole window lies inside it travel on
    vehicles leaving in it, so those vehicles number at least ceil(people / capacity). Never
    below ceil(all people / capacity).
    """
    if not registrations or capacity <= 0:
        return 0
    _, days, within = _spans(registrations)
    return _cover_spans(
        days, lambda a, b: math.ceil(sum(r.party_size for r in within(a, b)) / capacity)
    )


def cover_lower_bound(
    registrations: Sequence[Registration],
    patterns: Sequence[Pattern],
    capacity: int,
    budget: Budget,
) -> int:
    """`window_lower_bound` strengthened by the stop limits.

    The vehicles leaving in a span [a, b] must also visit every (pickup, drop-off) pair of
    the registrations whose window lies inside it, each vehicle covering the pairs of one
    pattern (at most `max_pickups` x `max_dropoffs` nearby stops). The least number of
    patterns covering those pairs (a set cover, bounded by CP-SAT) is a second requirement
    of the span; the larger of the two counts. `patterns` must be every pattern of the part.
    Spans left when the `budget`'s seconds of solver work are spent count people only (still
    a valid bound); work, not the clock, is counted so that the result is reproducible.
    """
    left = [budget.seconds]
    if not registrations or capacity <= 0:
        return 0
    _, days, within = _spans(registrations)
    coverage = [{(p, d) for p in pattern.pickups for d in pattern.dropoffs} for pattern in patterns]
    covers: dict[frozenset[tuple[PlaceKey, PlaceKey]], int] = {}

    def required(a: int, b: int) -> int:
        inside = within(a, b)
        people = math.ceil(sum(r.party_size for r in inside) / capacity)
        pairs = frozenset((place_key(r.pickup), place_key(r.dropoff)) for r in inside)
        if pairs not in covers:
            if left[0] <= 0 or budget.expired:
                return people
            covers[pairs], spent = _set_cover_bound(pairs, coverage, budget.part(min(2.0, left[0])))
            left[0] -= spent
        return max(people, covers[pairs])

    return _cover_spans(days, required)


def _spans(
    registrations: Sequence[Registration],
) -> tuple[dt.date, int, Callable[[int, int], list[Registration]]]:
    first = min(r.earliest_date for r in registrations)
    days = (max(r.latest_date for r in registrations) - first).days + 1

    def within(a: int, b: int) -> list[Registration]:
        return [
            r
            for r in registrations
            if (r.earliest_date - first).days >= a and (r.latest_date - first).days <= b
        ]

    return first, days, within


def _set_cover_bound(
    universe: frozenset[tuple[PlaceKey, PlaceKey]],
    coverage: Sequence[set[tuple[PlaceKey, PlaceKey]]],
    budget: Budget,
) -> tuple[int, float]:
    """A lower bound on the sets covering `universe` (exact when CP-SAT finishes), and the
    budgeted seconds spent. The proven bound holds whether or not the search finished."""
    if len(universe) <= 1:
        return len(universe), 0.0
    useful = [c & universe for c in coverage if c & universe]
    model = CpModel()
    chosen = [model.new_bool_var("") for _ in useful]
    for element in sorted(universe):
        model.add_bool_or([v for v, c in zip(chosen, useful, strict=True) if element in c])
    model.minimize(sum(chosen))
    # The bound's search does not depend on the plan's seed.
    answer = solve_cp(model, budget.cp_limit(), seed=CP_SAT_DEFAULT_SEED, linearization_level=2)
    if answer.status == "INFEASIBLE":  # every pair is a pattern of its own: a fault of ours
        raise SolverFault("a (pickup, drop-off) pair is covered by no stop pattern")
    spent = Budget.seconds_in(answer.deterministic_time)
    return max(1, math.ceil(answer.bound - 1e-6)), spent


# A calibrated rate (reference machine, model building included): the relaxation below is
# only built when its size fits the part's share of the budget, so that which parts get it
# does not depend on the clock.
LP_VARIABLES_PER_SECOND = 10_000
MAX_LP_VARIABLES = 50_000  # the LP's time grows faster than its size beyond this
SMALL_LP_VARIABLES = 5_000  # a few tenths of a second: always worth it, whatever the share


def relaxed_stop_bound(
    problem: Problem,
    registrations: Sequence[Registration],
    capacity: int,
    budget: Budget,
) -> int:
    """A lower bound for parts too large to enumerate their stop patterns: the LP relaxation
    of a one-sided pattern model, 0 when it does not fit the `budget`'s seconds.

    It keeps one side's stop limit and radius (the side with more stops per allowed stop,
    where they bind), the date windows and the capacity; it relaxes the other side, party
    wholeness and whole vehicles, and keeps the cut "people of a class riding in a vehicle
    slot need a vehicle there". Every plan is a solution, so the LP optimum rounded up is a
    valid bound. Only maximal stop sets are used: every vehicle's stops lie in one of them.
    The LP is built when its size fits the budget at the calibrated rate (small ones always,
    none over `MAX_LP_VARIABLES`): decided by size, so the result does not depend on the clock.
    """
    policy = problem.policy
    side = max(
        ("dropoff", "pickup"),
        key=lambda name: (
            len({place_key(getattr(r, name)) for r in registrations})
            / getattr(policy, f"max_{name}s")
        ),
    )
    places = {place_key(getattr(r, side)): getattr(r, side) for r in registrations}
    sets = stop_sets(
        problem, places, getattr(policy, f"{side}_radius_km"), getattr(policy, f"max_{side}s")
    )
    sets = [s for s in sets if not any(s < t for t in sets if len(t) == len(s) + 1)]
    first = min(r.earliest_date for r in registrations)
    people: dict[tuple[PlaceKey, int, int], int] = defaultdict(int)
    for r in registrations:
        window = ((r.earliest_date - first).days, (r.latest_date - first).days)
        people[place_key(getattr(r, side)), *window] += r.party_size
    containing: dict[PlaceKey, list[int]] = defaultdict(list)
    for index, stop_set in enumerate(sets):
        for place in stop_set:
            containing[place].append(index)
    size = sum(len(containing[p]) * (b - a + 1) for p, a, b in people)
    allowed = max(SMALL_LP_VARIABLES, budget.seconds * LP_VARIABLES_PER_SECOND)
    if size > min(MAX_LP_VARIABLES, allowed):
        log.info("relaxed bound skipped: %d variables is over the part's share", size)
        return 0
    solver = new_lp(budget.deadline)
    vehicles: dict[tuple[int, int], LpVariable] = {}
    aboard: dict[tuple[int, int], list[LpVariable]] = defaultdict(list)
    for (place, earliest, latest), count in sorted(people.items()):
        options = []
        for set_index in containing[place]:
            for day in range(earliest, latest + 1):
                slot = (set_index, day)
                if slot not in vehicles:
                    vehicles[slot] = solver.NumVar(0, solver.infinity(), "")
                riders = solver.NumVar(0, count, "")
                solver.Add(riders <= count * vehicles[slot])
                aboard[slot].append(riders)
                options.append(riders)
        solver.Add(solver.Sum(options) == count)
    for slot, riders_there in aboard.items():
        solver.Add(solver.Sum(riders_there) <= capacity * vehicles[slot])
    solver.Minimize(solver.Sum(list(vehicles.values())))
    optimum = lp_optimum(solver)
    if optimum is None:  # stopped at the deadline: no bound from it
        return 0
    bound = max(0, math.ceil(optimum - 1e-6))
    log.info("relaxed bound of a part (%s side, %d variables): %d", side, size, bound)
    return bound


def parts_lower_bound(
    problem: Problem, served: Collection[str], parts: list[Part] | None = None
) -> int:
    """Vehicles any plan needs to carry the registrations `served`.

    No trip spans two parts (see `decompose`), so the bound is the sum over parts of their
    `window_lower_bound`: never weaker than ceil(all people / largest capacity), and much
    stronger when demand is scattered in space or time.
    """
    capacity = problem.largest_capacity
    return sum(
        window_lower_bound([r for r in part.registrations if r.registration_id in served], capacity)
        for part in (parts if parts is not None else decompose(problem))
    )

"""Decomposition into parts never separates two registrations that could share a trip."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from pointplan.domain import Fleet, Place, Policy, Registration
from pointplan.io.config import default_fleet
from pointplan.problem import Problem
from pointplan.solvers.bounds import parts_lower_bound, window_lower_bound
from pointplan.solvers.decompose import decompose
from pointplan.solvers.seating import with_capacities
from tests.conftest import BAOTOU, HOHHOT, TUZUOQI, registration_strategy

DAY = dt.date(2022, 11, 21)
PLACES = [
    HOHHOT,
    TUZUOQI,
    BAOTOU,
    Place(label="x", lat=40.8, lon=111.0),
    Place(label="y", lat=41.2, lon=111.7),
    Place(label="z", lat=40.5, lon=110.3),
]


def could_share(a: Registration, b: Registration, problem: Problem) -> bool:
    """The hard rules' own test: same direction, pickups and drop-offs near, windows overlap."""
    policy, km = problem.policy, problem.distances.straight_km
    same_pickup = (a.pickup.lat, a.pickup.lon, a.pickup.label) == (
        b.pickup.lat,
        b.pickup.lon,
        b.pickup.label,
    )
    same_dropoff = (a.dropoff.lat, a.dropoff.lon, a.dropoff.label) == (
        b.dropoff.lat,
        b.dropoff.lon,
        b.dropoff.label,
    )
    pickups_ok = same_pickup or (
        policy.max_pickups > 1 and km(a.pickup, b.pickup) <= policy.pickup_radius_km
    )
    dropoffs_ok = same_dropoff or (
        policy.max_dropoffs > 1 and km(a.dropoff, b.dropoff) <= policy.dropoff_radius_km
    )
    windows_overlap = a.earliest_date <= b.latest_date and b.earliest_date <= a.latest_date
    return a.direction == b.direction and pickups_ok and dropoffs_ok and windows_overlap


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    regs = draw(registration_strategy(PLACES, "D", 30, 8))
    policy = Policy(
        pickup_radius_km=draw(st.sampled_from([0, 30, 60, 120])),
        dropoff_radius_km=draw(st.sampled_from([0, 30, 60, 120])),
        max_pickups=draw(st.integers(1, 3)),
        max_dropoffs=draw(st.integers(1, 3)),
    )
    return Problem(tuple(regs), default_fleet(), policy)


@settings(max_examples=200, deadline=None)
@given(problem=problems())
def test_could_share_means_same_part(problem: Problem) -> None:
    """Every registration is in exactly one part, and any two that could share are together."""
    parts = decompose(problem)
    part_of = {r.registration_id: i for i, part in enumerate(parts) for r in part.registrations}
    assert sorted(part_of) == sorted(r.registration_id for r in problem.registrations)
    assert sum(len(p.registrations) for p in parts) == len(problem.registrations)
    for a, b in itertools.combinations(problem.registrations, 2):
        if could_share(a, b, problem):
            assert part_of[a.registration_id] == part_of[b.registration_id]


@settings(max_examples=100, deadline=None)
@given(problem=problems())
def test_part_bound_is_at_least_the_simple_bound(problem: Problem) -> None:
    """The sum of the parts' ceilings is never below ceil(all people / largest capacity)."""
    problem = with_capacities(problem)
    served = {r.registration_id for r in problem.registrations}
    capacity = problem.largest_capacity
    simple = -(-problem.passengers // capacity)
    assert parts_lower_bound(problem, served) >= simple


def test_far_apart_pickups_make_separate_parts(fleet: Fleet) -> None:
    """Hohhot and Baotou (over 60 km apart) to the same place are separate parts."""
    regs = tuple(
        Registration(
            registration_id=f"R{i}",
            direction="return_to_work",
            origin=origin,
            destination=TUZUOQI,
            pickup=origin,
            dropoff=TUZUOQI,
            earliest_date=DAY,
            latest_date=DAY,
        )
        for i, origin in enumerate([HOHHOT, BAOTOU])
    )
    assert len(decompose(Problem(regs, fleet, Policy()))) == 2
    assert len(decompose(Problem(regs, fleet, Policy(pickup_radius_km=200)))) == 1


def _covering_optimum(regs: list[Registration], capacity: int) -> int:
    """The span-covering relaxation solved exactly by CP-SAT (for comparison)."""
    from ortools.sat.python import cp_model

    first = min(r.earliest_date for r in regs)
    days = (max(r.latest_date for r in regs) - first).days + 1
    model = cp_model.CpModel()
    v = [model.new_int_var(0, 1000, f"v{d}") for d in range(days)]
    for a in range(days):
        for b in range(a, days):
            people = sum(
                r.party_size
                for r in regs
                if (r.earliest_date - first).days >= a and (r.latest_date - first).days <= b
            )
            model.add(sum(v[a : b + 1]) * capacity >= people)
    model.minimize(sum(v))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    return int(solver.objective_value)


@settings(max_examples=150, deadline=None)
@given(problem=problems(), capacity=st.integers(1, 12))
def test_window_bound_is_the_exact_covering_optimum(problem: Problem, capacity: int) -> None:
    """The sweep finds the exact optimum of the span-covering relaxation (so it is valid)."""
    regs = list(problem.registrations)
    assert window_lower_bound(regs, capacity) == _covering_optimum(regs, capacity)

"""The routing component against brute force, a published optimum, and inside the planner."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.cvrp import read_cvrplib, solve_pointplan, tour_cost
from pointplan.domain import Fleet, Place, Policy
from pointplan.domain.places import Location
from pointplan.geo.distances import geodesic_km, geodesic_within
from pointplan.problem import Problem
from pointplan.solve import solve
from pointplan.solvers.routed import _loads, routable
from pointplan.solvers.routing import capacitated_routes, shortest_path
from pointplan.solvers.seating import effective_capacity
from tests.conftest import BAOTOU, DATA_ROOT, RegistrationFactory, assert_valid_plan

DATA = DATA_ROOT


def _random_instance(seed: int, customers: int) -> tuple[list[list[int]], list[int]]:
    rng = random.Random(seed)
    xy = [(rng.randint(0, 100), rng.randint(0, 100)) for _ in range(customers + 1)]
    distance = [[round(math.dist(a, b)) for b in xy] for a in xy]
    return distance, [0] + [rng.randint(1, 6) for _ in range(customers)]


def _path_cost(distance: list[list[int]], nodes: tuple[int, ...] | list[int]) -> int:
    return sum(distance[a][b] for a, b in itertools.pairwise(nodes))


def _brute_force(distance: list[list[int]], demand: list[int], capacity: int) -> tuple[int, int]:
    """(vehicles, metres) of the best plan where routes start anywhere and end at node 0."""
    customers = list(range(1, len(demand)))
    best: tuple[int, int] | None = None

    def partitions(items: list[int]) -> itertools.chain[list[list[int]]]:
        if not items:
            return itertools.chain([[]])
        first, rest = items[0], items[1:]
        out = []
        for sub in partitions(rest):
            out.append([[first], *sub])
            for i in range(len(sub)):
                out.append([*sub[:i], [first, *sub[i]], *sub[i + 1 :]])
        return itertools.chain(out)

    for groups in partitions(customers):
        if any(sum(demand[c] for c in g) > capacity for g in groups):
            continue
        cost = sum(
            min(_path_cost(distance, (*order, 0)) for order in itertools.permutations(g))
            for g in groups
        )
        if best is None or (len(groups), cost) < best:
            best = (len(groups), cost)
    assert best is not None
    return best


@pytest.mark.parametrize("seed", range(12))
def test_routes_match_brute_force_on_small_instances(seed: int) -> None:
    distance, demand = _random_instance(seed, customers=6)
    routes = capacitated_routes(distance, demand, capacity=9, end=0)
    assert routes is not None
    assert sorted(c for route in routes for c in route) == list(range(1, 7))
    assert all(sum(demand[c] for c in route) <= 9 for route in routes)
    cost = sum(_path_cost(distance, [*route, 0]) for route in routes)
    assert (len(routes), cost) == _brute_force(distance, demand, capacity=9)


def test_stop_limit_and_oversized_node() -> None:
    distance, demand = _random_instance(3, customers=7)
    routes = capacitated_routes(distance, demand, capacity=100, end=0, max_stops=2)
    assert routes is not None and len(routes) == 4 and all(len(r) <= 2 for r in routes)
    assert capacitated_routes(distance, [0, 50, 1, 1, 1, 1, 1, 1], capacity=10, end=0) is None


def test_augerat_a_n32_k5_reaches_the_published_optimum() -> None:
    """A closed-tour CVRP (start and end at the depot): 5 routes, cost 784 (proven optimal)."""
    instance = read_cvrplib(DATA / "A-n32-k5.vrp")
    routes = solve_pointplan(instance, iterations_per_customer=100)
    assert len(routes) == 5
    assert tour_cost(instance.distance, routes) == 784


@pytest.mark.parametrize("seed", range(8))
def test_shortest_path_visits_pickups_first_and_is_shortest(seed: int) -> None:
    distance, _ = _random_instance(seed, customers=6)  # 7 nodes: 4 pickups, 3 drop-offs
    order = shortest_path(distance, first=4)
    assert sorted(order[:4]) == [0, 1, 2, 3] and sorted(order[4:]) == [4, 5, 6]
    best = min(
        _path_cost(distance, p + d)
        for p in itertools.permutations(range(4))
        for d in itertools.permutations(range(4, 7))
    )
    assert _path_cost(distance, order) == best


@given(
    lat=st.floats(-60, 60),
    lon=st.floats(-170, 170),
    dlat=st.floats(-3, 3),
    dlon=st.floats(-3, 3),
    scale=st.floats(0.97, 1.03),
)
@settings(max_examples=300, deadline=None)
def test_the_fast_radius_test_agrees_with_the_geodesic(
    lat: float, lon: float, dlat: float, dlon: float, scale: float
) -> None:
    a, b = Location(lat=lat, lon=lon), Location(lat=lat + dlat, lon=lon + dlon)
    radius = geodesic_km(a, b) * scale
    assert geodesic_within(a, b, radius) == (geodesic_km(a, b) <= radius)


def _peer_like(make_registration: RegistrationFactory, pickups: int, seed: int) -> Problem:
    """One date, one drop-off, many pickups around Hohhot, no stop limit or radius."""
    rng = random.Random(seed)
    registrations = []
    for _ in range(3 * pickups):
        spot = rng.randrange(pickups)
        place = Place(
            label=f"pickup {spot}",
            lat=40.5 + (spot * 0.137) % 1.1,
            lon=110.6 + (spot * 0.291) % 1.6,
        )
        registrations.append(
            make_registration(origin=place, destination=BAOTOU, party_size=rng.randint(1, 4))
        )
    policy = Policy(max_pickups=1000, max_dropoffs=1, pickup_radius_km=5000)
    fleet = Fleet.model_validate(
        {
            "vehicle_types": [
                {
                    "name": "coach",
                    "layout": ["AB|CD"] * 11 + ["ABCDE"],
                    "rated_seats": 49,
                    "cost_per_km": 8,
                }
            ]
        }
    )
    return Problem(tuple(registrations), fleet, policy)


def test_a_many_pickup_part_is_routed_with_the_fewest_vehicles(
    make_registration: RegistrationFactory,
) -> None:
    problem = _peer_like(make_registration, pickups=14, seed=1)
    assert routable(problem, problem.registrations)
    plan = solve(problem, seed=0)
    capacity = effective_capacity(problem.fleet.vehicle_types[0], problem.policy)
    assert plan.summary.vehicles == math.ceil(problem.passengers / capacity)
    assert plan.summary.vehicles == plan.summary.vehicles_lower_bound
    assert_valid_plan(plan, problem.registrations, problem.fleet, problem.policy)
    assert solve(problem, seed=0).trips == plan.trips  # deterministic
    greedy = solve(problem, solver="greedy")
    assert plan.summary.distance_km < greedy.summary.distance_km


def test_not_routable_across_dates_or_drop_offs(make_registration: RegistrationFactory) -> None:
    problem = _peer_like(make_registration, pickups=4, seed=2)
    later = make_registration(
        earliest_date=dt.date(2022, 11, 22), latest_date=dt.date(2022, 11, 22)
    )
    assert not routable(problem, (*problem.registrations, later))
    elsewhere = make_registration(destination=Place(label="x", lat=41.0, lon=109.0))
    assert not routable(problem, (*problem.registrations, elsewhere))


def test_a_crowded_pickup_is_split_into_vehicle_loads(
    make_registration: RegistrationFactory,
) -> None:
    crowd = [make_registration(party_size=size) for size in (4, 4, 3, 3, 3, 2, 2, 1, 1)]
    loads = _loads(crowd, capacity=10)
    assert all(sum(r.party_size for r in load) <= 10 for load in loads)
    assert sorted(r.registration_id for load in loads for r in load) == sorted(
        r.registration_id for r in crowd
    )
    assert len(loads) == math.ceil(sum(r.party_size for r in crowd) / 10)


def test_the_peer_class_instance_is_planned_at_its_bound() -> None:
    """The peer benchmark's instance (small): every group gets the bin-packing number of
    vehicles, and the plan keeps every rule."""
    from benchmarks.peers import peer_problem

    problem = peer_problem(400, seed=3)
    plan = solve(problem, seed=0)
    assert plan.summary.vehicles == plan.summary.vehicles_lower_bound
    assert plan.summary.served_passengers == problem.passengers
    assert_valid_plan(plan, problem.registrations, problem.fleet, problem.policy)

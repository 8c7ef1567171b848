"""The network planner's first pieces (docs/networks.md): demand by class, the same whatever
the input's order; candidate journeys through hubs, direct always first, only hubs on the
way, within the detour and the legs the policy allows."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter

from pointplan.builder import build_problem
from pointplan.domain.places import Place, Point, PointKind
from pointplan.domain.policy import Policy
from pointplan.domain.registration import Registration
from pointplan.io import read_points
from pointplan.io.config import default_fleet
from pointplan.problem import Problem
from pointplan.solvers.network import candidate_itineraries, demand_classes
from pointplan.solvers.network.itineraries import DETOUR, HUB_REACH_KM, Itinerary
from pointplan.solvers.network.model import plan_network
from pointplan.solvers.network.search import ArcPrices, Carrier, _improved, arcs_of
from pointplan.solvers.network.zones import zone_of
from pointplan.solvers.ortools_adapter import WorkLimit
from pointplan.solvers.seating import with_capacities
from pointplan.synthetic import make_week
from tests.conftest import BEIJING, BEIJING_STATION, HOHHOT_STATION, party, rail_fleet

DAY = dt.date(2022, 11, 21)
TRANSFERS = Policy().model_copy(update={"transfers": True})  # checkable, not plannable yet


def week() -> tuple[list[Registration], list[Point]]:
    """A synthetic week's registrations and its points."""
    made = make_week(400, seed=6)
    points = read_points(made.points)
    problem = build_problem(made.registrations, points=points)
    return list(problem.registrations), list(points)


def test_classes_group_alike_registrations_in_any_order() -> None:
    """Same direction, pickup, drop-off and window: one class; shuffled input, same
    classes; every registration in exactly one."""
    registrations, _ = week()
    classes = demand_classes(registrations)
    shuffled = registrations[:]
    random.Random(1).shuffle(shuffled)
    assert demand_classes(shuffled) == classes
    members = [r.registration_id for c in classes for r in c.registrations]
    assert sorted(members) == sorted(r.registration_id for r in registrations)
    assert sum(c.people for c in classes) == sum(r.party_size for r in registrations)
    for c in classes:
        assert {(r.pickup, r.dropoff, r.earliest_date, r.latest_date) for r in c.registrations} == {
            (c.pickup, c.dropoff, c.first, c.last)
        }
        assert c.window() == c.registrations[0].window()
    assert len(classes) < len(registrations)  # some registrations do share a class


def test_journeys_through_hubs_stay_near_the_ends_and_direct_comes_first() -> None:
    """Without transfers only the direct journey; with them, journeys through hubs (never
    stations) near the ends, at most DETOUR longer than direct; `max_legs` 2 leaves out the
    journeys of three legs."""
    registrations, points = week()
    problem = build_problem(registrations)
    hubs = [p for p in points if p.kind != PointKind.STOP]
    distances = problem.distances
    through_hubs = 0
    for demand in demand_classes(registrations)[:80]:
        direct_only = candidate_itineraries(demand, hubs, distances, Policy())
        assert [i.legs for i in direct_only] == [("direct",)]
        found = candidate_itineraries(demand, hubs, distances, TRANSFERS)
        assert found[0] == direct_only[0]
        direct_km = found[0].km
        for journey in found[1:]:
            through_hubs += 1
            assert all(getattr(h, "kind", None) == PointKind.HUB for h in journey.hubs)
            assert journey.km <= (1 + DETOUR) * direct_km + 1e-9
            assert journey.places[0] == demand.pickup and journey.places[-1] == demand.dropoff
            assert len(journey.legs) == len(journey.places) - 1 <= TRANSFERS.max_legs
            first_hub, last_hub = journey.hubs[0], journey.hubs[-1]
            if journey.legs[0] == "feeder":
                assert distances.within_km(demand.pickup, first_hub, HUB_REACH_KM)
            if journey.legs[-1] == "distribution":
                assert distances.within_km(last_hub, demand.dropoff, HUB_REACH_KM)
        two = candidate_itineraries(
            demand, hubs, distances, TRANSFERS.model_copy(update={"max_legs": 2})
        )
        assert [i for i in found if len(i.legs) <= 2] == two
    assert through_hubs > 0


def test_the_network_model_gathers_small_flows_at_a_hub() -> None:
    """Three parties of two from three Hohhot districts to Beijing: direct, three vehicles
    drive the long way; with a gathering hub in Hohhot, three short feeders and one coach
    cost less, and the model takes that. Without transfers it runs the cheapest vehicle on
    each direct arc, as priced; the same answer twice."""
    hub = Point(point_id="GH-1501", label="呼和浩特市集中转运点", lat=40.84, lon=111.70,
                adcode="1501", kind=PointKind.HUB)  # fmt: skip
    near = [(40.86, 111.67), (40.80, 111.75), (40.95, 111.60)]
    registrations = [
        party(f"R{n}", Place(label=f"pickup {n}", lat=lat, lon=lon), BEIJING, DAY, size=2)
        for n, (lat, lon) in enumerate(near)
    ]
    problem = with_capacities(Problem(tuple(registrations), default_fleet(), Policy()))
    carriers = [Carrier(vt, problem.capacity(vt).effective) for vt in problem.fleet.vehicle_types]
    classes = demand_classes(registrations)
    limit = WorkLimit(deterministic_time=5.0, wall_seconds=30.0)

    def journeys(policy: Policy) -> list[list[Itinerary]]:
        return [candidate_itineraries(c, [hub], problem.distances, policy) for c in classes]

    direct = plan_network(classes, journeys(Policy()), carriers, problem.distances, limit)
    cheapest = {
        c.pickup.label: min(
            round(vt.cost_per_trip + vt.cost_per_km * problem.distances.road_km(c.pickup, BEIJING))
            for vt in problem.fleet.vehicle_types
        )
        for c in classes
    }
    assert direct.status == "OPTIMAL" and direct.cost == sum(cheapest.values())
    assert sum(direct.vehicles.values()) == 3
    gathered = plan_network(classes, journeys(TRANSFERS), carriers, problem.distances, limit)
    assert gathered.status == "OPTIMAL" and gathered.cost < direct.cost
    via_hub = {c: journeys(TRANSFERS)[c][i].hubs for (c, i, _), n in gathered.people.items() if n}
    assert all(hubs == (hub,) for hubs in via_hub.values()) and len(via_hub) == 3
    to_beijing = [n for (arc, _, _), n in gathered.vehicles.items() if arc[1] == zone_of(BEIJING)]
    assert sum(to_beijing) == 1  # one vehicle drives the long way
    again = plan_network(classes, journeys(TRANSFERS), carriers, problem.distances, limit)
    assert again == gathered


def test_the_search_empties_a_rail_car_that_no_class_would_leave_alone() -> None:
    """Two lone travellers from Hohhot to Beijing, both started on one rail car between the
    stations (as the search's most gathered start puts them): either leaving alone saves
    nothing while the car runs for the other, so moves of one class stay put; emptying the
    car at once sends both direct, for less, and the search does it."""
    stations = [HOHHOT_STATION, BEIJING_STATION]
    homes = [
        Place(label="home 0", lat=40.80, lon=111.60),
        Place(label="home 1", lat=40.95, lon=111.80),
    ]
    registrations = [party(f"R{n}", home, BEIJING, DAY) for n, home in enumerate(homes)]
    fleet = rail_fleet()
    rail = Policy().model_copy(update={"transfers": True, "rail": True})
    problem = with_capacities(Problem(tuple(registrations), fleet, rail))
    carriers = [Carrier(vt, problem.capacity(vt).effective) for vt in fleet.vehicle_types]
    classes = demand_classes(registrations)
    journeys = [candidate_itineraries(c, stations, problem.distances, rail) for c in classes]
    by_rail = [next(i for i, j in enumerate(mine) if "rail" in j.modes) for mine in journeys]
    arc_km = {
        arc: problem.distances.road_km(a, b)
        for mine in journeys
        for journey in mine
        for arc, (a, b) in zip(
            arcs_of(journey, zone_of), itertools.pairwise(journey.places), strict=True
        )
    }
    prices = ArcPrices(carriers, arc_km)
    routes = [[arcs_of(j, zone_of) for j in mine] for mine in journeys]
    start = [(i, DAY) for i in by_rail]

    def cost_of(chosen: list[int]) -> int:
        loads = Counter(arc for c, i in enumerate(chosen) for arc in routes[c][i])
        return sum(prices.cost(arc, n) for arc, n in loads.items())

    on_rail = cost_of(by_rail)
    assert cost_of([0, by_rail[1]]) >= on_rail <= cost_of([by_rail[0], 0])  # alone: no saving
    choice, cost = _improved(classes, routes, prices, {}, start, passes=6)
    assert choice == [(0, DAY), (0, DAY)]  # both direct
    assert cost == cost_of([0, 0]) < on_rail

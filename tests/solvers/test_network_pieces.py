"""The network planner's first pieces (docs/networks.md): demand by class, the same whatever
the input's order; candidate journeys through hubs, direct always first, only hubs on the
way, within the detour and the legs the policy allows."""

from __future__ import annotations

import random

from pointplan.builder import build_problem
from pointplan.domain.places import Point, PointKind
from pointplan.domain.policy import Policy
from pointplan.domain.registration import Registration
from pointplan.io import read_points
from pointplan.solvers.network import candidate_itineraries, demand_classes
from pointplan.solvers.network.itineraries import DETOUR, HUB_REACH_KM
from pointplan.synthetic import make_week

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


def test_journeys_through_hubs_are_on_the_way_and_direct_comes_first() -> None:
    """Without transfers only the direct journey; with them, journeys through hubs (never
    stations) near the ends, each hub nearer the far end than the start, at most DETOUR
    longer than direct; `max_legs` 2 leaves out the journeys of three legs."""
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
                assert distances.road_km(first_hub, demand.dropoff) < direct_km
            if journey.legs[-1] == "distribution":
                assert distances.within_km(last_hub, demand.dropoff, HUB_REACH_KM)
        two = candidate_itineraries(
            demand, hubs, distances, TRANSFERS.model_copy(update={"max_legs": 2})
        )
        assert [i for i in found if len(i.legs) <= 2] == two
    assert through_hubs > 0

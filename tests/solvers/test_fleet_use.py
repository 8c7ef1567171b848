"""What the trips hold of a fleet with daily counts (pointplan.solvers.fleet_use): a trip
holds its vehicle from its date to its arrival's, so one arriving after midnight holds it
two days; `over_counts` names each type the trips take over its count and by how much on
its worst day, and `fleet_left` is what any day's plan may still use."""

from __future__ import annotations

import datetime as dt

from pointplan.domain.fleet import Fleet
from pointplan.domain.places import Place
from pointplan.domain.plan import Trip
from pointplan.domain.policy import Policy
from pointplan.io.config import default_fleet
from pointplan.problem import Problem
from pointplan.solvers.decision import Decision
from pointplan.solvers.fleet_use import FleetUse, fleet_left, on_the_road, over_counts
from pointplan.solvers.seating import with_capacities
from pointplan.solvers.trips import build_trip
from tests.conftest import BEIJING, HAILAR, HOHHOT, party

DAY = dt.date(2022, 11, 21)


def minibuses(count: int) -> Fleet:
    """The default fleet with `count` minibus-19 a day."""
    fleet = default_fleet()
    types = tuple(
        vt.model_copy(update={"count": count}) if vt.name == "minibus-19" else vt
        for vt in fleet.vehicle_types
    )
    return fleet.model_copy(update={"vehicle_types": types})


def trip(number: int, fleet: Fleet, home: Place, leaves: dt.time) -> Trip:
    """One minibus trip of one person from `home` to Beijing on DAY, leaving at `leaves`."""
    registration = party(f"R{number}", home, BEIJING, DAY)
    problem = with_capacities(Problem((registration,), fleet, Policy()))
    decision = Decision(fleet.by_name("minibus-19"), DAY, (registration,))
    return build_trip(f"T{number}", problem, decision, None, leaves)


def test_a_trip_past_midnight_holds_its_vehicle_two_days_and_over_counts_say_by_how_many() -> None:
    fleet = minibuses(1)
    short = trip(1, fleet, HOHHOT, dt.time(8, 0))  # Hohhot to Beijing: there by evening
    late = trip(2, fleet, HOHHOT, dt.time(18, 0))  # the same road, into the next day
    far = trip(3, fleet, HAILAR, dt.time(8, 0))  # Hailar to Beijing: over a day
    assert short.arrival is not None and short.arrival.date() == DAY
    assert late.arrival is not None and late.arrival.date() > DAY
    busy = on_the_road([short, late, far])
    next_day = DAY + dt.timedelta(days=1)
    assert busy["minibus-19", DAY] == 3
    assert busy["minibus-19", next_day] == 2
    assert over_counts(fleet, [short]) == {}
    assert over_counts(fleet, [short, late, far]) == {"minibus-19": 2}
    assert over_counts(minibuses(3), [short, late, far]) == {}
    left = fleet_left(minibuses(5), [short, late, far])
    assert left.by_name("minibus-19").count == 2  # five less the busiest day's three
    assert left.by_name("coach-53").count is None  # unlimited stays unlimited


def test_an_exchange_runs_new_trips_only_where_the_counts_leave_room() -> None:
    """`FleetUse.exchange` swaps taken trips for new ones, each as the cheapest type with room
    that seats it; when one new trip finds no vehicle nothing changes."""
    fleet = minibuses(1)
    problem = with_capacities(Problem((), fleet, Policy()))
    use = FleetUse(problem)
    coach = fleet.by_name("coach-53")
    riders = [party(f"R{i}", HOHHOT, BEIJING, DAY) for i in range(3)]
    old = [Decision(coach, DAY, (r,)) for r in riders]
    for decision in old:
        use.take(decision.vehicle_type, decision.date, decision.riders)

    two_trips = [Decision(coach, DAY, tuple(riders[:2])), Decision(coach, DAY, (riders[2],))]
    placed = use.exchange(old, two_trips)
    assert placed is not None
    assert sorted(d.vehicle_type.name for d in placed) == ["bus-33", "minibus-19"]
    assert use.used["minibus-19", DAY] == 1 and use.used["coach-53", DAY] == 0

    only_coaches = fleet.model_copy(
        update={
            "vehicle_types": tuple(
                vt.model_copy(update={"count": 1 if vt.name == "coach-53" else 0})
                for vt in fleet.vehicle_types
            )
        }
    )
    tight = FleetUse(with_capacities(Problem((), only_coaches, Policy())))
    one = [Decision(coach, DAY, tuple(riders))]
    tight.take(coach, DAY, riders)
    before = dict(tight.used)
    assert tight.exchange(one, [Decision(coach, DAY, (r,)) for r in riders]) is None
    assert dict(tight.used) == before  # refused: the taken trip still holds its coach

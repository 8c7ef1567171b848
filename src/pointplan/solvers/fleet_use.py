"""Which vehicles are in use on which day.

A fleet's `count` is the vehicles of a type available per day. A trip occupies its vehicle on
every day from its departure to its arrival, so a two-day run uses a vehicle on both days.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from pointplan.domain.driving import plan_timeline
from pointplan.domain.fleet import Fleet, VehicleType
from pointplan.domain.plan import Trip, Unassigned
from pointplan.domain.registration import Registration
from pointplan.problem import Problem
from pointplan.solvers.decision import Decision, PlaceKey, place_key
from pointplan.solvers.seating import fits
from pointplan.solvers.trips import ordered_route


class FleetUse:
    """Counts vehicles in use per type and day, and finds a type with room for a trip."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.used: Counter[tuple[str, dt.date]] = Counter()
        self._extra_days: dict[tuple[str, frozenset[PlaceKey], frozenset[PlaceKey]], int] = {}

    def free_on(self, types: Sequence[VehicleType], day: dt.date) -> list[VehicleType]:
        """The types with a vehicle left on `day`."""
        return [vt for vt in types if vt.count is None or self.used[vt.name, day] < vt.count]

    def days_on_road(
        self, vehicle_type: VehicleType, day: dt.date, load: Sequence[Registration]
    ) -> list[dt.date]:
        """The days a trip of this load leaving on `day` occupies its vehicle."""
        if vehicle_type.count is None:
            return [day]  # unlimited: only the departure day matters for messages
        key = (
            vehicle_type.name,
            frozenset(place_key(r.pickup) for r in load),
            frozenset(place_key(r.dropoff) for r in load),
        )
        if key not in self._extra_days:
            _, _, legs = ordered_route(self.problem, load)
            start = dt.datetime.combine(day, self.problem.policy.departure_time)
            policy = self.problem.policy.for_vehicle(vehicle_type)
            timeline = plan_timeline(start, legs, vehicle_type.speed_kmh, policy)
            self._extra_days[key] = (timeline.stop_arrivals[-1].date() - day).days
        return [day + dt.timedelta(days=i) for i in range(self._extra_days[key] + 1)]

    def pick(
        self, preference: Sequence[VehicleType], day: dt.date, load: Sequence[Registration]
    ) -> VehicleType | None:
        """The first type in `preference` that seats the load and has room all its days."""
        sizes = [r.party_size for r in load]
        for vehicle_type in preference:
            if not fits(self.problem, vehicle_type, sizes):
                continue
            days = self.days_on_road(vehicle_type, day, load)
            if vehicle_type.count is None or all(
                self.used[vehicle_type.name, d] < vehicle_type.count for d in days
            ):
                return vehicle_type
        return None

    def take(self, vehicle_type: VehicleType, day: dt.date, load: Sequence[Registration]) -> None:
        """Record a trip of this type leaving on `day`."""
        for d in self.days_on_road(vehicle_type, day, load):
            self.used[vehicle_type.name, d] += 1

    def give_back(
        self, vehicle_type: VehicleType, day: dt.date, load: Sequence[Registration]
    ) -> None:
        """Undo `take`: the trip of this type leaving on `day` no longer runs."""
        for d in self.days_on_road(vehicle_type, day, load):
            self.used[vehicle_type.name, d] -= 1

    def exchange(
        self, old: Sequence[Decision], new: Sequence[Decision]
    ) -> tuple[Decision, ...] | None:
        """Run the `new` trips instead of the `old` (taken) ones if the fleet has room for
        every one of them, each as the cheapest type that seats its load and has room (the
        day's largest loads choose first); the new trips so typed, or None with nothing
        changed when some trip finds no vehicle."""
        for decision in old:
            self.give_back(decision.vehicle_type, decision.date, decision.riders)
        types = cheapest_first(self.problem.available_types)
        placed: list[Decision] = []
        order = sorted(new, key=lambda d: (d.date, -sum(r.party_size for r in d.riders)))
        for decision in order:
            chosen = self.pick(types, decision.date, decision.riders)
            if chosen is None:
                for undo in placed:
                    self.give_back(undo.vehicle_type, undo.date, undo.riders)
                for decision_back in old:
                    self.take(decision_back.vehicle_type, decision_back.date, decision_back.riders)
                return None
            self.take(chosen, decision.date, decision.riders)
            placed.append(decision.on(chosen))
        return tuple(placed)

    def close_window(
        self, types: Sequence[VehicleType], registration: Registration, day: dt.date
    ) -> Decision | Unassigned:
        """The last resort when a window closes on `day` with no vehicle left.

        The party travels alone on an earlier day of its window where a vehicle is free
        (that vehicle is taken), or is reported with the reason.
        """
        for earlier in registration.window():
            if earlier >= day:
                break
            vehicle_type = self.pick(cheapest_first(types), earlier, [registration])
            if vehicle_type is not None:
                self.take(vehicle_type, earlier, [registration])
                return Decision(vehicle_type, earlier, (registration,))
        return Unassigned(
            registration_id=registration.registration_id,
            reason=(
                f"no vehicle free on any day of its window {registration.earliest_date}.."
                f"{registration.latest_date}; add vehicles or widen the window"
            ),
        )


def cheapest_first(types: Sequence[VehicleType]) -> list[VehicleType]:
    """Vehicle types in order of cost per trip, then per km."""
    return sorted(types, key=lambda vt: (vt.cost_per_trip, vt.cost_per_km, vt.name))


def on_the_road(trips: Sequence[Trip]) -> Counter[tuple[str, dt.date]]:
    """Vehicles of each type (by name) on the road each day: a trip holds its vehicle from
    its date to its arrival's."""
    busy: Counter[tuple[str, dt.date]] = Counter()
    for trip in trips:
        last = trip.arrival.date() if trip.arrival else trip.date
        day = trip.date
        while day <= last:
            busy[trip.vehicle_type, day] += 1
            day += dt.timedelta(days=1)
    return busy


def over_counts(fleet: Fleet, trips: Sequence[Trip]) -> Counter[str]:
    """For each vehicle type the trips use more of on some day than its daily count, by how
    many on its worst day (empty when the trips keep to the counts)."""
    counts = {vt.name: vt.count for vt in fleet.vehicle_types if vt.count is not None}
    over: Counter[str] = Counter()
    for (name, _), used in on_the_road(trips).items():
        if name in counts and used > counts[name]:
            over[name] = max(over[name], used - counts[name])
    return over


def fleet_left(fleet: Fleet, fixed: Sequence[Trip]) -> Fleet:
    """The fleet less the vehicles the fixed trips hold, counted on their busiest day (so
    that any day's plan on top of them keeps to the daily counts)."""
    most: Counter[str] = Counter()
    for (name, _), used in on_the_road(fixed).items():
        most[name] = max(most[name], used)
    return fleet.model_copy(
        update={
            "vehicle_types": tuple(
                vt
                if vt.count is None
                else vt.model_copy(update={"count": max(0, vt.count - most[vt.name])})
                for vt in fleet.vehicle_types
            )
        }
    )

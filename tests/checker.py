"""An independent checker of plan.json against its input and the hard rules of problem.md.

It reads the plan as plain JSON (not through pointplan's models) and re-derives every rule
from the layout, the policy and the registrations with code of its own, so that a bug in the
planner's seat, stop or driving logic cannot hide itself.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from geopy.distance import geodesic

from pointplan.domain import Fleet, Policy, Registration

TOLERANCE_KM = 1e-6
TOLERANCE_S = 1.0


def _parse_dt(text: str) -> dt.datetime:
    """A plan.json time as naive Beijing time (the clock the rules are written in)."""
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment
    return (moment.astimezone(dt.UTC) + dt.timedelta(hours=8)).replace(tzinfo=None)


def _seat_positions(layout: list[str]) -> dict[tuple[int, str], tuple[int, int]]:
    """(row, letter) -> (column, block) for every seat of a layout."""
    positions = {}
    for row_number, row in enumerate(layout, start=1):
        block = 0
        for column, char in enumerate(row):
            if char == "|":
                block += 1
            else:
                positions[row_number, char] = (column, block)
    return positions


_LOWER_IS_STRICTER = {
    "max_load_factor", "max_pickups", "max_dropoffs", "pickup_radius_km", "dropoff_radius_km",
    "continuous_day_hours", "continuous_night_hours", "daily_driving_hours_per_driver",
    "second_driver_km", "party_may_sit_together",
}  # fmt: skip


def _rules_of(trip: Mapping[str, Any], regs: Mapping[str, Registration], policy: Policy) -> Policy:
    """The rules a trip must keep (interchange.md, `overrides`): key by key the strictest
    value of every override holding for an area of one of its stops on its date, else the
    policy's."""
    if not policy.overrides:
        return policy
    day = dt.date.fromisoformat(trip["date"])
    riders = {rid for stop in trip["stops"] for rid in stop["registrations"] if rid in regs}
    areas = [a for rid in riders for a in (regs[rid].pickup.adcode, regs[rid].dropoff.adcode) if a]
    values: dict[str, Any] = {}
    for override in policy.overrides:
        if override.area is not None and not any(a.startswith(override.area) for a in areas):
            continue
        if (override.date_from and day < override.date_from) or (
            override.date_to and day > override.date_to
        ):
            continue
        for key, value in override.rules.items():
            if key in values:
                pick = min if key in _LOWER_IS_STRICTER else max
                value = pick(values[key], value)
            values[key] = value
    return policy.model_copy(update={**values, "overrides": ()})


def check_plan(
    plan: Mapping[str, Any],
    registrations: Iterable[Registration],
    fleet: Fleet,
    policy: Policy,
    rejected_rows: int = 0,
) -> list[str]:
    """Every violation of a hard rule or of "nothing lost" in `plan`; empty when it is valid."""
    regs = {r.registration_id: r for r in registrations}
    problems: list[str] = []
    problems += _check_everyone_once(plan, regs, rejected_rows, policy)
    per_day: Counter[tuple[str, str]] = Counter()
    for trip in plan["trips"]:
        # A vehicle is busy every day from its departure to its arrival.
        day = dt.date.fromisoformat(trip["date"])
        last = _parse_dt(trip["arrival"]).date() if trip.get("arrival") else day
        while day <= last:
            per_day[trip["vehicle_type"], day.isoformat()] += 1
            day += dt.timedelta(days=1)
        rules = _rules_of(trip, regs, policy)
        problems += [f"{trip['trip_id']}: {p}" for p in _check_trip(trip, regs, fleet, rules)]
        # Direct and trunk trips are held to the least (a re-plan's frozen trip everyone left
        # has 0 people: transport cancels it; re-plans have no least).
        chartered = trip.get("leg", "direct") in ("direct", "trunk")
        if (
            chartered
            and policy.min_trip_passengers > 1
            and trip["passengers"] < policy.min_trip_passengers
        ):
            problems.append(
                f"{trip['trip_id']}: {trip['passengers']} people, under "
                f"min_trip_passengers {policy.min_trip_passengers}"
            )
    for advice in plan.get("advised", []):
        if not advice.get("mode") or not advice.get("reason") or advice.get("cost", -1) < 0:
            problems.append(f"advised {advice['registration_id']}: no mode, reason or cost")
    for (name, date), used in per_day.items():
        count = fleet.by_name(name).count
        if count is not None and used > count:
            problems.append(
                f"{used} vehicles of {name} on the road on {date}, only {count} available"
            )
    problems += _check_summary(plan, regs, rejected_rows, fleet)
    if fleet.depots:
        problems += _check_buses(plan, fleet, policy)
    return problems


Leg = tuple[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]]
"""One leg of a registration's itinerary: the trip, the stop it boards at, the stop it
leaves at."""


def _itineraries(plan: Mapping[str, Any]) -> dict[str, list[Leg]]:
    """Each registration's legs, in the order it rides them (by the time it boards)."""
    legs: dict[str, list[Leg]] = {}
    for trip in plan["trips"]:
        boards = {
            rid: s for s in trip["stops"] if s["kind"] == "pickup" for rid in s["registrations"]
        }
        leaves = {
            rid: s for s in trip["stops"] if s["kind"] == "dropoff" for rid in s["registrations"]
        }
        for rid, stop in boards.items():
            if rid in leaves:
                legs.setdefault(rid, []).append((trip, stop, leaves[rid]))
    for found in legs.values():
        found.sort(key=lambda leg: _parse_dt(leg[1]["departure"] or leg[1]["arrival"]))
    return legs


def _at(stop: Mapping[str, Any], lat: float, lon: float) -> bool:
    return bool(abs(stop["lat"] - lat) <= 1e-9 and abs(stop["lon"] - lon) <= 1e-9)


def _check_itinerary(rid: str, legs: list[Leg], reg: Registration, policy: Policy) -> list[str]:
    """The chain of one registration's legs (interchange.md, "Plan: more fields"): at most
    `max_legs` with transfers (else one, direct), the first boarding at its pickup inside its
    window, the last leaving at its drop-off, consecutive legs meeting at one point with
    `transfer_minutes` between arrival and departure, and each leg's kind in its place."""
    problems = []
    allowed = policy.max_legs if policy.transfers else 1
    if len(legs) > allowed:
        problems.append(f"{rid} rides {len(legs)} legs, at most {allowed} allowed")
    (first, boards, _), (_, _, leaves) = legs[0], legs[-1]
    for stop, place, given, what in (
        (boards, reg.pickup, reg.pickup_point_id, "pickup"),
        (leaves, reg.dropoff, reg.dropoff_point_id, "dropoff"),
    ):
        if not _at(stop, place.lat, place.lon):
            problems.append(f"{rid} {what} is not at its {what} place")
        if given is not None and stop.get("point_id") != given:
            problems.append(f"{rid} asked for point {given}, got {stop.get('point_id')}")
    day = dt.date.fromisoformat(first["date"])
    if not reg.earliest_date <= day <= reg.latest_date:
        problems.append(f"{rid} travels on {day}, outside {reg.earliest_date}..{reg.latest_date}")
    gap = dt.timedelta(minutes=policy.transfer_minutes)
    for (before, _, arrives), (after, departs, _) in itertools.pairwise(legs):
        where = arrives.get("point_id")
        if where is None or departs.get("point_id") != where:
            problems.append(
                f"{rid} leaves {before['trip_id']} at {arrives['place']} but boards "
                f"{after['trip_id']} at {departs['place']}"
            )
        if _parse_dt(departs["departure"]) < _parse_dt(arrives["arrival"]) + gap:
            problems.append(
                f"{rid} has less than {policy.transfer_minutes} min between "
                f"{before['trip_id']} and {after['trip_id']} at {arrives['place']}"
            )
    kinds = [leg[0].get("leg", "direct") for leg in legs]
    if len(legs) == 1 and kinds[0] not in ("direct", "trunk"):
        problems.append(f"{rid} rides only a {kinds[0]} leg")
    if len(legs) > 1 and (
        "direct" in kinds
        or kinds[0] == "distribution"
        or kinds[-1] == "feeder"
        or any(kind != "trunk" for kind in kinds[1:-1])
    ):
        problems.append(f"{rid} rides legs in an impossible order: {', '.join(kinds)}")
    return problems


def _check_everyone_once(
    plan: Mapping[str, Any],
    regs: Mapping[str, Registration],
    rejected_rows: int,
    policy: Policy,
) -> list[str]:
    problems = []
    places: Counter[str] = Counter()
    for trip in plan["trips"]:
        picked = [rid for s in trip["stops"] if s["kind"] == "pickup" for rid in s["registrations"]]
        dropped = [
            rid for s in trip["stops"] if s["kind"] == "dropoff" for rid in s["registrations"]
        ]
        if sorted(picked) != sorted(dropped):
            problems.append(
                f"{trip['trip_id']}: picked up {sorted(set(picked) ^ set(dropped))} "
                "without dropping off, or the reverse"
            )
        if len(picked) != len(set(picked)):
            problems.append(f"{trip['trip_id']}: a registration boards twice")
    itineraries = _itineraries(plan)
    places.update(list(itineraries))
    places.update(u["registration_id"] for u in plan["unassigned"])
    places.update(a["registration_id"] for a in plan.get("advised", []))
    for rid, n in places.items():
        if n != 1:
            problems.append(f"registration {rid} appears {n} times")
        if rid not in regs:
            problems.append(f"registration {rid} is in the plan but not in the input")
        elif rid in itineraries:
            problems += _check_itinerary(rid, itineraries[rid], regs[rid], policy)
    missing = sorted(set(regs) - set(places))
    if missing:
        problems.append(f"registrations lost: {missing[:10]}")
    if len(plan["rejected"]) != rejected_rows:
        problems.append(f"{len(plan['rejected'])} rejected rows listed, {rejected_rows} expected")
    for unassigned in plan["unassigned"]:
        if not unassigned["reason"].strip():
            problems.append(f"unassigned {unassigned['registration_id']} has no reason")
    return problems


def _check_trip(
    trip: Mapping[str, Any], regs: Mapping[str, Registration], fleet: Fleet, policy: Policy
) -> list[str]:
    problems = []
    policy = _rules_for(trip, policy)
    try:
        vehicle = fleet.by_name(trip["vehicle_type"])
    except KeyError:
        return [f"unknown vehicle type {trip['vehicle_type']}"]
    if list(trip["layout"]) != list(vehicle.layout):
        problems.append("layout differs from the fleet's")
    stops = trip["stops"]
    kinds = [s["kind"] for s in stops]
    if kinds != sorted(kinds, key=lambda k: k != "pickup"):
        problems.append("a pickup comes after a drop-off")
    pickups = [s for s in stops if s["kind"] == "pickup"]
    dropoffs = [s for s in stops if s["kind"] == "dropoff"]
    if not pickups or not dropoffs:
        problems.append("a trip needs a pickup and a drop-off")
    if len(pickups) > policy.max_pickups:
        problems.append(f"{len(pickups)} pickups, limit {policy.max_pickups}")
    if len(dropoffs) > policy.max_dropoffs:
        problems.append(f"{len(dropoffs)} drop-offs, limit {policy.max_dropoffs}")
    for group, radius, name in (
        (pickups, policy.pickup_radius_km, "pickups"),
        (dropoffs, policy.dropoff_radius_km, "drop-offs"),
    ):
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                km = geodesic((a["lat"], a["lon"]), (b["lat"], b["lon"])).km
                if km > radius + TOLERANCE_KM:
                    problems.append(
                        f"{name} {a['place']} and {b['place']} are {km:.1f} km "
                        f"apart, radius {radius}"
                    )
    # Where each rider boards and leaves, and on which date, is its itinerary's to check.
    members = [rid for s in pickups for rid in s["registrations"]]
    people = 0
    for rid in members:
        reg = regs.get(rid)
        if reg is None:
            continue
        people += reg.party_size
        if reg.direction.value != trip["direction"]:
            problems.append(f"{rid} travels {reg.direction.value}, trip is {trip['direction']}")
    if trip.get("mode", "coach") == "rail" and (
        not policy.rail or trip.get("leg", "direct") != "trunk"
    ):
        problems.append("a rail trip that is not a trunk leg, or rail is off")
    if trip["passengers"] != people:
        problems.append(f"passengers {trip['passengers']} but parties add up to {people}")
    problems += _check_seats(trip, regs, vehicle.rated_seats, policy, people)
    if policy.driving_rules:
        problems += _check_driving(trip, policy)
    return problems


def _rules_for(trip: Mapping[str, Any], policy: Policy) -> Policy:
    """The rules a trip is held to: on rail cars (domain.md), a few isolation seats at the
    car's end instead of rear rows, an escort in every car, and no road driving rules."""
    if trip.get("mode", "coach") != "rail":
        return policy
    escorts = max(policy.escort_seats, policy.rail_escorts_per_car)
    return policy.model_copy(
        update={
            "reserved_rear_rows": 0,
            "isolation_seats": policy.rail_isolation_seats,
            "escort_seats": escorts,
            "driving_rules": False,
        }
    )


def _isolation_seats(layout: list[str], policy: Policy) -> set[tuple[int, str]]:
    """The last `isolation_seats` seats before the reserved rear rows, in seat order."""
    positions = _seat_positions(layout)
    ordered = sorted(positions, key=lambda key: (key[0], positions[key][0]))
    before_rear = [key for key in ordered if key[0] <= len(layout) - policy.reserved_rear_rows]
    return set(before_rear[len(before_rear) - policy.isolation_seats :])


def _check_seats(
    trip: Mapping[str, Any],
    regs: Mapping[str, Registration],
    rated: int,
    policy: Policy,
    people: int,
) -> list[str]:
    problems = []
    positions = _seat_positions(list(trip["layout"]))
    rows = len(trip["layout"])
    occupied: dict[tuple[int, str], str] = {}
    for escort in trip.get("escort_seats", []):
        occupied[escort["row"], escort["seat"]] = "#escort"
    if len(trip.get("escort_seats", [])) != policy.escort_seats:
        problems.append(
            f"{len(trip.get('escort_seats', []))} escort seats, policy asks {policy.escort_seats}"
        )
    per_registration: Counter[str] = Counter()
    for seat in trip["seats"]:
        key = (seat["row"], seat["seat"])
        if key not in positions:
            problems.append(f"seat {key} is not in the layout")
            continue
        if key in occupied:
            problems.append(f"seat {key} is taken twice")
        occupied[key] = seat["registration_id"]
        per_registration[seat["registration_id"]] += 1
    isolation = _isolation_seats(list(trip["layout"]), policy) if policy.isolation_seats else set()
    for key in occupied:
        if key[0] > rows - policy.reserved_rear_rows:
            problems.append(f"seat {key} is in the reserved rear rows")
        if key in isolation:
            problems.append(f"seat {key} is an isolation seat")
    members = {rid for s in trip["stops"] if s["kind"] == "pickup" for rid in s["registrations"]}
    for rid in sorted(members | set(per_registration)):
        if rid not in members:
            problems.append(f"{rid} has a seat but does not board")
        elif rid in regs and per_registration[rid] != regs[rid].party_size:
            problems.append(
                f"{rid} has {per_registration[rid]} seats for a party of {regs[rid].party_size}"
            )
    if len(trip["seats"]) != people:
        problems.append(f"{len(trip['seats'])} seats for {people} people")
    cap = math.floor(Decimal(str(policy.max_load_factor)) * rated)
    if people > cap:
        problems.append(f"{people} passengers over the load cap {cap}")
    if people > trip["capacity"]:
        problems.append(f"{people} passengers over the stated capacity {trip['capacity']}")
    by_position = {
        (key[0], positions[key][0]): (key, who) for key, who in occupied.items() if key in positions
    }
    for (row, column), (key, who) in by_position.items():
        neighbours = []
        if policy.alternate_seating:
            right = by_position.get((row, column + 1))
            if right and positions[right[0]][1] == positions[key][1]:
                neighbours.append(right)
        if policy.checkerboard:
            behind = by_position.get((row + 1, column))
            if behind:
                neighbours.append(behind)
        for other_key, other in neighbours:
            together = who == other and who != "#escort" and policy.party_may_sit_together
            if not together:
                problems.append(f"seats {key} ({who}) and {other_key} ({other}) are neighbours")
    return problems


def _night_intervals(
    start: dt.datetime, end: dt.datetime, policy: Policy
) -> list[tuple[dt.datetime, dt.datetime]]:
    intervals = []
    day = start.date() - dt.timedelta(days=1)
    while day <= end.date():
        night_start = dt.datetime.combine(day, policy.night_start)
        night_end = dt.datetime.combine(day, policy.night_end)
        if night_end <= night_start:
            night_end += dt.timedelta(days=1)
        intervals.append((night_start, night_end))
        day += dt.timedelta(days=1)
    return intervals


Event = tuple[str, dt.datetime, dt.datetime, float]


def _seconds_driving(drives: list[Event], start: dt.datetime, end: dt.datetime) -> float:
    """Seconds of driving between `start` and `end`."""
    return sum(
        (
            (min(e, end) - max(s, start)).total_seconds()
            for _, s, e, _ in drives
            if s < end and e > start
        ),
        0.0,
    )


def _check_driving(trip: Mapping[str, Any], policy: Policy) -> list[str]:
    problems = []
    events = [
        (e["kind"], _parse_dt(e["start"]), _parse_dt(e["end"]), e.get("km", 0.0))
        for e in trip["schedule"]
    ]
    if not events:
        return ["no schedule"]
    for (_, _, end, _), (_, start, _, _) in itertools.pairwise(events):
        if abs((start - end).total_seconds()) > TOLERANCE_S:
            problems.append("schedule events are not contiguous")
            break
    km = sum(e[3] for e in events if e[0] == "drive")
    if abs(km - trip["distance_km"]) > 0.01:
        problems.append(f"schedule drives {km:.2f} km, trip says {trip['distance_km']}")
    if trip["distance_km"] > policy.second_driver_km and trip["drivers"] < 2:
        problems.append(f"{trip['distance_km']:.0f} km with {trip['drivers']} driver")
    drives = [e for e in events if e[0] == "drive" and e[2] > e[1]]
    for _, start, end, _ in drives:
        for day in {start.date(), end.date()}:
            for d in (day - dt.timedelta(days=1), day):
                banned_start = dt.datetime.combine(d, policy.no_running_start)
                banned_end = dt.datetime.combine(d, policy.no_running_end)
                if banned_end <= banned_start:
                    banned_end += dt.timedelta(days=1)
                if start < banned_end and end > banned_start:
                    problems.append(
                        f"driving at {start:%Y-%m-%d %H:%M}-{end:%H:%M} crosses "
                        "the small-hours stop"
                    )
    # Continuous stretches: drives separated by breaks shorter than the rest.
    rest = dt.timedelta(minutes=policy.rest_minutes)
    blocks: list[tuple[dt.datetime, dt.datetime]] = []
    for _, start, end, _ in drives:
        if blocks and start - blocks[-1][1] < rest:
            blocks[-1] = (blocks[-1][0], end)
        else:
            blocks.append((start, end))
    for start, end in blocks:
        driven = _seconds_driving(drives, start, end)
        if driven > policy.continuous_day_hours * 3600 + TOLERANCE_S:
            problems.append(f"{driven / 3600:.2f} h of continuous driving from {start}")
        for night_start, night_end in _night_intervals(start, end, policy):
            latest = min(end, night_end)
            if latest > night_start and latest > start:
                so_far = _seconds_driving(drives, start, latest)
                if so_far > policy.continuous_night_hours * 3600 + TOLERANCE_S:
                    problems.append(
                        f"{so_far / 3600:.2f} h continuous driving into the night from {start}"
                    )
    if drives:
        anchor, last_end = drives[0][1], drives[-1][2]
        cap = policy.daily_driving_hours_per_driver * 3600 * trip["drivers"]
        w_start = anchor
        while w_start < last_end:
            w_end = w_start + dt.timedelta(days=1)
            driven = _seconds_driving(drives, w_start, w_end)
            if driven > cap + TOLERANCE_S:
                problems.append(f"{driven / 3600:.2f} h driving in the 24 h from {w_start}")
            w_start = w_end
    return problems


def _check_summary(
    plan: Mapping[str, Any], regs: Mapping[str, Registration], rejected_rows: int, fleet: Fleet
) -> list[str]:
    problems = []
    summary = plan["summary"]
    trips = plan["trips"]
    riding = {s["registration_id"] for t in trips for s in t["seats"]}  # once, however many legs
    expected = {
        "registrations": len(regs) + rejected_rows,
        "vehicles": len(trips),
        "served_passengers": sum(regs[rid].party_size for rid in riding if rid in regs),
        "stops": sum(len(t["stops"]) for t in trips),
        "passengers": sum(r.party_size for r in regs.values()),
    }
    for key, value in expected.items():
        if summary[key] != value:
            problems.append(f"summary {key} is {summary[key]}, the plan has {value}")
    if summary["vehicles_lower_bound"] > summary["vehicles"]:
        problems.append("the lower bound is above the vehicles used")
    if abs(summary["distance_km"] - sum(t["distance_km"] for t in trips)) > 0.01:
        problems.append("summary distance is not the sum of the trips'")
    advised = plan.get("advised", [])
    everyone = expected["served_passengers"] + sum(
        regs[a["registration_id"]].party_size for a in advised if a["registration_id"] in regs
    )
    empty_cost = sum(
        bus["empty_km"] * fleet.by_name(bus["vehicle_type"]).cost_per_km
        for bus in plan.get("buses", [])
    )
    if abs(summary["cost"] - sum(t["cost"] for t in trips) - empty_cost) > 0.01 * (
        1 + len(plan.get("buses", []))
    ):
        problems.append("summary cost is not the trips' and the empty runs' cost")
    if "cost_per_person" in summary and everyone:
        spent = sum(t["cost"] for t in trips) + empty_cost + sum(a["cost"] for a in advised)
        per_person = spent / everyone
        if abs(summary["cost_per_person"] - per_person) > 0.01:
            problems.append(
                f"summary cost_per_person is not the cost (advised included) over the people "
                f"({per_person:.2f})"
            )
    return problems


def _check_buses(plan: Mapping[str, Any], fleet: Fleet, policy: Policy) -> list[str]:
    """Every depot bus's chain: its trips and empty runs in order, where and when they run
    (the crew's rest after a trip, the break before the next, no run faster than the type's
    speed), the km of each run, the buses of each depot against what it has, and the
    figures."""
    problems: list[str] = []
    trips = {t["trip_id"]: t for t in plan["trips"]}
    depots = {d.depot_id: d for d in fleet.depots}
    run_by_depots = {name for d in fleet.depots for name in d.buses}
    on_bus: Counter[str] = Counter()
    per_depot: Counter[tuple[str, str]] = Counter()
    for bus in plan.get("buses", []):
        name = f"bus {bus['bus_id']}"
        depot = depots.get(bus["depot_id"])
        if depot is None or bus["vehicle_type"] not in depot.buses:
            problems.append(f"{name}: depot {bus['depot_id']} has no {bus['vehicle_type']}")
            continue
        per_depot[depot.depot_id, bus["vehicle_type"]] += 1
        problems += [f"{name}: {p}" for p in _check_chain(bus, trips, depot, fleet, policy)]
        for trip_id in bus["trips"]:
            on_bus[trip_id] += 1
            trip = trips.get(trip_id)
            if trip is not None and (
                trip.get("bus_id") != bus["bus_id"] or trip.get("depot_id") != depot.depot_id
            ):
                problems.append(f"{trip_id}: its bus_id or depot_id is not {name}'s")
    for trip in plan["trips"]:
        runs_by_depot = trip["vehicle_type"] in run_by_depots and trip.get("mode") != "rail"
        if runs_by_depot and on_bus[trip["trip_id"]] != 1:
            problems.append(f"{trip['trip_id']}: on {on_bus[trip['trip_id']]} buses, not 1")
    summary = plan["summary"]
    short = 0
    for depot in fleet.depots:
        for name, available in depot.buses.items():
            used = per_depot[depot.depot_id, name]
            if available is not None:
                short += max(0, used - available)
    if summary.get("buses") != len(plan.get("buses", [])):
        problems.append("summary buses is not the number of buses")
    if summary.get("buses_short") != short:
        problems.append(f"summary buses_short is {summary.get('buses_short')}, not {short}")
    empty = sum(b["empty_km"] for b in plan.get("buses", []))
    if abs((summary.get("empty_km") or 0.0) - empty) > 0.01:
        problems.append("summary empty_km is not the sum of the buses'")
    for need in plan.get("fleet_sizing", []):
        used = per_depot[need["depot_id"], need["vehicle_type"]]
        if need["buses"] != used:
            problems.append(
                f"fleet_sizing {need['depot_id']} {need['vehicle_type']}: {need['buses']} "
                f"buses, the plan has {used}"
            )
    return problems


def _check_chain(
    bus: Mapping[str, Any],
    trips: Mapping[str, Mapping[str, Any]],
    depot: Any,
    fleet: Fleet,
    policy: Policy,
) -> list[str]:
    problems: list[str] = []
    runs = bus["runs"]
    speed = fleet.by_name(bus["vehicle_type"]).speed_kmh
    turnaround = dt.timedelta(minutes=policy.turnaround_minutes)
    rest = dt.timedelta(minutes=policy.rest_minutes)
    home = (depot.lat, depot.lon)
    if not runs or runs[0]["kind"] != "from_depot" or runs[-1]["kind"] != "to_depot":
        return ["does not start and end at its depot"]
    # The runs around each trip, in order: (run before, trip, run after).
    expected_order: list[str] = []
    for trip_id in bus["trips"]:
        expected_order += [f"to {trip_id}", f"after {trip_id}"]
    seen: list[str] = []
    for run in runs:
        if run["before_trip"] is not None and run["kind"] != "to_depot":
            if run["after_trip"] is not None:
                seen.append(f"after {run['after_trip']}")
            seen.append(f"to {run['before_trip']}")
        elif run["after_trip"] is not None:
            seen.append(f"after {run['after_trip']}")
    if seen != expected_order:
        return ["its runs and trips are not in order"]
    total = 0.0
    last_trip: Mapping[str, Any] | None = None
    last_end: dt.datetime | None = None  # when the bus last stopped driving
    for run in runs:
        kind = run["kind"]
        if kind == "between" and not policy.chain_trips:
            problems.append("chains trips while the policy's chain_trips is false")
        before = trips.get(run["before_trip"]) if run["before_trip"] else None
        after = trips.get(run["after_trip"]) if run["after_trip"] else None
        if (run["before_trip"] and before is None) or (run["after_trip"] and after is None):
            problems.append("a run names a trip the plan does not have")
            continue
        start, end, km = _parse_dt(run["start"]), _parse_dt(run["end"]), run["km"]
        total += km
        here = home if after is None else (after["stops"][-1]["lat"], after["stops"][-1]["lon"])
        if kind == "to_depot" or before is None:
            there = home
        else:
            there = (before["stops"][0]["lat"], before["stops"][0]["lon"])
        road = geodesic(here, there).km * policy.road_factor
        if abs(road - km) > 0.01:
            problems.append(f"{kind} run of {km} km, the road is {road:.3f} km")
        if end - start < dt.timedelta(hours=km / speed) - dt.timedelta(seconds=TOLERANCE_S):
            problems.append(f"{kind} run of {km} km in less time than at {speed} km/h")
        if after is not None:
            trip_end = _parse_dt(after["stops"][-1]["departure"])
            earliest = trip_end + turnaround if km > 0 else trip_end
            if start < earliest:
                problems.append(f"{kind} run leaves {run['after_trip']} before its crew rested")
            last_trip, last_end = after, (end if km > 0 else trip_end + turnaround)
        elif last_trip is not None and last_end is not None and start < last_end and km > 0:
            problems.append("leaves its depot before its crew rested")
        if before is not None:
            trip_start = _parse_dt(before["stops"][0]["arrival"])
            if end + rest > trip_start:
                problems.append(f"reaches {run['before_trip']} without a break before it")
            if last_end is not None and kind == "from_depot" and trip_start < last_end:
                problems.append(f"starts {run['before_trip']} before its crew rested")
    if abs(total - bus["empty_km"]) > 0.01:
        problems.append("empty_km is not the sum of its runs'")
    return problems

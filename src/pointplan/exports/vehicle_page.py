"""The per-vehicle plan (一车一方案) of one trip, as content ready to print.

`vehicle_pages` turns each trip of a plan into a `VehiclePage`: the vehicle and its crew, the
route with pickups in order and their times, the rests and the small-hours stop, the seat map,
the passenger list (乘客信息登记表), the epidemic measures, contacts and the handover at each
drop-off. The HTML and PDF writers only lay this content out, so both say the same thing.
Lines the plan cannot know (plate, drivers' names, contacts) are left blank to be filled in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pointplan.domain.fleet import Fleet
from pointplan.domain.manifest import trip_manifest
from pointplan.domain.plan import Plan
from pointplan.domain.policy import Override, Policy
from pointplan.domain.registration import Direction, Registration
from pointplan.domain.trip import ScheduleEvent, Trip
from pointplan.exports.people import PersonalData
from pointplan.exports.seat_map import FRONT_LABELS, SeatCell, seat_cells

DIRECTION_LABELS = {
    Direction.RETURN_TO_WORK: "返岗 return to work",
    Direction.RETURN_HOME: "返乡 return home",
}
STOP_LABELS = {"pickup": "上车 pickup", "dropoff": "下车 drop-off"}
SCHEDULE_LABELS = {
    "drive": "行驶 drive",
    "rest": "休息 rest",
    "daily_rest": "驾驶员休息 drivers' rest",
    "no_running": "凌晨2-5时停车 02:00-05:00 stop",
}
BLANK = "________________"


@dataclass(frozen=True)
class RouteLine:
    """One stop of the route, in order, with the people boarding or leaving there."""

    order: int
    kind: str
    place: str
    point_id: str
    arrival: str
    departure: str
    people: int


@dataclass(frozen=True)
class ScheduleLine:
    """One piece of the timeline between stops: a drive, a rest or the small-hours stop."""

    kind: str
    start: str
    end: str
    km: str


@dataclass(frozen=True)
class PassengerLine:
    """One registration on the passenger list (乘客信息登记表); `number` is its list number,
    which the seat map shows on its seats."""

    number: int
    registration_id: str
    name: str
    id_number: str
    phone: str
    people: int
    seats: str
    pickup: str
    boarding: str
    dropoff: str


@dataclass(frozen=True)
class Handover:
    """The handover at one drop-off: where, when, how many people, to whom."""

    place: str
    time: str
    people: int


@dataclass(frozen=True)
class TransportAnswer:
    """What transport answered for a published trip, as the page prints it (names and phones
    masked already where they must be): the blank lines filled in."""

    plate: str = ""
    drivers: str = ""
    escort: str = ""
    charter_permit: str = ""
    operator: str = ""


@dataclass(frozen=True)
class VehiclePage:
    """Everything one vehicle's plan shows; see the module's description. `fill_in` are the
    lines transport fills in (label, what it answered or "" for a blank line)."""

    trip_id: str
    date: dt.date
    title: str
    facts: tuple[tuple[str, str], ...]
    fill_in: tuple[tuple[str, str], ...]
    route: tuple[RouteLine, ...]
    schedule: tuple[ScheduleLine, ...]
    seats: tuple[SeatCell, ...]
    passengers: tuple[PassengerLine, ...]
    measures: tuple[str, ...]
    contacts: tuple[str, ...]
    handovers: tuple[Handover, ...]
    journey: tuple[str, ...] = ()
    seat_map_front: str = FRONT_LABELS["coach"]


def vehicle_pages(
    plan: Plan,
    policy: Policy,
    fleet: Fleet | None = None,
    registrations: Sequence[Registration] = (),
    show_personal_data: bool = False,
) -> list[VehiclePage]:
    """One page per trip of `plan`, in trip order. `policy` is the one the plan was made
    under (it gives the observation rows and the seat rules the map draws); `fleet` gives the
    rated seats; `registrations` give names, ids and phones, masked unless
    `show_personal_data`."""
    people = PersonalData(registrations, show_personal_data)
    itineraries = plan.itineraries()
    return [vehicle_page(trip, policy, fleet, people, None, itineraries) for trip in plan.trips]


def vehicle_page(
    trip: Trip,
    policy: Policy,
    fleet: Fleet | None,
    people: PersonalData,
    answer: TransportAnswer | None = None,
    itineraries: Mapping[str, Sequence[Trip]] | None = None,
) -> VehiclePage:
    """The page of one trip (see `vehicle_pages`), with transport's `answer` on its blank
    lines when there is one, and, given the plan's `itineraries` (`Plan.itineraries`), where
    its people change vehicles."""
    answer = answer or TransportAnswer()
    named_rules = [_override_line(policy.overrides[i], i) for i in trip.overrides]
    if trip.overrides:
        policy = policy.with_rules(trip.rules)
    policy = policy.for_mode(trip.mode)
    passengers = _passenger_lines(trip, people)
    numbers = {line.registration_id: line.number for line in passengers}
    return VehiclePage(
        trip_id=trip.trip_id,
        date=trip.date,
        title=f"一车一方案 Vehicle plan {trip.trip_id} · {trip.date.isoformat()}",
        facts=_facts(trip, policy, fleet),
        fill_in=_fill_in(trip, answer),
        route=_route_lines(trip),
        schedule=tuple(_schedule_line(event) for event in trip.schedule if event.kind != "stop"),
        seats=tuple(seat_cells(trip, policy, numbers)),
        passengers=passengers,
        measures=(*named_rules, *_measures(policy)),
        contacts=("出发地联系人 contact at origin", "目的地联系人 contact at destination"),
        handovers=tuple(
            Handover(stop.place, _clock(stop.arrival), _people_at(trip, stop.registrations))
            for stop in trip.stops
            if stop.kind == "dropoff"
        ),
        journey=journey_lines(trip, itineraries or {}),
        seat_map_front=FRONT_LABELS[trip.mode],
    )


def _fill_in(trip: Trip, answer: TransportAnswer) -> tuple[tuple[str, str], ...]:
    """The lines transport (for a rail car, the railway) fills in, with its answer."""
    if trip.mode == "rail":
        return (
            ("车次 / 车厢号 train number / car number", answer.plate),
            ("列车长 conductor (姓名 / 电话 name / phone)", answer.drivers),
            ("护送人员 escort (姓名 / 电话 name / phone)", answer.escort),
            ("包车合同 rail charter contract no.", answer.charter_permit),
            ("铁路局 railway bureau", answer.operator),
        )
    return (
        ("车牌号 plate", answer.plate),
        ("驾驶员 drivers (姓名 / 电话 name / phone)", answer.drivers),
        ("随车工作人员 escort (姓名 / 电话 name / phone)", answer.escort),
        ("包车客运标志牌 charter permit no.", answer.charter_permit),
        ("承运单位 operator", answer.operator),
    )


LEG_NAMES = {
    "feeder": "接驳 feeder",
    "trunk": "干线 trunk",
    "distribution": "分送 distribution (receiving side)",
}
LEG_LINES = {
    "feeder": "接驳段 feeder leg: brings its people to a gathering hub (集中转运点) or a "
    "station, where they change to the trunk vehicle or train",
    "trunk": "干线段 trunk leg: the long run between hubs (or from a pickup point or to a "
    "drop-off point)",
    "distribution": "分送段 distribution leg: the receiving side's vehicle and staff "
    "(派专人专车), who take the people over at the reception hub (接收点) or station and "
    "bring them to their drop-off points",
}


RAIL_CAR = " (铁路车厢 rail car)"
RAIL_TRUNK_LINE = (
    "铁路干线段 trunk leg by rail: a car of the train between two stations; its people board "
    "from the feeders at the first station, and an escort rides in every car (专人同车护送)"
)


def journey_lines(trip: Trip, itineraries: Mapping[str, Sequence[Trip]]) -> tuple[str, ...]:
    """What this trip is in its people's journeys: the kind of leg, and at each hub who
    arrives by which trip and who goes on by which (none for a direct trip)."""
    if trip.leg == "direct":
        return ()
    arriving: dict[tuple[str, str], int] = {}
    leaving: dict[tuple[str, str], int] = {}
    sizes = trip.people_by_registration()
    boards = {rid: s.place for s in trip.stops if s.kind == "pickup" for rid in s.registrations}
    leaves = {rid: s.place for s in trip.stops if s.kind == "dropoff" for rid in s.registrations}
    by_id: dict[str, Trip] = {}
    for rid in trip.registration_ids():
        legs = list(itineraries.get(rid, ()))
        ids = [t.trip_id for t in legs]
        if trip.trip_id not in ids:
            continue
        k = ids.index(trip.trip_id)
        if k > 0:
            by_id[ids[k - 1]] = legs[k - 1]
            key = (boards[rid], ids[k - 1])
            arriving[key] = arriving.get(key, 0) + sizes[rid]
        if k + 1 < len(legs):
            by_id[ids[k + 1]] = legs[k + 1]
            key = (leaves[rid], ids[k + 1])
            leaving[key] = leaving.get(key, 0) + sizes[rid]
    lines = [RAIL_TRUNK_LINE if trip.mode == "rail" else LEG_LINES[trip.leg]]
    for (place, other), n in sorted(arriving.items()):
        came = by_id[other]
        lines.append(
            f"在 {place} 接 {n} 人 at {place}, {n} people join from {other} "
            f"({_leg_named(came)}, arrives {_clock(came.arrival, with_date=True)})"
        )
    for (place, other), n in sorted(leaving.items()):
        goes = by_id[other]
        handed = (
            "; handed over there to the receiving side (接收点交接)"
            if goes.leg == "distribution"
            else ""
        )
        lines.append(
            f"在 {place} 换乘 at {place}, {n} people change to {other} "
            f"({_leg_named(goes)}, leaves {goes.date.isoformat()} {goes.departure}){handed}"
        )
    return tuple(lines)


def _leg_named(trip: Trip) -> str:
    """A trip's leg as another trip's page names it: "feeder", "trunk by rail, train L001"."""
    return f"{trip.leg} by rail, train {trip.train}" if trip.mode == "rail" else trip.leg


def _facts(trip: Trip, policy: Policy, fleet: Fleet | None) -> tuple[tuple[str, str], ...]:
    rated = "-"
    if fleet is not None and trip.vehicle_type in {v.name for v in fleet.vehicle_types}:
        rated = str(fleet.by_name(trip.vehicle_type).rated_seats)
    if trip.mode == "rail":
        crew = (
            ("列车 train", _train_line(trip)),
            ("护送人员座位 escort seats (专人同车护送, per car)", str(len(trip.escort_seats))),
        )
    else:
        crew = (
            ("驾驶员人数 drivers", str(trip.drivers)),
            ("随车人员座位 escort seats", str(len(trip.escort_seats))),
            *(
                (("车队 / 车辆 depot / bus", f"{trip.depot_id} / {trip.bus_id}"),)
                if trip.bus_id
                else ()
            ),
        )
    return (
        ("日期 date", trip.date.isoformat()),
        ("方向 direction", DIRECTION_LABELS[trip.direction]),
        *((("行程段 leg", LEG_NAMES[trip.leg]),) if trip.leg != "direct" else ()),
        ("车型 vehicle type", trip.vehicle_type + RAIL_CAR * (trip.mode == "rail")),
        ("额定座位 rated seats", rated),
        (
            "本次限载 seats usable",
            f"{trip.capacity} (≤ {policy.max_load_factor:.0%} 额定 of rated)",
        ),
        ("乘客 passengers", str(trip.passengers)),
        *crew,
        ("出发 departure", f"{trip.date.isoformat()} {trip.departure}"),
        ("预计到达 expected arrival", _clock(trip.arrival, with_date=True)),
        ("里程 distance", f"{trip.distance_km:,.1f} km"),
    )


def _train_line(trip: Trip) -> str:
    """Which train a rail car runs in, and what kind of train it is."""
    cars = trip.train_cars or 1
    kind = (
        "专列 special train of the plan's cars"
        if trip.special_train
        else "包车厢 chartered cars of a scheduled train"
    )
    return f"{trip.train or '-'}: {cars} 节车厢 cars, {kind}"


def _passenger_lines(trip: Trip, people: PersonalData) -> tuple[PassengerLine, ...]:
    lines = []
    for line in trip_manifest(trip):
        personal = people.fields(line.registration_id)
        lines.append(
            PassengerLine(
                number=line.number,
                registration_id=line.registration_id,
                name=personal["name"],
                id_number=personal["id_number"],
                phone=personal["phone"],
                people=line.people,
                seats=" ".join(line.seats),
                pickup=line.pickup.place,
                boarding=_clock(line.pickup.departure),
                dropoff=line.dropoff,
            )
        )
    return tuple(lines)


def _route_lines(trip: Trip) -> tuple[RouteLine, ...]:
    return tuple(
        RouteLine(
            order=order,
            kind=STOP_LABELS[stop.kind],
            place=stop.place,
            point_id=stop.point_id or "",
            arrival=_clock(stop.arrival),
            departure=_clock(stop.departure) if stop.kind == "pickup" else "",
            people=_people_at(trip, stop.registrations),
        )
        for order, stop in enumerate(trip.stops, start=1)
    )


def _people_at(trip: Trip, registrations: Sequence[str]) -> int:
    riding = set(registrations)
    return sum(1 for seat in trip.seats if seat.registration_id in riding)


def _schedule_line(event: ScheduleEvent) -> ScheduleLine:
    return ScheduleLine(
        kind=SCHEDULE_LABELS.get(event.kind, event.kind),
        start=_clock(event.start, with_date=True),
        end=_clock(event.end, with_date=True),
        km=f"{event.km:,.0f}" if event.kind == "drive" else "",
    )


def _override_line(override: Override, index: int) -> str:
    """An override a trip was planned under, as its page names it."""
    where = f"地区 area {override.area}" if override.area else "全部地区 every area"
    if override.date_from is None and override.date_to is None:
        when = "每天 every day"
    else:
        when = f"{override.date_from or ''}..{override.date_to or ''}"
    rules = ", ".join(f"{key} {value}" for key, value in override.rules.items())
    return f"调整规则 rules override {index + 1} ({where}, {when}): {rules}"


def _measures(policy: Policy) -> tuple[str, ...]:
    measures = [f"限载 load cap: 不超过额定座位的 {policy.max_load_factor:.0%} of rated seats"]
    if policy.alternate_seating and policy.party_may_sit_together:
        measures.append("隔座就座 a free seat between passengers of different parties")
    elif policy.alternate_seating:
        measures.append("隔座就座 a free seat beside every passenger, family members too")
    if policy.checkerboard:
        measures.append("前后错位 no passenger directly behind another")
    if policy.reserved_rear_rows:
        measures.append(
            f"最后 {policy.reserved_rear_rows} 排留作观察区 last {policy.reserved_rear_rows} "
            "rows kept empty for observation"
        )
    if policy.isolation_seats:
        measures.append(
            f"末端 {policy.isolation_seats} 个座位留作隔离座 the last {policy.isolation_seats} "
            "seats kept empty to isolate anyone who falls ill"
        )
    measures += [
        "全程佩戴口罩 masks on board; 车上备体温计 thermometer on board",
        "出发前及途中消毒通风并记录 disinfect and ventilate before and during the trip; log it",
    ]
    return tuple(measures)


def _clock(moment: dt.datetime | None, with_date: bool = False) -> str:
    if moment is None:
        return ""
    return moment.strftime("%m-%d %H:%M" if with_date else "%H:%M")

"""receiving.xlsx: the receiving side's lists (三(二), 三(五)): who arrives on which trip, when
and where, for each receiving county and each employer.

A person is received where their journey's last trip drops them: the county of their
destination (its adcode, cut to the county) and, where they gave one, their employer. Sheets:
`到达汇总 by county` (per receiving county: people, registrations, trips, the first and last
arrival), `到达名单 arrivals` (a row per person's registration: receiving county, employer,
trip, date, arrival at the drop-off, the drop-off place, the vehicle type, the escort seats
on the trip, the pickup they came from, and name and phone to call, masked unless
`show_personal_data`), and `用人单位 by employer` (the same rows of return-to-work
registrations that give an employer, by employer: a returnee's employer is the one they
left). Id numbers never appear. Registrations the plan does not carry are
not received and not listed.

Where the policy asks for a measure on arrival (`arrival_measure`: monitoring or
quarantine), every arrival carries it, and `待安置 to be housed` lists the people to house
or follow up with their follow-up from the events (`quarantined`, `monitored`, `cleared`,
the latest by the time of making): `待安置 to be housed` until the first, then each step
with its time, until cleared. The arrivals carry the follow-up too, whatever the policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pointplan.domain.events import FOLLOW_UP, StatusEvent
from pointplan.domain.plan import Plan
from pointplan.domain.policy import ArrivalMeasure
from pointplan.domain.registration import Direction, Registration
from pointplan.exports.people import PersonalData
from pointplan.exports.sheets import write_tables
from pointplan.exports.vehicle_page import DIRECTION_LABELS
from pointplan.geo.gazetteer import Gazetteer, default_gazetteer

ARRIVALS_SHEET = "到达名单 arrivals"
SUMMARY_SHEET = "到达汇总 by county"
EMPLOYER_SHEET = "用人单位 by employer"
HOUSING_SHEET = "待安置 to be housed"
MEASURES = {
    "none": "",
    "monitoring": "居家健康监测 monitoring",
    "quarantine": "集中隔离 quarantine",
}
FOLLOW_UPS = {
    "": "待安置 to be housed",
    "quarantined": "集中隔离中 in quarantine",
    "monitored": "健康监测中 in monitoring",
    "cleared": "已解除 cleared",
}
MEASURE = "到达后措施 measure"
FOLLOW_UP_COLUMN = "跟踪 follow-up"


def arrivals(
    registrations: Sequence[Registration],
    plan: Plan,
    show_personal_data: bool = False,
    gazetteer: Gazetteer | None = None,
    events: Sequence[StatusEvent] = (),
    measure: ArrivalMeasure = "none",
) -> pd.DataFrame:
    """A row per registration the plan carries, by receiving county, arrival and trip, with
    the measure on arrival and the latest follow-up of `events`."""
    places = gazetteer or default_gazetteer()
    people = PersonalData(registrations, show_personal_data)
    legs = plan.itineraries()
    follow_up = latest_follow_up(events)
    rows = []
    for r in registrations:
        trips = legs.get(r.registration_id)
        if not trips:
            continue
        first, last = trips[0], trips[-1]
        (drop,) = [
            s for s in last.stops if s.kind == "dropoff" and r.registration_id in s.registrations
        ]
        (pick,) = [
            s for s in first.stops if s.kind == "pickup" and r.registration_id in s.registrations
        ]
        county = r.destination.county
        shown = people.fields(r.registration_id)
        rows.append(
            {
                "接收旗县代码 receiving county": county,
                "接收旗县 county": places.name_of(county, label=True)
                if county
                else r.destination.label,
                "方向 direction": DIRECTION_LABELS[r.direction],
                # A returnee's employer is the one they left: nobody there receives them.
                "用人单位 employer": (r.employer or "")
                if r.direction is Direction.RETURN_TO_WORK
                else "",
                "登记编号 registration_id": r.registration_id,
                "人数 people": r.party_size,
                "姓名 name": shown["name"],
                "电话 phone": shown["phone"],
                "车次 trip": last.trip_id,
                "日期 date": last.date.isoformat(),
                "到达 arrival": drop.arrival.strftime("%Y-%m-%d %H:%M") if drop.arrival else "",
                "交接点 handover at": drop.place,
                "车型 vehicle": last.vehicle_type,
                "随车人员座位 escort seats": len(last.escort_seats),
                "上车点 from": pick.place,
                MEASURE: MEASURES[measure],
                FOLLOW_UP_COLUMN: follow_up.get(r.registration_id, ""),
            }
        )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    return table.sort_values(
        ["接收旗县代码 receiving county", "到达 arrival", "车次 trip", "登记编号 registration_id"],
        kind="stable",
    ).reset_index(drop=True)


def latest_follow_up(events: Sequence[StatusEvent]) -> dict[str, str]:
    """Each registration's latest follow-up event (`quarantined 2022-11-22 10:00`)."""
    latest: dict[str, StatusEvent] = {}
    for event in sorted(events, key=lambda e: (e.time, e.row or 0)):
        if event.event in FOLLOW_UP:
            latest[event.registration_id] = event
    return {rid: f"{e.event.value} {e.time:%Y-%m-%d %H:%M}" for rid, e in latest.items()}


def housing(table: pd.DataFrame) -> pd.DataFrame:
    """The arrivals with a measure on arrival, each with its follow-up state: to be housed
    until the first follow-up event, then that step, until cleared."""
    if table.empty:
        return pd.DataFrame()
    housed = table[table[MEASURE] != ""].copy()
    housed.insert(
        0,
        "状态 state",
        [FOLLOW_UPS[value.split(" ")[0]] for value in housed[FOLLOW_UP_COLUMN]],
    )
    return housed.reset_index(drop=True)


def write_receiving(
    path: Path,
    registrations: Sequence[Registration],
    plan: Plan,
    show_personal_data: bool = False,
    events: Sequence[StatusEvent] = (),
    measure: ArrivalMeasure = "none",
) -> pd.DataFrame:
    """Write receiving.xlsx (see the module); the arrivals written."""
    table = arrivals(registrations, plan, show_personal_data, events=events, measure=measure)
    if table.empty:
        summary = pd.DataFrame()
        by_employer = pd.DataFrame()
    else:
        grouped = table.groupby(["接收旗县代码 receiving county", "接收旗县 county"], sort=True)
        summary = grouped.agg(
            **{
                "人数 people": ("人数 people", "sum"),
                "登记数 registrations": ("登记编号 registration_id", "count"),
                "车次数 trips": ("车次 trip", "nunique"),
                "最早到达 first arrival": ("到达 arrival", "min"),
                "最晚到达 last arrival": ("到达 arrival", "max"),
            }
        ).reset_index()
        by_employer = table[table["用人单位 employer"] != ""].sort_values(
            ["用人单位 employer", "到达 arrival", "登记编号 registration_id"], kind="stable"
        )
    sheets = {SUMMARY_SHEET: summary, ARRIVALS_SHEET: table, EMPLOYER_SHEET: by_employer}
    if measure != "none":
        sheets[HOUSING_SHEET] = housing(table)
    write_tables(path, sheets)
    return table

"""coordination.xlsx: who coordinates which flow, and the region's lists for other provinces.

Sheets: `流向 flows` (every flow of the registrations: direction, origin and destination
county, how far it goes, the level and office that answer for it, registrations, people,
the span of their windows, employers; `pointplan.hr.flows`), then one sheet per other
province, `协调 北京市` for example: the coordination list the region sends it (who travels
when, from where to where, for which employers; with a plan, the dates and places of their
trips). Counts of people only: no names, ids or phones. Headers are Chinese and English.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pointplan.domain.plan import Plan
from pointplan.domain.registration import Registration
from pointplan.exports.classified import HEADERS
from pointplan.exports.sheets import write_tables
from pointplan.exports.vehicle_page import DIRECTION_LABELS
from pointplan.geo.gazetteer import Gazetteer
from pointplan.hr.flows import COORDINATION_COLUMNS, coordination_rows, flows

FLOWS_SHEET = "流向 flows"
SCOPES = {
    "inside_county": "县内 inside a county",
    "inside_league": "盟市内跨县 inside a league",
    "between_leagues": "区内跨盟市 between leagues",
    "between_provinces": "跨省 between provinces",
    "unknown": "未定 unknown (no adcode)",
}
LEVELS = {"county": "旗县 county", "league": "盟市 league", "region": "自治区 region"}
FLOW_HEADERS = {
    **{
        key: HEADERS[key]
        for key in ("direction", "origin_adcode", "origin", "destination_adcode", "destination")
    },
    "scope": "流向类别 scope",
    "level": "负责层级 level",
    "responsible_adcode": "负责单位代码 responsible adcode",
    "responsible": "负责单位 responsible",
    "other_province": "对方省份 other province",
    "registrations": HEADERS["registrations"],
    "people": HEADERS["people"],
    "first_date": "最早日期 first date",
    "last_date": "最晚日期 last date",
    "employers": "用人单位 employers",
}
LIST_HEADERS = {
    "other_province_adcode": "省份代码 province adcode",
    "other_province": "对方省份 other province",
    **HEADERS,
    "planned_dates": "计划出行日期 planned dates (people)",
    "pickups": "上车点 pickups",
    "dropoffs": "下车点 drop-offs",
}


def flows_table(
    registrations: Sequence[Registration], gazetteer: Gazetteer | None = None
) -> pd.DataFrame:
    """The flows of `registrations` as a table (the `流向 flows` sheet's columns, in English)."""
    rows = [
        {
            "direction": f.direction.value,
            "origin_adcode": f.origin_adcode,
            "origin": f.origin,
            "destination_adcode": f.destination_adcode,
            "destination": f.destination,
            "scope": f.scope.value,
            "level": f.level.value,
            "responsible_adcode": f.responsible_adcode,
            "responsible": f.responsible,
            "other_province": f.other_province,
            "registrations": f.registrations,
            "people": f.people,
            "first_date": f.first_date,
            "last_date": f.last_date,
            "employers": "; ".join(f.employers),
        }
        for f in flows(registrations, gazetteer)
    ]
    return pd.DataFrame(rows, columns=list(FLOW_HEADERS))


def write_coordination(
    path: Path,
    registrations: Sequence[Registration],
    plan: Plan | None = None,
    gazetteer: Gazetteer | None = None,
) -> Path:
    """Write coordination.xlsx (see the module); the same input gives the same file."""
    table = flows_table(registrations, gazetteer)
    shown = table.assign(
        direction=table["direction"].map(DIRECTION_LABELS),
        scope=table["scope"].map(SCOPES),
        level=table["level"].map(LEVELS),
    ).rename(columns=FLOW_HEADERS)
    lists = pd.DataFrame(
        coordination_rows(registrations, plan, gazetteer), columns=list(COORDINATION_COLUMNS)
    )
    sheets = {FLOWS_SHEET: shown}
    for (code, name), rows in lists.groupby(["other_province_adcode", "other_province"]):
        sheet = rows.assign(direction=rows["direction"].map(DIRECTION_LABELS))
        sheets[f"协调 {name}"[:31] or f"协调 {code}"] = sheet.rename(columns=LIST_HEADERS)
    first = min((r.earliest_date for r in registrations), default=dt.date(2000, 1, 1))
    return write_tables(path, sheets, dt.datetime.combine(first, dt.time()))

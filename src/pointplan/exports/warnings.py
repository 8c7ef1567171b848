"""warnings.xlsx: the early warning of involuntary returns for one week, a row per home
county: its league, the week's returnees, involuntary returns by reason, their share, the
mean of the weeks before and the change, open rights claims, and the level raised with why
(`pointplan.hr.warning`). Counts of people only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pointplan.domain.events import StatusEvent
from pointplan.domain.registration import Registration
from pointplan.domain.warnings import Thresholds
from pointplan.exports.sheets import write_tables
from pointplan.exports.weekly import registered_on
from pointplan.geo.gazetteer import Gazetteer, default_gazetteer
from pointplan.hr.warning import Warning, county_warnings

SHEET = "预警 warnings"


def warnings_table(
    registrations: Sequence[Registration],
    week_start: dt.date,
    thresholds: Thresholds,
    gazetteer: Gazetteer | None = None,
    events: Sequence[StatusEvent] = (),
) -> pd.DataFrame:
    """The week's warnings as a table, the highest level first, then by county code
    (`events`: the rights claims served)."""
    places = gazetteer or default_gazetteer()
    found = county_warnings(
        registrations,
        {r.registration_id: registered_on(r) for r in registrations},
        week_start,
        thresholds,
        events,
    )
    ranked = sorted(found, key=lambda w: (-(w.level.rank if w.level else -1), w.area))
    return pd.DataFrame([_row(w, places) for w in ranked])


def write_warnings(
    path: Path,
    registrations: Sequence[Registration],
    week_start: dt.date,
    thresholds: Thresholds,
    events: Sequence[StatusEvent] = (),
) -> pd.DataFrame:
    """Write warnings.xlsx; the table written."""
    table = warnings_table(registrations, week_start, thresholds, events=events)
    write_tables(path, {SHEET: table}, dt.datetime.combine(week_start, dt.time()))
    return table


def _row(warning: Warning, places: Gazetteer) -> dict[str, object]:
    found = warning.indicators
    return {
        "旗县代码 county": warning.area,
        "旗县 name": places.name_of(warning.area) if warning.area else "未知 unknown",
        "盟市 league": places.name_of(warning.area[:4]) if warning.area else "",
        "本周返乡登记 returnees (week)": found.returnees,
        "非自愿返乡 involuntary": found.involuntary_people,
        "停工停产 stoppage": found.by_reason["stoppage"],
        "裁员 layoff": found.by_reason["layoff"],
        "欠薪 unpaid wages": found.by_reason["unpaid_wages"],
        "非自愿占比 share": found.involuntary_share,
        "前几周均值 mean of weeks before": found.weeks_before_mean,
        "变化 change": found.involuntary_change,
        "维权未结 open rights claims": found.open_rights,
        "预警 level": warning.level.label if warning.level else "无 none",
        "原因 why": "; ".join(warning.reasons),
    }

"""Weekly reports that flow upward: the deadline and where a submission stands, which areas
report to which, and the rows of a league combined from its counties' rows, checked against
the league sheet of the weekly tables (made over all its people at once)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from pointplan.domain.events import StatusEvent
from pointplan.domain.plan import Plan
from pointplan.domain.registration import Registration
from pointplan.exports.weekly import (
    CODE,
    COLUMNS,
    NAME,
    NO_WARNING,
    TOTAL,
    area_rows,
    combined_rows,
    keyed_ends,
    registered_on,
    weekly_tables,
)
from pointplan.geo.gazetteer import default_gazetteer
from pointplan.hr.matching import match_jobs, seekers
from pointplan.hr.reports import (
    Submitted,
    deadline,
    level_of_area,
    parent_area,
    report_area_problem,
    reporting_areas,
    standing_of,
)
from pointplan.io.config import load_thresholds
from pointplan.io.events import read_events
from pointplan.io.jobs import read_jobs
from pointplan.io.registrations import read_registrations
from tests.conftest import DATA_ROOT, SAMPLE

WEEK = dt.date(2022, 11, 21)


def test_a_week_is_due_the_next_monday_at_ten() -> None:
    due = dt.datetime(2022, 11, 28, 10, 0)
    assert deadline(WEEK) == due
    assert standing_of(due, WEEK, due) is Submitted.ON_TIME
    assert standing_of(due + dt.timedelta(seconds=1), WEEK, due) is Submitted.LATE
    assert standing_of(None, WEEK, due) is Submitted.PENDING
    assert standing_of(None, WEEK, due + dt.timedelta(seconds=1)) is Submitted.MISSING


def test_who_reports_to_whom() -> None:
    places = default_gazetteer()
    leagues = reporting_areas("15")
    assert [a.code for a in leagues] == sorted(
        u.short_code for u in places.by_code.values() if u.level == 2 and u.code.startswith("15")
    )
    assert len(leagues) == 12  # 9 cities and 3 leagues
    baotou = [a.code for a in reporting_areas("1502")]
    assert "150203" in baotou and all(code.startswith("1502") and len(code) == 6 for code in baotou)
    assert reporting_areas("150203") == []
    assert (parent_area("150203"), parent_area("1502"), parent_area("15")) == ("1502", "15", None)
    assert [level_of_area(a) for a in ("15", "1502", "150203")] == ["region", "league", "county"]
    assert report_area_problem("150203") is None
    assert report_area_problem("110105") is not None  # Beijing does not report to the region
    assert report_area_problem("159999") == "not a known adcode"


def _fixture() -> tuple[tuple[Registration, ...], Plan, list[StatusEvent], set[str]]:
    folder = DATA_ROOT / "weekly"
    batch = read_registrations(folder / "registrations.csv")
    events = list(read_events(folder / "events.csv", batch.ids()))
    matching = match_jobs(seekers(batch.registrations), read_jobs(folder / "jobs.csv"))
    offered = {m.registration_id for m in matching.matches}
    return batch.registrations, Plan.read(folder / "plan.json"), events, offered


PEOPLE = {
    table: [
        c.header
        for c in columns
        if c.fill is not None and "vehicle-trips" not in c.header and "rail (trains" not in c.header
        and "escorts" not in c.header and "main " not in c.header and "warnings" not in c.header
    ]
    for table, columns in COLUMNS.items()
}  # fmt: skip
"""The columns that count people (each person in one county only, so they add up)."""


def _combined_leagues(
    registrations: Sequence[Registration],
    plan: Plan | None,
    events: Sequence[StatusEvent],
    offered: set[str] | None,
    week: dt.date,
) -> None:
    """Each league's total combined from its counties' rows (and its people whose county
    is not known) equals the total of its sheet of the weekly tables, column by column for
    people; vehicle-trips and escorts add up to at least the sheet's (a trip serving two
    counties counts in each)."""
    thresholds = load_thresholds(SAMPLE / "thresholds.yaml")
    places = default_gazetteer()
    tables = weekly_tables(
        registrations, plan or _empty_plan(), events, week, offered=offered, thresholds=thresholds
    )
    keyed = {keyed_ends(r)[0].adcode or "" for r in registrations}
    checked = people = 0
    for league in reporting_areas("15"):
        rows: dict[str, list[dict[str, object]]] = {table: [] for table in COLUMNS}
        for county in reporting_areas(league.code):
            for table, row in area_rows(
                registrations, plan, events, week, county.code, offered=offered,
                thresholds=thresholds,
            ).items():  # fmt: skip
                rows[table].append(row)
        if league.code in keyed:
            for table, row in area_rows(
                registrations, plan, events, week, league.code, offered=offered,
                thresholds=thresholds, exact=True,
            ).items():  # fmt: skip
                rows[table].append(row)
        for table in COLUMNS:
            sheet = tables[table][places.by_code[league.code.ljust(12, "0")].name]
            total = sheet[sheet[NAME] == TOTAL].iloc[0]
            combined = combined_rows(league.code, TOTAL, _json_like(rows[table]), table)
            for header in PEOPLE[table]:
                expected = None if pd.isna(total[header]) else int(total[header])
                assert combined[header] == expected, (league.code, table, header)
            for column in COLUMNS[table]:
                if "vehicle-trips" in column.header or "escorts" in column.header:
                    assert int(combined[column.header]) >= int(total[column.header])  # type: ignore[call-overload]
            checked += 1
            registered = combined[PEOPLE[table][0]]  # registered (total), by the week's end
            people += registered if isinstance(registered, int) else 0
    assert checked == 2 * 12
    sunday = week + dt.timedelta(days=6)
    assert people == sum(
        r.party_size
        for r in registrations
        if (keyed_ends(r)[0].adcode or "").startswith("15") and registered_on(r) <= sunday
    )
    assert people > 0


def _json_like(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Rows as a submission stores them (JSON: None for an empty cell)."""
    return [{k: None if v is pd.NA else v for k, v in row.items()} for row in rows]


def _empty_plan() -> Plan:
    return Plan.model_validate(
        {
            "summary": {
                "registrations": 0, "passengers": 0, "served_passengers": 0, "vehicles": 0,
                "vehicles_lower_bound": 0, "stops": 0, "distance_km": 0, "cost": 0,
                "solve_seconds": 0,
            },
            "trips": [], "unassigned": [], "rejected": [],
        }
    )  # fmt: skip


def test_a_league_combined_from_its_counties_is_its_sheet_of_the_fixture_week() -> None:
    registrations, plan, events, offered = _fixture()
    _combined_leagues(registrations, plan, events, offered, dt.date(2026, 2, 16))


def test_a_league_combined_from_its_counties_is_its_sheet_of_the_sample_week() -> None:
    batch = read_registrations(SAMPLE / "registrations.csv", points=())
    _combined_leagues(batch.registrations, None, [], None, WEEK)


def test_combined_places_and_warnings() -> None:
    header_places = next(c.header for c in COLUMNS["return_home"] if "main places" in c.header)
    header_warning = next(c.header for c in COLUMNS["return_home"] if "warnings" in c.header)
    rows: list[dict[str, object]] = [
        {CODE: "150203", header_places: "北京市 5; 天津市 2", header_warning: NO_WARNING},
        {
            CODE: "150204",
            header_places: "天津市 4; 河北省 1",
            header_warning: "橙色预警 orange: involuntary_people 25 >= 20; "
            "involuntary_share 0.6 >= 0.5",
        },
        {
            CODE: "150205",
            header_places: "",
            header_warning: "黄色预警 yellow: involuntary_people 12 >= 10",
        },
    ]
    league = combined_rows("1502", TOTAL, rows, "return_home")
    assert league[header_places] == "天津市 6; 北京市 5; 河北省 1"
    assert league[header_warning] == "橙色预警 orange x 1; 黄色预警 yellow x 1"
    region = combined_rows(
        "15", TOTAL, [league, {header_warning: "橙色预警 orange x 2"}], "return_home"
    )
    assert region[header_warning] == "橙色预警 orange x 3; 黄色预警 yellow x 1"
    stranded = next(c.header for c in COLUMNS["return_home"] if c.fill is None)
    assert league[stranded] is None  # empty in every row: stays empty

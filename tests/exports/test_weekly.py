"""The weekly tables (`pointplan report weekly`): golden workbooks, each filled column on
hand-checkable cases, and the command line end to end.

The golden files tests/data/weekly/return_to_work.csv and return_home.csv hold every sheet of
the two workbooks written from the fixture in tests/data/weekly (registrations.csv, plan.json,
events.csv, jobs.csv, thresholds.yaml; week of Monday 2026-02-16), read back with pandas, one
block of rows per sheet with the sheet's name in the first column. After an intended change
of the tables, regenerate them with

    POINTPLAN_REGOLD=1 python -m pytest tests/test_weekly.py -k golden

and review the diff before committing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pointplan.cli import main
from pointplan.domain import Place, Plan, Registration, Summary, Trip, Unassigned
from pointplan.domain.events import CHINA_TIME, StatusEvent
from pointplan.domain.plan import EscortSeat, Stop
from pointplan.exports.weekly import (
    NOTE,
    NOTES_SHEET,
    OUTSIDE_SHEET,
    REGION_SHEET,
    TOTAL,
    weekly_tables,
    write_weekly_report,
)
from pointplan.hr.matching import match_jobs, seekers
from pointplan.io.config import load_thresholds
from pointplan.io.events import read_events
from pointplan.io.jobs import read_jobs
from pointplan.io.registrations import read_registrations
from tests.conftest import BAOTOU, BEIJING, DATA_ROOT, HAILAR, HOHHOT, TUZUOQI, RegistrationFactory
from tests.golden import check_golden, frame_text, workbook_as_table

DATA = DATA_ROOT / "weekly"
FIXTURE_WEEK = dt.date(2026, 2, 16)
WEEK = dt.date(2022, 11, 21)  # a Monday; the week runs to Sunday 2022-11-27
RTW, RH = "return_to_work", "return_home"
HOHHOT_SHEET = "呼和浩特市"
ORDOS = Place(label="鄂尔多斯市东胜区", lat=39.8, lon=110.0, adcode="150602")
XIAN = Place(label="陕西省西安市新城区", lat=34.27, lon=108.96, adcode="610102")


def day(n: int) -> dt.date:
    """The n-th day of the test week (0 = Monday)."""
    return WEEK + dt.timedelta(days=n)


def at(n: int, hour: int = 9) -> dt.datetime:
    """A time on the n-th day of the test week."""
    return dt.datetime.combine(day(n), dt.time(hour))


def trip(
    trip_id: str,
    date: dt.date,
    registrations: Sequence[Registration],
    vehicle: str = "coach-45",
    escorts: int = 0,
) -> Trip:
    """A trip carrying `registrations` (stops at the first one's pickup and drop-off)."""
    first = registrations[0]
    ids = tuple(r.registration_id for r in registrations)
    stops = tuple(
        Stop(kind=kind, place=place.label, lat=place.lat, lon=place.lon, registrations=ids)
        for kind, place in (("pickup", first.pickup), ("dropoff", first.dropoff))
    )
    return Trip(
        trip_id=trip_id,
        direction=first.direction,
        date=date,
        departure="07:00",
        vehicle_type=vehicle,
        layout=("AB|CD",),
        capacity=18,
        stops=stops,
        seats=(),
        passengers=sum(r.party_size for r in registrations),
        distance_km=100.0,
        escort_seats=tuple(EscortSeat(row=1, seat="A") for _ in range(escorts)),
    )


def plan_of(*trips: Trip, unassigned: Sequence[Registration] = ()) -> Plan:
    """A plan of these trips (its summary figures are not looked at by the weekly tables)."""
    summary = Summary(
        registrations=0,
        passengers=0,
        served_passengers=0,
        vehicles=len(trips),
        vehicles_lower_bound=0,
        stops=0,
        distance_km=0.0,
        cost=0.0,
        solve_seconds=0.0,
    )
    left = tuple(Unassigned(registration_id=r.registration_id, reason="x") for r in unassigned)
    return Plan(summary=summary, trips=trips, unassigned=left, rejected=())


def event(registration: Registration, kind: str, time: dt.datetime, **details: Any) -> StatusEvent:
    """A status event of `registration`."""
    return StatusEvent(
        registration_id=registration.registration_id, event=kind, time=time, **details
    )


def tables_of(
    registrations: Sequence[Registration],
    plan: Plan | None = None,
    events: Sequence[StatusEvent] = (),
) -> dict[str, dict[str, pd.DataFrame]]:
    """The weekly tables of the test week."""
    return weekly_tables(registrations, plan or plan_of(), events, WEEK)


def cell(frame: pd.DataFrame, code: str, header: str) -> Any:
    """The value in the row whose adcode or name is `code` (`TOTAL`: the total row) and the
    column whose header ends with `header` (its English part)."""
    columns = [c for c in frame.columns if c.endswith(header)]
    assert len(columns) == 1, f"no single column ends with {header!r}"
    rows = frame[(frame.iloc[:, 0] == code) | (frame.iloc[:, 1] == code)]
    assert len(rows) == 1, f"no single row {code!r}"
    return rows[columns[0]].iloc[0]


def row_values(frame: pd.DataFrame, code: str, *headers: str) -> list[Any]:
    """Several cells of one row."""
    return [cell(frame, code, header) for header in headers]


@pytest.fixture
def make(make_registration: RegistrationFactory) -> RegistrationFactory:
    """Build a registration of the test week; its window is one day unless told otherwise."""

    def build(**overrides: Any) -> Registration:
        overrides.setdefault("earliest_date", WEEK)
        overrides.setdefault("latest_date", overrides["earliest_date"])
        return make_registration(**overrides)

    return build


# --- golden workbooks --------------------------------------------------------------------


def fixture_report(out: Path) -> list[Path]:
    """The weekly workbooks of the fixture in tests/data/weekly."""
    batch = read_registrations(DATA / "registrations.csv")
    assert batch.issues == ()
    known = {r.registration_id for r in batch.registrations}
    events = read_events(DATA / "events.csv", known)
    plan = Plan.read(DATA / "plan.json")
    matching = match_jobs(seekers(batch.registrations), read_jobs(DATA / "jobs.csv"))
    return write_weekly_report(
        out, batch.registrations, plan, events, FIXTURE_WEEK,
        offered={m.registration_id for m in matching.matches},
        thresholds=load_thresholds(DATA / "thresholds.yaml"),
    )  # fmt: skip


@pytest.mark.parametrize("table", [RTW, RH])
def test_golden_workbooks(tmp_path: Path, table: str) -> None:
    """The fixture's workbooks, read back with pandas, equal the committed golden CSVs."""
    paths = {p.name: p for p in fixture_report(tmp_path)}
    found = workbook_as_table(paths[f"weekly_{table}_2026-02-16.xlsx"])
    check_golden(frame_text(found), DATA / f"{table}.csv")


def test_the_fixture_week_by_hand(tmp_path: Path) -> None:
    """Spot checks of the golden workbooks against counts worked out by hand (see the
    fixture): Hohhot's return-to-work total row and Hulunbuir's return-home rows. W09, given
    by coordinates alone, is in 回民区 (150103), whose seat is 19 km away, and left on the
    17th."""
    paths = fixture_report(tmp_path)
    work = pd.read_excel(paths[0], sheet_name=HOHHOT_SHEET)
    assert row_values(
        work,
        TOTAL,
        "registered (total)",
        "departed (this week)",
        "coach charters (vehicle-trips)",
        "escorts sent",
        "registered but not travelled (total)",
        "waiting for next week",
    ) == [13, 5, 2, 1, 4, 3]
    home = pd.read_excel(paths[1], sheet_name="呼伦贝尔市", dtype={"行政区划代码 adcode": str})
    assert row_values(home, "150702", "returned (this week)", "rail (people)", "handed over") == [
        3,
        3,
        3,
    ]
    assert cell(home, "1507", "name") == "呼伦贝尔市 (未指明旗县 county not given)"
    # H02 (3 people, stoppage, job and training), matched to J2, raises orange at 3.
    assert row_values(
        home, "150702", "involuntary returns: stoppage", "job needs", "jobs pushed",
        "training needs", "warnings",
    ) == [3, 3, 1, 3, "橙色预警 orange: involuntary_people 3 >= 3"]  # fmt: skip


def test_same_inputs_give_the_same_bytes(tmp_path: Path) -> None:
    """Writing the report twice gives byte-identical workbooks."""
    first = fixture_report(tmp_path / "a")
    second = fixture_report(tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


# --- shape ------------------------------------------------------------------------------


def test_sheets_list_every_league_and_every_county(make: RegistrationFactory) -> None:
    """Region sheet first, the 12 leagues and cities in adcode order, outside, then the
    notes; every one of the 103 counties has a row, registered or not, and each sheet of
    counts ends with its total."""
    tables = tables_of([make(earliest_date=day(1), latest_date=day(1))])
    sheets = tables[RTW]
    assert list(sheets) == [
        REGION_SHEET,
        "呼和浩特市",
        "包头市",
        "乌海市",
        "赤峰市",
        "通辽市",
        "鄂尔多斯市",
        "呼伦贝尔市",
        "巴彦淖尔市",
        "乌兰察布市",
        "兴安盟",
        "锡林郭勒盟",
        "阿拉善盟",
        OUTSIDE_SHEET,
        NOTES_SHEET,
    ]
    county_rows = sum(
        len(frame) - 1 for name, frame in sheets.items() if name not in (REGION_SHEET, NOTES_SHEET)
    )
    assert county_rows == 103
    hohhot = sheets[HOHHOT_SHEET]
    assert list(hohhot.iloc[:, 0]) == [
        "150102",
        "150103",
        "150104",
        "150105",
        "150121",
        "150122",
        "150123",
        "150124",
        "150125",
        "",
    ]
    assert list(hohhot.iloc[:, 1])[4] == "土默特左旗" and hohhot.iloc[-1, 1] == TOTAL
    assert len(sheets[REGION_SHEET]) == 12 + 2
    assert list(tables[RH]) == list(sheets)


def test_rows_are_keyed_by_origin_for_work_and_by_home_for_return(
    make: RegistrationFactory,
) -> None:
    """Return-to-work counts a party in its origin's county, return-home in its home county
    (the destination)."""
    registrations = [
        make(origin=TUZUOQI, destination=BAOTOU, earliest_date=day(0), party_size=2),
        make(
            direction="return_home",
            origin=BAOTOU,
            destination=HAILAR,
            earliest_date=day(0),
            party_size=3,
        ),
    ]
    tables = tables_of(registrations)
    assert cell(tables[RTW][HOHHOT_SHEET], "150121", "registered (total)") == 2
    assert cell(tables[RTW]["包头市"], TOTAL, "registered (total)") == 0
    assert cell(tables[RH]["呼伦贝尔市"], "150702", "wishing to return (registered, total)") == 3
    assert cell(tables[RH]["包头市"], TOTAL, "wishing to return (registered, total)") == 0


def test_outside_and_unknown_places_go_to_their_own_sheet(
    make: RegistrationFactory,
) -> None:
    """An origin outside the region has a row of its own (with its parents' names); a place
    given by coordinates only counts under 'unknown'; a league without county under the
    league's own row. The region sheet has one row for all of the outside sheet."""
    coordinates = Place(label="40.80000,111.40000", lat=40.8, lon=111.4)
    league_only = Place(label="包头市", lat=40.6, lon=109.8, adcode="1502")
    registrations = [
        make(origin=BEIJING, destination=HOHHOT, earliest_date=day(0)),
        make(origin=coordinates, destination=BAOTOU, earliest_date=day(0)),
        make(origin=league_only, destination=HOHHOT, earliest_date=day(0)),
    ]
    sheets = tables_of(registrations)[RTW]
    outside = sheets[OUTSIDE_SHEET]
    assert list(outside.iloc[:, 1]) == ["北京市朝阳区", "未知 unknown (no adcode)", TOTAL]
    assert cell(outside, TOTAL, "registered (total)") == 2
    assert cell(sheets["包头市"], "1502", "name") == "包头市 (未指明旗县 county not given)"
    assert cell(sheets["包头市"], "1502", "registered (total)") == 1
    assert cell(sheets[REGION_SHEET], OUTSIDE_SHEET, "registered (total)") == 2
    assert cell(sheets[REGION_SHEET], TOTAL, "registered (total)") == 3


def test_a_week_must_start_on_monday(make: RegistrationFactory) -> None:
    """A week_start that is not a Monday is refused, naming the Monday of its week."""
    with pytest.raises(ValueError, match=r"2022-11-23 is a Wednesday, not a Monday.*2022-11-21"):
        weekly_tables([make()], plan_of(), (), day(2))


def test_columns_the_inputs_cannot_fill_stay_empty(
    make: RegistrationFactory, tmp_path: Path
) -> None:
    """Air, stranded, quarantine, and (without reasons, needs or a jobs file) involuntary
    returns, jobs, training, rights and warnings are empty (not 0), in the frames and in the
    written workbook, total rows included."""
    registration = make(direction="return_home", earliest_date=day(0))
    tables = tables_of([registration])
    work, home = tables[RTW][HOHHOT_SHEET], tables[RH]["包头市"]
    for frame, header in [
        (work, "air (flights)"),
        (work, "air (people)"),
        (home, "stranded"),
        (home, "in quarantine"),
        (home, "involuntary returns: layoff"),
        (home, "jobs pushed"),
        (home, "trained"),
        (home, "rights claims resolved"),
        (home, "warnings"),
    ]:
        column = next(c for c in frame.columns if c.endswith(header))
        assert frame[column].isna().all(), header
    assert cell(home, TOTAL, "wishing to return (registered, total)") == 1
    paths = write_weekly_report(tmp_path, [registration], plan_of(), (), WEEK)
    read = pd.read_excel(paths[1], sheet_name="包头市")
    assert read["预警 warnings"].isna().all()
    assert read["有返乡意愿(累计登记) wishing to return (registered, total)"].notna().all()


def test_reasons_needs_and_offers_fill_the_return_home_columns(
    make: RegistrationFactory,
) -> None:
    """Involuntary returns by reason, each need and the job offers pushed, in people (offers:
    one per registration matched), per home county and in the total; none of it without
    reasons, needs or a jobs file."""
    home = dict(direction="return_home", earliest_date=day(0))
    laid_off = make(**home, party_size=2, return_reason="layoff", needs=("job", "rights"))
    unpaid = make(**home, return_reason="unpaid_wages", needs=("rights",))
    stopped = make(**home, return_reason="stoppage", needs=("job", "training", "business"))
    voluntary = make(**home, return_reason="voluntary")
    everyone = [laid_off, unpaid, stopped, voluntary]
    offered = {laid_off.registration_id}
    tables = weekly_tables(everyone, plan_of(), (), WEEK, offered=offered)
    sheet = tables[RH]["包头市"]
    for code in ("150203", TOTAL):
        assert row_values(
            sheet, code,
            "involuntary returns: stoppage", "involuntary returns: layoff",
            "involuntary returns: unpaid wages", "job needs", "jobs pushed", "training needs",
            "entrepreneurship wishes", "rights claims",
        ) == [1, 2, 1, 3, 1, 1, 1, 3]  # fmt: skip
    for header in ("employed", "trained", "entrepreneurship served", "warnings"):
        assert pd.isna(cell(sheet, TOTAL, header)), header
    without_jobs = tables_of(everyone)[RH]["包头市"]
    assert pd.isna(cell(without_jobs, TOTAL, "jobs pushed"))
    assert cell(without_jobs, TOTAL, "job needs") == 3


def test_personal_data_never_appears(make: RegistrationFactory, tmp_path: Path) -> None:
    """Names, phones, id numbers and registration ids appear in no cell of either workbook."""
    registration = make(
        registration_id="SECRET-ID-1",
        earliest_date=day(0),
        name="张三丰",
        phone="13812345678",
        id_number="11010519491231002X",
    )
    plan = plan_of(trip("T1", day(0), [registration]))
    paths = write_weekly_report(tmp_path, [registration], plan, (), WEEK)
    for path in paths:
        for frame in pd.read_excel(path, sheet_name=None, dtype=str).values():
            text = frame.to_csv()
            for secret in ("SECRET-ID-1", "张三丰", "13812345678", "11010519491231002X", "T1"):
                assert secret not in text


# --- registered -------------------------------------------------------------------------


def test_registered_total_and_this_week(make: RegistrationFactory) -> None:
    """Total counts every party whose window starts by Sunday; 'this week' those starting in
    the week; a window starting after Sunday is not counted at all."""
    registrations = [
        make(earliest_date=day(-3), latest_date=day(-1), party_size=2),
        make(earliest_date=day(-1), latest_date=day(2), party_size=3),
        make(earliest_date=day(0), latest_date=day(0), party_size=4),
        make(earliest_date=day(6), latest_date=day(9), party_size=5),
        make(earliest_date=day(7), latest_date=day(7), party_size=7),
    ]
    frame = tables_of(registrations)[RTW][HOHHOT_SHEET]
    assert row_values(frame, "150121", "registered (total)", "registered (this week)") == [14, 9]


def test_registered_counts_by_registered_at_where_given(make: RegistrationFactory) -> None:
    """With `registered_at`, a party counts from the day it registered (Beijing time):
    registered last Friday for this week, in the total only; registered on Sunday 23:30
    Beijing time (15:30 UTC) for next week, in this week; registered next Monday, nowhere.
    The notes sheet says how many had no registered_at and counted by their window."""

    def registered(n: int, hour: int, zone: dt.tzinfo = CHINA_TIME) -> dt.datetime:
        return dt.datetime.combine(day(n), dt.time(hour, 30), zone)

    registrations = [
        make(earliest_date=day(1), registered_at=registered(-3, 9), party_size=2),
        make(earliest_date=day(8), registered_at=registered(6, 15, dt.UTC), party_size=3),
        make(earliest_date=day(2), registered_at=registered(7, 0), party_size=5),
        make(earliest_date=day(3), party_size=7),
    ]
    tables = tables_of(registrations)
    frame = tables[RTW][HOHHOT_SHEET]
    assert row_values(frame, "150121", "registered (total)", "registered (this week)") == [12, 10]
    (note,) = tables[RTW][NOTES_SHEET][NOTE]
    assert "1 of 4 registrations (7 people) have no registered_at" in note
    assert tables[RH][NOTES_SHEET][NOTE].tolist() == [
        "登记按报名时间统计 registered: counted by registered_at"
    ]


def test_inside_and_outside_the_region(make: RegistrationFactory) -> None:
    """Return-to-work splits the total by destination (region adcode 15 or not); return-home
    by where people are (the origin)."""
    registrations = [
        make(destination=BAOTOU, earliest_date=day(0), party_size=2),
        make(destination=BEIJING, earliest_date=day(0), party_size=3),
        make(direction="return_home", origin=BEIJING, destination=TUZUOQI, earliest_date=day(0)),
        make(direction="return_home", origin=XIAN, destination=TUZUOQI, earliest_date=day(0)),
        make(direction="return_home", origin=BAOTOU, destination=TUZUOQI, earliest_date=day(0)),
    ]
    tables = tables_of(registrations)
    assert row_values(
        tables[RTW][HOHHOT_SHEET],
        "150121",
        "of total: inside the region",
        "of total: outside the region",
    ) == [2, 3]
    assert row_values(
        tables[RH][HOHHOT_SHEET],
        "150121",
        "where they are: inside the region",
        "where they are: outside the region",
    ) == [1, 2]


# --- departed, point-to-point, vehicle-trips, escorts, destinations -----------------------


def test_departed_this_week(make: RegistrationFactory) -> None:
    """Departed counts parties on a plan trip dated in the week, or boarded in the week
    without a trip; not a trip dated next week, and not a trip of last week."""
    on_trip = make(earliest_date=day(1), party_size=2)
    next_week = make(earliest_date=day(6), latest_date=day(8), party_size=3)
    last_week = make(earliest_date=day(-2), party_size=5)
    boarded = make(earliest_date=day(2), party_size=7)
    plan = plan_of(
        trip("T1", day(1), [on_trip]),
        trip("T2", day(8), [next_week]),
        trip("T0", day(-2), [last_week]),
    )
    frame = tables_of(
        [on_trip, next_week, last_week, boarded], plan, [event(boarded, "boarded", at(2))]
    )[RTW][HOHHOT_SHEET]
    assert row_values(frame, "150121", "departed (this week)", "of which point-to-point") == [9, 2]


def test_a_boarded_event_dates_the_departure(make: RegistrationFactory) -> None:
    """A party that boarded last week is not departed this week even if its plan trip is
    dated this week; the first boarded event wins over the plan's date."""
    early = make(earliest_date=day(-1), latest_date=day(1))
    plan = plan_of(trip("T1", day(1), [early]))
    frame = tables_of([early], plan, [event(early, "boarded", at(-1))])[RTW][HOHHOT_SHEET]
    assert cell(frame, "150121", "departed (this week)") == 0


def test_vehicle_trips_count_once_per_county_and_once_in_the_total(
    make: RegistrationFactory,
) -> None:
    """A coach serving two counties counts as one vehicle-trip in each county's row and once
    in the league total; its escort likewise; people are counted per county."""
    tuzuoqi = make(origin=TUZUOQI, earliest_date=day(1), party_size=2)
    hohhot = make(origin=HOHHOT, earliest_date=day(1), party_size=3)
    also_tuzuoqi = make(origin=TUZUOQI, earliest_date=day(1))
    plan = plan_of(
        trip("T1", day(1), [tuzuoqi, hohhot], escorts=1),
        trip("T2", day(1), [also_tuzuoqi], vehicle="minibus-19"),
    )
    frame = tables_of([tuzuoqi, hohhot, also_tuzuoqi], plan)[RTW][HOHHOT_SHEET]
    headers = ("coach charters (vehicle-trips)", "coach charters (people)", "escorts sent")
    assert row_values(frame, "150121", *headers) == [2, 3, 1]
    assert row_values(frame, "150102", *headers) == [1, 3, 1]
    assert row_values(frame, TOTAL, *headers) == [2, 6, 1]


def test_rail_carriages_fill_the_rail_columns(make: RegistrationFactory) -> None:
    """A trip on a rail car type (name starting 'rail') counts under rail, not coach, and
    still as point-to-point."""
    home = make(
        direction="return_home",
        origin=BEIJING,
        destination=TUZUOQI,
        earliest_date=day(3),
        party_size=4,
    )
    plan = plan_of(trip("R1", day(3), [home], vehicle="rail-yz25"))
    frame = tables_of([home], plan)[RH][HOHHOT_SHEET]
    assert row_values(
        frame,
        "150121",
        "rail (trains or carriages)",
        "rail (people)",
        "coach charters (people)",
        "of which point-to-point",
        "returned (this week)",
    ) == [1, 4, 0, 4, 4]


def test_main_destinations_are_the_top_three_by_people(
    make: RegistrationFactory,
) -> None:
    """The three leagues, cities or provinces most people left for this week, most first,
    ties by name; parties that did not leave are not counted."""
    registrations = [
        make(destination=place, earliest_date=day(0), party_size=size)
        for place, size in [(BAOTOU, 2), (BEIJING, 5), (ORDOS, 2), (XIAN, 1), (HAILAR, 9)]
    ]
    departed = registrations[:4]
    plan = plan_of(*(trip(f"T{i}", day(0), [r]) for i, r in enumerate(departed)))
    frame = tables_of(registrations, plan)[RTW][HOHHOT_SHEET]
    assert cell(frame, "150121", "main destinations") == "北京市 5; 包头市 2; 鄂尔多斯市 2"
    assert cell(frame, "150102", "main destinations") == ""


def test_main_places_of_return_home_are_where_people_are(
    make: RegistrationFactory,
) -> None:
    """Return-home names the places its registered people are in, departed or not."""
    registrations = [
        make(direction="return_home", origin=o, destination=TUZUOQI, earliest_date=day(0))
        for o in (BEIJING, BEIJING, XIAN)
    ]
    frame = tables_of(registrations)[RH][HOHHOT_SHEET]
    assert cell(frame, "150121", "main places they are") == "北京市 2; 西安市 1"


def test_returned_total_and_this_week(make: RegistrationFactory) -> None:
    """Return-home counts who returned by Sunday (any week) and who returned this week."""
    last_week = make(
        direction="return_home", destination=TUZUOQI, earliest_date=day(-3), party_size=2
    )
    this_week = make(
        direction="return_home", destination=TUZUOQI, earliest_date=day(2), party_size=3
    )
    plan = plan_of(trip("T0", day(-3), [last_week]), trip("T1", day(2), [this_week]))
    frame = tables_of([last_week, this_week], plan)[RH][HOHHOT_SHEET]
    assert row_values(frame, "150121", "returned (total)", "returned (this week)") == [5, 3]


# --- events: handed over, tests -----------------------------------------------------------


def test_handed_over_and_tests_count_events_of_the_week(
    make: RegistrationFactory,
) -> None:
    """Handed over, tests done and abnormal count parties with such an event in the week;
    events before Monday or after Sunday are not counted; an abnormal result counts even if
    a later test was normal."""
    a = make(earliest_date=day(0), party_size=2)
    b = make(earliest_date=day(0), party_size=3)
    c = make(earliest_date=day(0), party_size=5)
    events = [
        event(a, "health_checked", at(0), result="abnormal"),
        event(a, "health_checked", at(1), result="normal"),
        event(b, "health_checked", at(1), result="normal"),
        event(b, "handed_over", at(2)),
        event(c, "health_checked", at(-1), result="abnormal"),
        event(c, "handed_over", at(7)),
    ]
    frame = tables_of([a, b, c], plan_of(), events)[RTW][HOHHOT_SHEET]
    assert row_values(
        frame,
        "150121",
        "handed over",
        "pre-trip tests (done)",
        "pre-trip tests (abnormal)",
    ) == [3, 5, 2]


# --- not travelled, waiting ---------------------------------------------------------------


def test_not_travelled_by_reason(make: RegistrationFactory) -> None:
    """Cancellations and reschedulings of the week count under their reason (their own kind
    when none is given), and override the plan's trip; parties the plan left unassigned
    count under 'no trip in the plan' in the week their window starts."""
    people = iter(range(1, 100))
    regs = [make(earliest_date=day(1), party_size=next(people)) for _ in range(6)]
    late_unassigned = make(earliest_date=day(8), latest_date=day(9), party_size=50)
    events = [
        event(regs[0], "cancelled", at(1)),
        event(regs[1], "rescheduled", at(1)),
        event(regs[2], "cancelled", at(1), reason="health"),
        event(regs[3], "rescheduled", at(1), reason="job_changed"),
    ]
    plan = plan_of(trip("T1", day(2), regs[:2]), unassigned=[regs[4], late_unassigned])
    frame = tables_of([*regs, late_unassigned], plan, events)[RTW][HOHHOT_SHEET]
    assert row_values(
        frame,
        "150121",
        "not travelled: cancelled",
        "not travelled: rescheduled",
        "not travelled: health",
        "not travelled: job changed",
        "not travelled: no trip in the plan",
        "registered but not travelled (total)",
        "departed (this week)",
    ) == [1, 2, 3, 4, 5, 15, 0]


def test_a_withdrawal_only_counts_in_its_week_and_while_latest(
    make: RegistrationFactory,
) -> None:
    """A cancellation of last week is not counted again; a cancellation followed by a
    boarding is a departure, not a 'not travelled'; a confirmation after a rescheduling
    reinstates the plan's trip."""
    old = make(earliest_date=day(-3), latest_date=day(1), party_size=2)
    boarded = make(earliest_date=day(1), party_size=3)
    reinstated = make(earliest_date=day(1), latest_date=day(4), party_size=5)
    events = [
        event(old, "cancelled", at(-2)),
        event(boarded, "cancelled", at(1, 6)),
        event(boarded, "boarded", at(1, 8)),
        event(reinstated, "rescheduled", at(1)),
        event(reinstated, "confirmed", at(2)),
    ]
    plan = plan_of(trip("T1", day(4), [reinstated]))
    frame = tables_of([old, boarded, reinstated], plan, events)[RTW][HOHHOT_SHEET]
    assert row_values(
        frame, "150121", "registered but not travelled (total)", "departed (this week)"
    ) == [0, 8]


def test_waiting_for_next_week(make: RegistrationFactory) -> None:
    """Waiting counts parties not departed whose window reaches past Sunday: rescheduled
    ones too, but not cancelled, unassigned or departed ones, nor windows ending by Sunday."""
    waiting = make(earliest_date=day(5), latest_date=day(8), party_size=2)
    rescheduled = make(earliest_date=day(5), latest_date=day(8), party_size=3)
    cancelled = make(earliest_date=day(5), latest_date=day(8), party_size=5)
    unassigned = make(earliest_date=day(5), latest_date=day(8), party_size=7)
    departed = make(earliest_date=day(5), latest_date=day(8), party_size=11)
    ended = make(earliest_date=day(5), latest_date=day(6), party_size=13)
    next_trip = make(earliest_date=day(5), latest_date=day(8), party_size=17)
    events = [
        event(rescheduled, "rescheduled", at(5)),
        event(cancelled, "cancelled", at(5)),
    ]
    plan = plan_of(
        trip("T1", day(6), [departed]), trip("T2", day(7), [next_trip]), unassigned=[unassigned]
    )
    everyone = [waiting, rescheduled, cancelled, unassigned, departed, ended, next_trip]
    frame = tables_of(everyone, plan, events)[RTW][HOHHOT_SHEET]
    assert cell(frame, "150121", "waiting for next week") == 2 + 3 + 17


# --- command line ---------------------------------------------------------------------------


def report_args(out: Path, *extra: str) -> list[str]:
    """`pointplan report weekly` on the fixture, writing to `out`."""
    return [
        "report",
        "weekly",
        str(DATA / "registrations.csv"),
        "--plan",
        str(DATA / "plan.json"),
        "--events",
        str(DATA / "events.csv"),
        "--out",
        str(out),
        *extra,
    ]


def test_cli_writes_both_workbooks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`pointplan report weekly` exits 0, writes the two workbooks of the week and says so,
    and that the fixture's registrations count by their windows; the workbooks hold what
    weekly_tables computes."""
    out = tmp_path / "out"
    assert main(report_args(out, "--week", "2026-02-16")) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["weekly_return_home_2026-02-16.xlsx", "weekly_return_to_work_2026-02-16.xlsx"]
    said = capsys.readouterr()
    assert "weekly_return_to_work_2026-02-16.xlsx" in said.out
    assert "have no registered_at and count as registered in the week" in said.err
    read = workbook_as_table(out / "weekly_return_to_work_2026-02-16.xlsx")
    golden = pd.read_csv(DATA / "return_to_work.csv", dtype=str, na_filter=False)
    pd.testing.assert_frame_equal(read, golden)


@pytest.mark.parametrize(
    ("week", "message"),
    [
        (
            "2026-02-18",
            "--week: 2026-02-18 is a Wednesday, not a Monday; the week that holds "
            "it starts on 2026-02-16",
        ),
        ("2026-2-16", "--week: '2026-2-16' is not a date (YYYY-MM-DD)"),
        ("2026-02-30", "--week: '2026-02-30' is not a date (YYYY-MM-DD)"),
        ("9999-12-27", "--week: 9999-12-27 is outside 2000-01-01..2099-12-31"),
    ],
)
def test_cli_refuses_a_week_that_is_not_a_monday(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], week: str, message: str
) -> None:
    """A --week that is not a Monday's date exits 2 with a message saying why."""
    assert main(report_args(tmp_path / "out", "--week", week)) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_names_a_bad_event_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad events row exits 2, naming the file, the row and the column; an event for a
    registration the file does not have is named too."""
    events = tmp_path / "events.csv"
    events.write_text(
        "registration_id,event,time,place,note,reason,result\n"
        "W01,boarded,2026-02-17 07:30,,,,\n"
        "W01,health_checked,2026-02-16 09:00,,,,\n"
        "NOBODY,boarded,2026-02-17 07:30,,,,\n",
        encoding="utf-8",
    )
    args = report_args(tmp_path / "out", "--week", "2026-02-16")
    args[args.index("--events") + 1] = str(events)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "events.csv, row 3, column result: a health_checked event needs a result" in err
    assert (
        "events.csv, row 4, column registration_id: not a registration of the registrations file"
        in err
    )


def test_cli_refuses_a_plan_of_other_registrations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A plan whose trips carry registrations the file does not have exits 2 and says so."""
    registrations = tmp_path / "registrations.csv"
    lines = (DATA / "registrations.csv").read_text(encoding="utf-8").splitlines()
    registrations.write_text(
        "\n".join(line for line in lines if not line.startswith("W01,")), encoding="utf-8"
    )
    args = ["report", "weekly", str(registrations), "--plan", str(DATA / "plan.json")]
    assert main([*args, "--week", "2026-02-16", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "plan.json: trip T1 carries unknown registration 'W01'" in err


def test_cli_bad_registration_row_stops_unless_keep_going(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad registrations row exits 2 naming it; with --keep-going the report is written
    without it."""
    registrations = tmp_path / "registrations.csv"
    text = (DATA / "registrations.csv").read_text(encoding="utf-8")
    registrations.write_text(
        text + "X1,return_to_work,150121,,,150203,2026-02-30,2026-02-17\n", encoding="utf-8"
    )
    args = ["report", "weekly", str(registrations), "--plan", str(DATA / "plan.json")]
    args += ["--week", "2026-02-16", "--out", str(tmp_path / "out")]
    assert main(args) == 2
    assert "registrations.csv, row 20, column earliest_date" in capsys.readouterr().err
    assert main([*args, "--keep-going"]) == 0
    assert len(list((tmp_path / "out").iterdir())) == 2


def test_cli_reports_an_unreadable_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing or malformed plan.json exits 2 with a message, not a traceback."""
    broken = tmp_path / "plan.json"
    broken.write_text('{"summary": {}}', encoding="utf-8")
    for plan, message in [
        (tmp_path / "missing.json", "missing.json: no such file"),
        (broken, "plan.json: not a plan.json: summary.registrations: Field required"),
    ]:
        args = ["report", "weekly", str(DATA / "registrations.csv"), "--plan", str(plan)]
        assert main([*args, "--week", "2026-02-16", "--out", str(tmp_path / "out")]) == 2
        assert message in capsys.readouterr().err

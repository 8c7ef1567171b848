"""The early warning of involuntary returns: indicators counted by hand, the level the
thresholds raise, the thresholds file's errors, the workbook and the weekly table's column."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from pointplan.cli import main
from pointplan.domain import Registration
from pointplan.domain.warnings import Thresholds, WarningLevel
from pointplan.exports.warnings import warnings_table
from pointplan.exports.weekly import registered_on, weekly_tables
from pointplan.hr.warning import Returnee, indicators, level_of
from pointplan.io import read_points, read_registrations
from pointplan.io.config import load_thresholds
from pointplan.io.errors import InputError
from tests.conftest import SAMPLE

MONDAY = dt.date(2022, 11, 21)
THRESHOLDS = Thresholds.model_validate(
    {
        "weeks_before": 2,
        "levels": [
            {"level": "yellow", "involuntary_people": 3},
            {"level": "orange", "involuntary_share": 0.5, "involuntary_change": 1.0},
            {"level": "red", "open_rights": 10},
        ],
    }
)


def person(days: int, people: int, reason: str, rights: bool = False) -> Returnee:
    return Returnee(MONDAY + dt.timedelta(days=days), people, reason, rights)


def test_indicators_count_the_week_against_the_weeks_before() -> None:
    found = indicators(
        [
            person(0, 2, "layoff", rights=True),  # this week
            person(6, 1, "unpaid_wages"),  # Sunday: this week
            person(3, 3, "voluntary"),  # this week, voluntary
            person(-1, 1, "stoppage"),  # the Sunday before: one week ago
            person(-8, 1, "stoppage", rights=True),  # two weeks ago
            person(-15, 5, "layoff"),  # three weeks ago: beyond weeks_before 2
            person(7, 9, "layoff"),  # next week: not counted at all
        ],
        MONDAY,
        weeks_before=2,
    )
    assert (found.returnees, found.involuntary_people) == (6, 3)
    assert found.by_reason == {"stoppage": 0, "layoff": 2, "unpaid_wages": 1}
    assert found.involuntary_share == 0.5
    assert found.weeks_before_mean == 1.0 and found.involuntary_change == 2.0
    assert found.open_rights == 3
    level, why = level_of(found, THRESHOLDS)
    assert level is WarningLevel.ORANGE
    assert why == ("involuntary_share 0.50 >= 0.5", "involuntary_change +2.00 >= 1.0")


def test_no_level_without_an_indicator_reached_and_no_change_from_nothing() -> None:
    found = indicators([person(0, 1, "layoff"), person(1, 3, "voluntary")], MONDAY, 2)
    assert found.involuntary_change is None  # nothing the weeks before
    assert level_of(found, THRESHOLDS) == (None, ())


def test_a_bad_thresholds_file_names_its_key(tmp_path: Path) -> None:
    path = tmp_path / "thresholds.yaml"
    path.write_text("levels:\n  - level: red\n    involuntary_peple: 3\n", encoding="utf-8")
    with pytest.raises(InputError, match="did you mean 'involuntary_people'"):
        load_thresholds(path)
    path.write_text("levels:\n  - level: red\n", encoding="utf-8")
    with pytest.raises(InputError, match="sets none of"):
        load_thresholds(path)
    path.write_text("levels:\n  - {level: red, open_rights: 1}\n  - {level: red, open_rights: 2}\n")
    with pytest.raises(InputError, match="listed twice"):
        load_thresholds(path)
    assert load_thresholds(SAMPLE / "thresholds.yaml").weeks_before == 4


@pytest.fixture(scope="module")
def sample() -> list[Registration]:
    points = read_points(SAMPLE / "points.csv")
    return list(read_registrations(SAMPLE / "registrations.csv", points=points).registrations)


def test_each_countys_involuntary_returns_are_its_weeks_counted_apart(
    sample: list[Registration],
) -> None:
    thresholds = load_thresholds(SAMPLE / "thresholds.yaml")
    table = warnings_table(sample, MONDAY, thresholds)
    expected: Counter[str] = Counter()
    for r in sample:
        week = MONDAY <= registered_on(r) <= MONDAY + dt.timedelta(days=6)
        if (
            r.direction.value == "return_home"
            and week
            and r.return_reason
            and (r.return_reason.value in ("stoppage", "layoff", "unpaid_wages"))
        ):
            expected[(r.destination.adcode or "")[:6]] += r.party_size
    got = dict(zip(table["旗县代码 county"], table["非自愿返乡 involuntary"], strict=True))
    assert {k: v for k, v in got.items() if v} == dict(expected)
    # Each county's level, from its own columns and sample_data/thresholds.yaml by hand.
    for _, row in table.iterrows():
        involuntary, share = row["非自愿返乡 involuntary"], row["非自愿占比 share"]
        if involuntary >= 40 or row["维权未结 open rights claims"] >= 20:
            expected_level = "红色预警 red"
        elif involuntary >= 20 or (row["本周返乡登记 returnees (week)"] and share >= 0.5):
            expected_level = "橙色预警 orange"
        elif involuntary >= 10:
            expected_level = "黄色预警 yellow"
        else:
            expected_level = "无 none"
        assert row["预警 level"] == expected_level, row["旗县代码 county"]
    assert (table["预警 level"] != "无 none").any()
    # The weekly table's warnings column says the same, county by county.
    from pointplan.domain import Plan, Summary

    empty = Plan(
        summary=Summary(registrations=0, passengers=0, served_passengers=0, vehicles=0,
                        vehicles_lower_bound=0, stops=0, distance_km=0, cost=0, solve_seconds=0),
        trips=(), unassigned=(), rejected=(),
    )  # fmt: skip
    sheets = weekly_tables(sample, empty, (), MONDAY, thresholds=thresholds)["return_home"]
    levels = dict(zip(table["旗县代码 county"], table["预警 level"], strict=True))
    for frame in sheets.values():
        if "预警 warnings" not in frame.columns:
            continue
        for code, shown in zip(frame.iloc[:, 0], frame["预警 warnings"], strict=True):
            if code in levels and levels[code] != "无 none":
                assert str(shown).startswith(levels[code]), code


def test_the_command_writes_the_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["report", "warnings", str(SAMPLE / "registrations.csv"), "--points",
            str(SAMPLE / "points.csv"), "--thresholds", str(SAMPLE / "thresholds.yaml"),
            "--out", str(tmp_path)]  # fmt: skip
    assert main([*args, "--week", "2022-11-21"]) == 0
    assert "counties" in capsys.readouterr().out
    table = pd.read_excel(tmp_path / "warnings.xlsx", dtype={"旗县代码 county": str})
    assert len(table) and table["旗县代码 county"].str.len().eq(6).all()
    assert main([*args, "--week", "2022-11-22"]) == 2  # a Tuesday


def test_a_rights_claim_served_by_the_weeks_end_is_no_longer_open() -> None:
    """Two returnees with rights claims; one served on Wednesday, the other on the next
    Monday: one claim is open at the end of the week."""
    from pointplan.domain.events import EventKind, StatusEvent
    from pointplan.hr.warning import county_warnings
    from tests.conftest import BAOTOU, BEIJING

    def claimant(rid: str) -> Registration:
        return Registration(
            registration_id=rid, direction="return_home", origin=BEIJING, destination=BAOTOU,
            pickup=BEIJING, dropoff=BAOTOU, earliest_date=MONDAY, latest_date=MONDAY,
            needs=("rights",), party_size=3,
        )  # fmt: skip

    claims = [claimant("C1"), claimant("C2")]
    served = [
        StatusEvent(registration_id=rid, event=EventKind.NEED_SERVED, need="rights", time=when)
        for rid, when in (
            ("C1", dt.datetime(2022, 11, 23, 9)),
            ("C2", dt.datetime(2022, 11, 28, 9)),
        )
    ]
    registered = {r.registration_id: MONDAY for r in claims}
    (before,) = county_warnings(claims, registered, MONDAY, THRESHOLDS)
    (after,) = county_warnings(claims, registered, MONDAY, THRESHOLDS, served)
    assert (before.indicators.open_rights, after.indicators.open_rights) == (6, 3)

"""Who coordinates which flow: each flow's scope, level and office, the coordination lists
for other provinces, and the workbook, checked against counts made from the inputs."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from pointplan.builder import build_problem
from pointplan.cli import main
from pointplan.domain import Policy, Registration
from pointplan.domain.places import Place
from pointplan.domain.registration import Direction
from pointplan.hr.flows import (
    LEVEL_OF,
    Level,
    Scope,
    coordination_rows,
    flows,
    for_area,
    scope_of,
)
from pointplan.io import read_points, read_registrations
from pointplan.io.config import default_fleet
from pointplan.problem import Problem
from pointplan.solve import solve
from tests.conftest import BAOTOU, BEIJING, HAILAR, HOHHOT, SAMPLE, TUZUOQI

DAY = dt.date(2022, 11, 21)
WORK, HOME = Direction.RETURN_TO_WORK, Direction.RETURN_HOME
SOMEWHERE = Place(label="a farm by its coordinates", lat=41.0, lon=112.0)


@pytest.mark.parametrize(
    ("origin", "destination", "scope", "level"),
    [
        ("150102", "150102", Scope.INSIDE_COUNTY, Level.COUNTY),
        ("150102", "150121", Scope.INSIDE_LEAGUE, Level.COUNTY),
        ("150121", "150203", Scope.BETWEEN_LEAGUES, Level.LEAGUE),
        ("150121", "110105", Scope.BETWEEN_PROVINCES, Level.REGION),
        ("110105", "150702", Scope.BETWEEN_PROVINCES, Level.REGION),
        ("", "150702", Scope.UNKNOWN, Level.REGION),
    ],
)
def test_each_flow_is_classified_by_how_far_it_goes(
    origin: str, destination: str, scope: Scope, level: Level
) -> None:
    assert scope_of(origin, destination) is scope
    assert LEVEL_OF[scope] is level


def person(rid: str, direction: Direction, origin: Place, destination: Place, size: int = 1,
           employer: str | None = None) -> Registration:  # fmt: skip
    return Registration(
        registration_id=rid, direction=direction, origin=origin, destination=destination,
        pickup=origin, dropoff=destination, earliest_date=DAY, latest_date=DAY,
        party_size=size, employer=employer,
    )  # fmt: skip


def test_the_home_county_or_its_league_answers_and_the_region_for_other_provinces() -> None:
    found = flows(
        [
            person("A", WORK, TUZUOQI, HOHHOT, 2),  # inside 呼和浩特市: the county of origin
            person("B", HOME, BAOTOU, TUZUOQI),  # between leagues, home in 呼和浩特市
            person("C", WORK, HAILAR, BEIJING, 3, "工地甲"),  # to Beijing: the region
            person("D", HOME, BEIJING, HAILAR),  # home from Beijing: the region
            person("E", WORK, SOMEWHERE, BAOTOU),  # no adcode: the region, until known
        ]
    )
    by_origin = {(f.direction, f.origin_adcode): f for f in found}
    inside = by_origin[WORK, "150121"]
    assert (inside.scope, inside.level, inside.responsible_adcode) == (
        Scope.INSIDE_LEAGUE, Level.COUNTY, "150121",
    )  # fmt: skip
    assert inside.people == 2
    between = by_origin[HOME, "150203"]
    assert (between.level, between.responsible_adcode) == (Level.LEAGUE, "1501")
    out = by_origin[WORK, "150702"]
    assert (out.level, out.responsible_adcode, out.other_province) == (Level.REGION, "15", "北京市")
    assert out.employers == ("工地甲",)
    assert by_origin[HOME, "110105"].other_province_adcode == "11"
    assert by_origin[WORK, ""].scope is Scope.UNKNOWN
    assert [f.origin_adcode for f in for_area(found, "1501")] == ["150121", "150203"]
    assert [f.origin_adcode for f in for_area(found, "1501", Level.LEAGUE)] == ["150203"]


@pytest.fixture(scope="module")
def sample() -> list[Registration]:
    points = read_points(SAMPLE / "points.csv")
    return list(read_registrations(SAMPLE / "registrations.csv", points=points).registrations)


def _county(place: Place) -> str:
    return (place.adcode or "")[:6]


def test_the_sample_weeks_flows_hold_everyone_once_at_the_level_counted_apart(
    sample: list[Registration],
) -> None:
    found = flows(sample)
    assert sum(f.people for f in found) == sum(r.party_size for r in sample)
    assert sum(f.registrations for f in found) == len(sample)
    expected: Counter[str] = Counter()
    for r in sample:  # counted from the adcodes, without the module's rules
        o, d = _county(r.origin), _county(r.destination)
        if not o or not d or o[:2] != "15" or d[:2] != "15":
            expected["region"] += r.party_size
        elif o[:4] != d[:4]:
            expected["league"] += r.party_size
        else:
            expected["county"] += r.party_size
    got: Counter[str] = Counter()
    for f in found:
        got[f.level.value] += f.people
    assert got == expected
    assert all(f.responsible_adcode.startswith("15") for f in found)


def test_coordination_lists_count_each_other_provinces_people_and_their_trips(
    sample: list[Registration],
) -> None:
    def outside(r: Registration) -> bool:
        o, d = _county(r.origin), _county(r.destination)
        return bool(o and d) and (o[:2] != "15" or d[:2] != "15")

    # The flows between provinces, and a few others the lists must leave out.
    chosen = [r for r in sample if outside(r)] + [r for r in sample if not outside(r)][:50]
    plan = solve(Problem(tuple(chosen), default_fleet(), Policy()), time_limit=1, workers=1)
    rows = coordination_rows(chosen, plan)
    expected: Counter[str] = Counter()
    for r in filter(outside, chosen):
        o, d = _county(r.origin), _county(r.destination)
        expected[o[:2] if o[:2] != "15" else d[:2]] += r.party_size
    got: Counter[str] = Counter()
    for row in rows:
        got[str(row["other_province_adcode"])] += int(str(row["people"]))
    assert got == expected
    on_trips = {rid for t in plan.trips for rid in t.registration_ids()}
    planned = sum(
        int(part.split(" x ")[1])
        for row in rows
        for part in str(row["planned_dates"]).split("; ")
        if part
    )
    assert planned == sum(
        r.party_size for r in chosen if outside(r) and r.registration_id in on_trips
    )


def test_the_command_writes_the_workbook_and_refuses_a_plan_of_another_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["report", "coordination", str(SAMPLE / "registrations.csv"), "--points",
            str(SAMPLE / "points.csv"), "--out", str(tmp_path)]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "flows" in out and "region" in out
    book = openpyxl.load_workbook(tmp_path / "coordination.xlsx", read_only=True)
    assert book.sheetnames[0] == "流向 flows" and "协调 北京市" in book.sheetnames
    book.close()
    other = tmp_path / "other.json"
    other.write_text(
        solve(build_problem([person("X1", WORK, TUZUOQI, HOHHOT)]), time_limit=1, workers=1)
        .to_json(), encoding="utf-8",
    )  # fmt: skip
    assert main([*args, "--plan", str(other)]) == 2

"""Date guidance (`date_suggestion_days`; pointplan.suggestions): Hohhot to Beijing, two
people on Monday (their only date) and three on Wednesday (theirs), each day's people on a
vehicle of their own. Asked to move by up to two days, Monday's pair is one group: on
Wednesday the other trip takes them, saving a vehicle; the plan with them moved
(`plan_if_agreed`) has one vehicle fewer and is clean under the independent checker, with
their dates moved. Without the key there are no suggestions, and none inside a window."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from pointplan.domain.policy import Policy
from pointplan.exports.workbook import write_workbook
from pointplan.io.config import default_fleet
from pointplan.problem import Problem
from pointplan.solve import solve
from pointplan.suggestions import plan_if_agreed
from tests.checker import check_plan
from tests.conftest import BEIJING, HOHHOT, party

MONDAY = dt.date(2022, 11, 21)
WEDNESDAY = MONDAY + dt.timedelta(days=2)


def week(days: int) -> Problem:
    """The two days' parties, asked to move by up to `days` days."""
    registrations = (
        party("R1", HOHHOT, BEIJING, MONDAY),
        party("R2", HOHHOT, BEIJING, MONDAY),
        party("R3", HOHHOT, BEIJING, WEDNESDAY, size=3),
    )
    return Problem(registrations, default_fleet(), Policy(date_suggestion_days=days))


def test_a_group_saves_a_vehicle_and_the_saving_is_real() -> None:
    problem = week(2)
    plan = solve(problem, time_limit=5, seed=0)
    assert len(plan.trips) == 2
    suggestions = plan.date_suggestions
    assert [(s.registration_id, s.move_to, s.group, s.saves_vehicles) for s in suggestions] == [
        ("R1", WEDNESDAY, 1, 1),
        ("R2", WEDNESDAY, 1, 1),
    ]
    wednesday = next(t for t in plan.trips if t.date == WEDNESDAY)
    assert {s.trip_id for s in suggestions} == {wednesday.trip_id}
    agreed = plan_if_agreed(problem, plan)
    assert len(agreed.trips) == len(plan.trips) - 1
    moved = tuple(
        r.model_copy(update={"earliest_date": WEDNESDAY, "latest_date": WEDNESDAY})
        if r.registration_id in {"R1", "R2"}
        else r
        for r in problem.registrations
    )
    assert check_plan(json.loads(agreed.to_json()), moved, problem.fleet, problem.policy) == []
    assert check_plan(json.loads(plan.to_json()), problem.registrations, problem.fleet,
                      problem.policy) == []  # fmt: skip
    assert json.loads(plan.to_json())["date_suggestions"][0]["move_to"] == "2022-11-23"


def test_no_suggestions_without_the_key_or_within_reach() -> None:
    plan = solve(week(0), time_limit=5, seed=0)
    assert plan.date_suggestions == () and "date_suggestions" not in json.loads(plan.to_json())
    assert solve(week(1), time_limit=5, seed=0).date_suggestions == ()  # Wednesday out of reach


def test_the_workbook_has_the_calls_to_make(tmp_path: Path) -> None:
    """plan.xlsx: a `date suggestions` sheet, one row per person, group and what it saves."""
    problem = week(2)
    plan = solve(problem, time_limit=5, seed=0)
    write_workbook(plan, tmp_path / "plan.xlsx", problem.registrations)
    sheet = pd.read_excel(tmp_path / "plan.xlsx", sheet_name="date suggestions")
    assert list(sheet["registration_id"]) == ["R1", "R2"]
    assert set(sheet["group"]) == {1} and set(sheet["saves_vehicles"]) == {1}
    assert "phone" in sheet.columns

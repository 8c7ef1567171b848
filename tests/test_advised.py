"""Charters only where they pay (`min_trip_passengers`; pointplan.advised): four lone
travellers bound for Beijing (tests/test_networked.py). Direct, each trip carries one
person, so under a least of 2 all four are advised, with the mode and the estimated cost of
a scheduled service. Through the hub, the trunk carries three: they travel, and the fourth,
riding direct alone, is advised. Under a least of 4 the trunk is advised too, and so are its
feeders' people: nobody is left half way."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pointplan.cli.plan import summary_table
from pointplan.domain.policy import Policy
from pointplan.exports.workbook import write_workbook
from pointplan.io.config import default_fleet
from pointplan.problem import Problem
from pointplan.solve import solve
from tests.checker import check_plan
from tests.test_networked import HUB, lone_travellers


def planned(least: int, transfers: bool) -> tuple[Problem, dict[str, Any]]:
    """The lone travellers planned under a least of `least`, with or without transfers;
    the plan as plan.json, checked clean by the independent checker."""
    policy = Policy(min_trip_passengers=least, transfers=transfers)
    problem = Problem(tuple(lone_travellers()), default_fleet(), policy, points=(HUB,))
    plan = json.loads(solve(problem, time_limit=10, seed=0).to_json())
    assert check_plan(plan, problem.registrations, problem.fleet, policy) == []
    return problem, plan


def test_direct_trips_under_the_least_are_advised_with_their_cost() -> None:
    problem, plan = planned(2, transfers=False)
    assert plan["trips"] == [] and plan["unassigned"] == []
    assert [a["registration_id"] for a in plan["advised"]] == ["R0", "R1", "R2", "R3"]
    for advice, registration in zip(plan["advised"], problem.registrations, strict=True):
        km = problem.distances.road_km(registration.pickup, registration.dropoff)
        assert advice["mode"] == "scheduled" and "under min_trip_passengers 2" in advice["reason"]
        assert advice["cost"] == pytest.approx(km * 0.4, abs=0.01)
    summary = plan["summary"]
    assert summary["advised"] == 4 and summary["served_passengers"] == 0
    assert summary["cost_per_person"] == pytest.approx(
        sum(a["cost"] for a in plan["advised"]) / 4, abs=0.01
    )


def test_through_the_hub_only_the_lone_direct_traveller_is_advised() -> None:
    _, plan = planned(2, transfers=True)
    assert [a["registration_id"] for a in plan["advised"]] == ["R1"]
    assert sorted(t.get("leg", "direct") for t in plan["trips"]) == ["feeder"] * 3 + ["trunk"]


def test_a_trunk_under_the_least_takes_its_feeders_people_with_it() -> None:
    _, plan = planned(4, transfers=True)
    assert plan["trips"] == []
    assert len(plan["advised"]) == 4
    assert sum("trunk" in a["reason"] for a in plan["advised"]) == 3


def test_without_a_least_nothing_is_advised_and_plan_json_has_no_advised() -> None:
    _, plan = planned(1, transfers=False)
    assert "advised" not in plan and plan["summary"]["advised"] == 0


def test_the_workbook_lists_the_advised_with_whom_to_call(tmp_path: Path) -> None:
    """plan.xlsx has an `advised` sheet: mode, reason, cost, and the masked phone."""
    policy = Policy(min_trip_passengers=2)
    problem = Problem(tuple(lone_travellers()), default_fleet(), policy, points=(HUB,))
    plan = solve(problem, time_limit=5, seed=0)
    write_workbook(plan, tmp_path / "plan.xlsx", problem.registrations)
    sheet = pd.read_excel(tmp_path / "plan.xlsx", sheet_name="advised")
    assert list(sheet["registration_id"]) == ["R0", "R1", "R2", "R3"]
    assert set(sheet["mode"]) == {"scheduled"} and (sheet["cost"] > 0).all()
    assert "phone" in sheet.columns


def test_the_printed_summary_names_the_advised_and_the_legs() -> None:
    """`pointplan plan` prints the advised and the legs when the plan has them."""
    policy = Policy(min_trip_passengers=2, transfers=True)
    problem = Problem(tuple(lone_travellers()), default_fleet(), policy, points=(HUB,))
    printed = summary_table(solve(problem, time_limit=10, seed=0))
    assert "advised        1 registrations" in printed
    assert "legs           4 of the vehicles" in printed and "a person)" in printed
    plain = summary_table(solve(replace(problem, policy=Policy()), time_limit=5, seed=0))
    assert "advised" not in plain and "legs" not in plain

"""Rules that change by place and date (the policy's `overrides`, issue 13, point 8): each
trip planned under the strictest value of every override holding for its stops' areas on its
date (checked by the independent checker, which works that out for itself), the overrides
named on its page, a lower bound under the loosest rules, nobody lost."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest
from pydantic import ValidationError

from pointplan.builder import build_problem
from pointplan.cli import main
from pointplan.domain.policy import Policy
from pointplan.exports.people import PersonalData
from pointplan.exports.vehicle_page import vehicle_page
from pointplan.io import read_points
from pointplan.replan import RULES_APART, Base, replan
from pointplan.solve import solve
from pointplan.solvers.seating import with_capacities
from pointplan.synthetic import make_week
from tests.checker import check_plan
from tests.conftest import assert_valid_plan

MON, WED, SUN = dt.date(2022, 11, 21), dt.date(2022, 11, 23), dt.date(2022, 11, 27)


def policy_with(*overrides: dict[str, object]) -> Policy:
    """The default rules with these overrides, as a policy file gives them."""
    return Policy.model_validate({"overrides": list(overrides)})


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"area": "1501", "departure_time": "09:00"}, "may not set departure_time"),
        ({"area": "1501", "max_load_factor": 1.5}, "max_load_factor"),
        ({"area": "1501"}, "sets no rule"),
        ({"area": "15x", "max_load_factor": 0.5}, "area"),
        ({"from": "2022-11-23", "to": "2022-11-21", "max_load_factor": 0.5}, "from is after to"),
    ],
)
def test_a_bad_override_is_refused_naming_what(override: dict[str, object], named: str) -> None:
    """An override may set only rules that have a stricter side, with valid values, over an
    adcode prefix and dates in order."""
    with pytest.raises(ValidationError, match=named):
        policy_with(override)


def test_overrides_are_written_as_given_and_read_back() -> None:
    """The flat form of the contract round-trips through JSON."""
    given = {"area": "1501", "from": "2022-11-21", "to": "2022-11-23", "max_load_factor": 0.3}
    policy = policy_with(given, {"area": "1502", "max_load_factor": 0.9})
    written = json.loads(policy.model_dump_json())
    assert written["overrides"][0] == given
    assert Policy.model_validate(written) == policy


def test_strictest_per_key_with_the_policy_beside_partial_ones() -> None:
    """Key by key the strictest value of the overrides that hold; where one holds on part of
    the window only, the policy's own value stands beside it; the loosest of everything is
    what bounds are taken under."""
    policy = policy_with(
        {"area": "1501", "max_load_factor": 0.7, "reserved_rear_rows": 3},
        {"area": "150121", "from": "2022-11-21", "to": "2022-11-23", "max_load_factor": 0.9},
    )
    areas = ("150121", "150203")
    assert policy.matching(areas, MON, WED) == ((0, 1), ())
    assert policy.matching(areas, WED, SUN) == ((0,), (1,))
    assert policy.matching(("150203",), MON, SUN) == ((), ())
    both = policy.applied((0, 1))
    assert (both.max_load_factor, both.reserved_rear_rows) == (0.7, 3)
    assert policy.applied((1,)).max_load_factor == 0.9
    assert policy.applied((), (1,)).max_load_factor == 0.5  # the policy's own, stricter
    loosest = policy.loosest()
    assert (loosest.max_load_factor, loosest.reserved_rear_rows, loosest.overrides) == (0.9, 2, ())


def test_a_week_under_overrides_keeps_the_rules_of_every_trip() -> None:
    """Hohhot's trips at a 30% cap on Monday to Wednesday, Baotou's at 90% all week: every
    trip keeps the rules the checker works out for its stops and date, the trips under an
    override carry it and its values, a page names it, and the bound holds; a plan under
    fixed rules writes no `overrides` at all."""
    made = make_week(300, seed=5)
    strict = {"area": "1501", "from": "2022-11-21", "to": "2022-11-23", "max_load_factor": 0.3}
    loose = {"area": "1502", "max_load_factor": 0.9}
    problem = build_problem(
        made.registrations, points=read_points(made.points), policy=policy_with(strict, loose)
    )
    plan = solve(problem, time_limit=2)
    assert_valid_plan(plan, problem.registrations, problem.fleet, problem.policy)
    again = solve(with_capacities(problem), time_limit=2)  # a table of the default rules
    assert again.trips == plan.trips
    assert plan.summary.vehicles_lower_bound <= plan.summary.vehicles
    under = [t for t in plan.trips if t.overrides]
    assert under and all(set(t.rules) == {"max_load_factor"} for t in under)
    assert {t.rules["max_load_factor"] for t in under} >= {0.3, 0.9}
    page = vehicle_page(under[0], problem.policy, problem.fleet, PersonalData((), False))
    assert any("rules override" in line for line in page.measures)
    written = json.loads(plan.to_json())["trips"]
    assert [w.get("overrides", []) for w in written] == [list(t.overrides) for t in plan.trips]
    assert all(("rules" in w) == ("overrides" in w) for w in written)
    # the checker holds trips to the overrides: the default rules' plan breaks a 20% cap
    plain = solve(replace(problem, policy=Policy(), capacities=None), time_limit=2)
    harsh = policy_with({"area": "15", "max_load_factor": 0.2})
    broken = check_plan(json.loads(plain.to_json()), problem.registrations, problem.fleet, harsh)
    assert any("load" in problem or "seats" in problem for problem in broken), broken[:3]
    assert all("overrides" not in w for w in json.loads(plain.to_json())["trips"])


def test_a_replan_under_new_overrides_holds_every_trip_to_them(tmp_path: Path) -> None:
    """Overrides that came after the base plan (Hohhot at 30% from Tuesday, Baotou at 90%):
    the re-plan keeps the published Monday, holds every other trip to the rules holding for
    it (kept trips too, naming them), says which people the rules moved and why, loses
    nobody, and is the same twice; `pointplan plan --base` does the same."""
    made = make_week(300, seed=5)
    problem = build_problem(made.registrations, points=read_points(made.points))
    base = solve(problem, time_limit=2)
    policy = policy_with(
        {"area": "1501", "from": "2022-11-22", "max_load_factor": 0.3},
        {"area": "1502", "max_load_factor": 0.9},
    )
    ruled = replace(problem, policy=policy, capacities=None)
    plan = replan(ruled, Base(base, "base", frozen_through=MON))
    assert_valid_plan(plan, ruled.registrations, ruled.fleet, policy)
    assert replan(ruled, Base(base, "base", frozen_through=MON)).trips == plan.trips
    published = {t.trip_id: t for t in base.trips if t.date <= MON}
    assert {t.trip_id: t for t in plan.trips if t.date <= MON} == published
    kept = {c.to_trips[0] for c in plan.changes if c.change == "kept" and c.to_trips}
    assert any(t.overrides for t in plan.trips if t.trip_id in kept and t.date > MON)
    reasons = {c.reason for c in plan.changes if c.change == "moved"}
    assert RULES_APART in reasons
    assert any(r.startswith("the seat rules changed (overrides 0") for r in reasons), reasons
    assert len(plan.changes) == len({c.registration_id for c in plan.changes})

    made.registrations.to_csv(tmp_path / "regs.csv", index=False)
    made.points.to_csv(tmp_path / "points.csv", index=False)
    (tmp_path / "base.json").write_text(base.to_json(), encoding="utf-8")
    (tmp_path / "policy.json").write_text(policy.model_dump_json(), encoding="utf-8")
    args = ["plan", str(tmp_path / "regs.csv"), "--points", str(tmp_path / "points.csv"),
            "--base", str(tmp_path / "base.json"), "--freeze-through", MON.isoformat(),
            "--policy", str(tmp_path / "policy.json"), "--out", str(tmp_path / "out"),
            "--no-progress", "--time-limit", "2"]  # fmt: skip
    assert main(args) == 0
    written = json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8"))
    assert written["base_plan"] and written["changes"]
    assert check_plan(written, ruled.registrations, ruled.fleet, policy) == []

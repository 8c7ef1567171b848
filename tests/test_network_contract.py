"""The contract's network fields read and written before planning uses them (issue 14): a
trip's `leg` and `mode` (written only when not the defaults, so plans are as before), the
policy's network keys with their defaults, and a policy asking for rail without the legs a
rail journey rides refused with a message naming the key, in files and in Python."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from pointplan.builder import build_problem
from pointplan.domain.plan import Plan
from pointplan.domain.policy import RAIL_NEEDS_TRANSFERS, Policy
from pointplan.io import load_policy, read_points
from pointplan.io.errors import InputError
from pointplan.solve import solve
from pointplan.synthetic import make_week


def test_a_plan_writes_no_leg_or_mode_until_a_trip_has_another() -> None:
    """Direct coach trips write neither field; a trunk rail trip writes both, and reads back."""
    made = make_week(30, seed=1)
    plan = solve(build_problem(made.registrations, points=read_points(made.points)), time_limit=1)
    written = json.loads(plan.to_json())
    assert all("leg" not in t and "mode" not in t for t in written["trips"])
    trunk = plan.trips[0].model_copy(update={"leg": "trunk", "mode": "rail"})
    again = Plan.from_json(plan.model_copy(update={"trips": (trunk,)}).to_json())
    assert (again.trips[0].leg, again.trips[0].mode) == ("trunk", "rail")


def test_the_network_keys_default_to_direct_plans() -> None:
    """Defaults as the contract gives them: no transfers, 60 minutes, 3 legs, 1 passenger."""
    policy = Policy()
    assert (policy.transfers, policy.transfer_minutes, policy.max_legs) == (False, 60, 3)
    assert (policy.min_trip_passengers, policy.rail, policy.legs_allowed()) == (1, False, 1)
    assert Policy(max_legs=2).legs_allowed() == 1


@pytest.mark.parametrize(
    "asked", [{"rail": True}, {"rail": True, "transfers": True, "max_legs": 2}]
)
def test_rail_without_its_legs_is_refused_naming_the_key(
    asked: dict[str, object], tmp_path: Path
) -> None:
    """Rail rides a feeder, the train and a distribution leg: without transfers and three
    legs it is an error naming the key, never a plan that silently ignores it."""
    with pytest.raises(ValidationError, match=re.escape(f"rail: {RAIL_NEEDS_TRANSFERS}")):
        Policy.model_validate(asked)
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(asked), encoding="utf-8")
    with pytest.raises(InputError, match="rail"):
        load_policy(path)
    assert Policy.model_validate({"rail": True, "transfers": True}).rail


def test_transfers_with_overrides_are_refused_naming_both() -> None:
    """Transfers are planned; with overrides beside them (legs under different rules) the
    policy is refused, saying why."""
    assert Policy.model_validate({"transfers": True}).legs_allowed() == 3
    overrides = [{"area": "15", "max_load_factor": 0.3}]
    with pytest.raises(ValidationError, match="transfers with overrides"):
        Policy.model_validate({"transfers": True, "overrides": overrides})

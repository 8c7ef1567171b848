"""Who pays (pointplan.domain.cost_sharing): rules by share, trip size, group size and a cap
per employer, tolls waived, the rest to the employer; a cost-sharing file through the
command line (cost_sharing.xlsx, the payers printed) and `compare` (a column per payer);
a bad key is an error naming it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from pointplan.cli import main
from pointplan.domain.cost_sharing import CostSharing, ShareRule, split_costs
from pointplan.domain.plan import Trip
from pointplan.domain.policy import Policy
from pointplan.io import InputError, load_cost_sharing
from pointplan.io.config import default_fleet
from pointplan.problem import Problem
from pointplan.scenarios import Scenario, compare
from pointplan.solve import solve
from tests.conftest import BEIJING, HOHHOT, SAMPLE, party

DAY = dt.date(2022, 11, 21)


def one_trip(employers: list[str | None]) -> tuple[Problem, list[Trip]]:
    """One person per employer given, all on one trip from Hohhot to Beijing."""
    registrations = tuple(
        party(f"R{n}", HOHHOT, BEIJING, DAY).model_copy(update={"employer": e})
        for n, e in enumerate(employers)
    )
    problem = Problem(registrations, default_fleet(), Policy())
    plan = solve(problem, time_limit=3, seed=0)
    assert len(plan.trips) == 1
    return problem, list(plan.trips)


def test_two_to_one_splits_every_yuan() -> None:
    problem, trips = one_trip(["甲", "甲", "乙"])
    sharing = CostSharing(rules=(ShareRule(payer="government", share=2 / 3),))
    split = split_costs(trips, problem.registrations, sharing)
    cost = trips[0].cost
    assert split.by_payer["government"] == pytest.approx(cost * 2 / 3)
    assert split.by_payer["employer"] == pytest.approx(cost / 3)
    assert split.by_employer["甲", "employer"] == pytest.approx(cost * 2 / 9)
    assert split.people == 3
    assert sum(split.per_person().values()) == pytest.approx(cost / 3)


def test_group_size_cap_and_tolls() -> None:
    problem, trips = one_trip(["甲", "甲", "乙", None])
    trip = trips[0]
    rule = ShareRule(payer="government", share=0.5, min_group=2, cap_per_employer=100)
    sharing = CostSharing(rules=(rule,), tolls_waived=True, toll_per_km=1.0)
    split = split_costs(trips, problem.registrations, sharing)
    billable = trip.cost - trip.distance_km
    assert split.tolls_waived == pytest.approx(trip.distance_km)
    assert split.by_payer["government"] == pytest.approx(100)  # only 甲's pair, capped
    assert split.by_payer["employer"] == pytest.approx(billable - 100)
    assert ("乙", "government") not in split.by_employer  # a group of one


def test_a_bad_key_is_named(tmp_path: Path) -> None:
    path = tmp_path / "sharing.yaml"
    path.write_text("rules:\n  - payer: government\n    shares: 0.5\n", encoding="utf-8")
    with pytest.raises(InputError, match="shares"):
        load_cost_sharing(path)


def test_the_command_line_writes_who_pays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main([
        "plan", str(SAMPLE / "registrations.csv"), "--points", str(SAMPLE / "points.csv"),
        "--fleet", str(SAMPLE / "fleet.yaml"), "--policy", str(SAMPLE / "policy.yaml"),
        "--cost-sharing", str(SAMPLE / "cost_sharing.yaml"), "--time-limit", "2",
        "--no-pdf", "--out", str(out),
    ])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    assert "paid by employer" in printed and "paid by government" in printed
    by_payer = pd.read_excel(out / "cost_sharing.xlsx", sheet_name="by payer")
    trips = pd.read_excel(out / "plan.xlsx", sheet_name="trips")
    notes = pd.read_excel(out / "cost_sharing.xlsx", sheet_name="notes")
    waived = notes.loc[notes["figure"] == "tolls waived (yuan)", "value"].item()
    assert by_payer["paid"].sum() + waived == pytest.approx(trips["cost"].sum(), abs=1)


def test_compare_shows_a_column_per_payer() -> None:
    registrations = [party(f"R{n}", HOHHOT, BEIJING, DAY) for n in range(3)]
    sharing = CostSharing(rules=(ShareRule(payer="government", share=0.5),))
    table = compare(registrations, [Scenario(name="base")], time_limit=2, cost_sharing=sharing)
    paid = table["paid_by_government_per_person"].tolist()
    cost = table["cost_per_person"].tolist()
    assert paid == pytest.approx([c / 2 for c in cost], abs=0.01)

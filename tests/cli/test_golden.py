"""Golden files of a small fixed week (tests/data/golden, made by `pointplan sample --size 40
--seed 7`): plan.json and one trip's manifest sheet of plan.xlsx, byte for byte. See
tests/golden.py for regenerating them after an intended change."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pointplan.cli import main
from tests.conftest import DATA_ROOT
from tests.golden import check_golden, frame_text

DATA = DATA_ROOT / "golden"


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixed week planned with a fixed seed and budget; the output folder."""
    out = tmp_path_factory.mktemp("golden")
    args = ["plan", str(DATA / "registrations.csv"), "--points", str(DATA / "points.csv")]
    code = main([*args, "--time-limit", "5", "--seed", "3", "--no-pdf", "--out", str(out)])
    assert code == 0
    return out


def test_golden_plan_json(planned: Path) -> None:
    """plan.json, with the one figure that depends on the machine (solve seconds) zeroed."""
    plan = json.loads((planned / "plan.json").read_text(encoding="utf-8"))
    plan["summary"]["solve_seconds"] = 0.0
    check_golden(json.dumps(plan, ensure_ascii=False, indent=2) + "\n", DATA / "plan.json")


def test_golden_manifest_sheet(planned: Path) -> None:
    """The first trip's sheet of plan.xlsx (its stops, then its masked passenger list)."""
    sheet = pd.read_excel(planned / "plan.xlsx", sheet_name="T0001", dtype=str, header=None)
    check_golden(frame_text(sheet.fillna("")), DATA / "manifest_T0001.csv")

"""Golden files of human resources' workbooks, written from the weekly fixture
(tests/data/weekly: registrations with reasons and needs, a plan, events, a jobs file,
thresholds): the ledger, the warnings, the coordination lists and the receiving lists (under
`arrival_measure: quarantine`), every sheet read back and stacked. Regenerate as
tests/golden.py says."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from pointplan.domain.plan import Plan
from pointplan.exports.coordination import write_coordination
from pointplan.exports.ledger import write_ledger
from pointplan.exports.receiving import write_receiving
from pointplan.exports.warnings import write_warnings
from pointplan.hr.matching import match_jobs, seekers
from pointplan.io.config import load_thresholds
from pointplan.io.events import read_events
from pointplan.io.jobs import read_jobs
from pointplan.io.registrations import read_registrations
from tests.conftest import DATA_ROOT
from tests.golden import check_golden, frame_text, workbook_as_table

DATA = DATA_ROOT / "weekly"
WEEK = dt.date(2026, 2, 16)


def _write(name: str, path: Path) -> None:
    batch = read_registrations(DATA / "registrations.csv")
    registrations = batch.registrations
    events = read_events(DATA / "events.csv", batch.ids())
    plan = Plan.read(DATA / "plan.json")
    jobs = read_jobs(DATA / "jobs.csv")
    writers: dict[str, Callable[[], object]] = {
        "ledger": lambda: write_ledger(
            path, registrations, jobs, match_jobs(seekers(registrations), jobs), events=events
        ),
        "warnings": lambda: write_warnings(
            path, registrations, WEEK, load_thresholds(DATA / "thresholds.yaml"), events
        ),
        "coordination": lambda: write_coordination(path, registrations, plan),
        "receiving": lambda: write_receiving(
            path, registrations, plan, events=events, measure="quarantine"
        ),
    }
    writers[name]()


@pytest.mark.parametrize("name", ["ledger", "warnings", "coordination", "receiving"])
def test_golden_workbooks(tmp_path: Path, name: str) -> None:
    """Each workbook of the fixture, read back with pandas, equals its committed golden CSV."""
    path = tmp_path / f"{name}.xlsx"
    _write(name, path)
    check_golden(frame_text(workbook_as_table(path)), DATA / f"hr_{name}.csv")

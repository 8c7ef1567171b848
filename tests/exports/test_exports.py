"""plan.xlsx of a small synthetic week: every passenger once, personal data masked unless
asked for. (The README run's exports are checked in tests/cli/test_readme.py.)"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pointplan.builder import build_problem
from pointplan.cli import main
from pointplan.domain import Plan, Registration
from pointplan.exports import workbook
from pointplan.exports.workbook import write_workbook
from pointplan.io import read_points
from pointplan.synthetic import make_week


@dataclass(frozen=True)
class Week:
    """A synthetic week of 60 registrations planned by the command line (personal data
    masked, the default), its plan and its registrations as read."""

    out: Path
    plan: Plan
    rows: dict[str, dict[Any, Any]]
    registrations: tuple[Registration, ...]


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> Week:
    """`pointplan plan` on the week, once for the module."""
    folder = tmp_path_factory.mktemp("week")
    made = make_week(60, seed=5)
    made.registrations.to_csv(folder / "regs.csv", index=False)
    made.points.to_csv(folder / "points.csv", index=False)
    out = folder / "out"
    args = ["plan", str(folder / "regs.csv"), "--points", str(folder / "points.csv")]
    assert main([*args, "--out", str(out), "--no-progress", "--no-pdf", "--time-limit", "2"]) == 0
    rows = {str(r["registration_id"]): r for r in made.registrations.to_dict("records")}
    problem = build_problem(folder / "regs.csv", points=read_points(folder / "points.csv"))
    return Week(out, Plan.read(out / "plan.json"), rows, problem.registrations)


@pytest.mark.parametrize("show", [False, True])
def test_workbook_lists_every_passenger_once_with_masked_personal_data(
    week: Week, tmp_path: Path, show: bool
) -> None:
    """plan.xlsx opens, every served registration is on exactly one trip sheet, personal data
    is masked unless asked for (the command line's masked file; the workbook written again
    with personal data shown)."""
    plan, people = week.plan, week.rows
    path = week.out / "plan.xlsx"
    if show:
        path = tmp_path / "plan.xlsx"
        write_workbook(plan, path, week.registrations, show_personal_data=True)
    book = openpyxl.load_workbook(path, read_only=True)
    trip_ids = [t.trip_id for t in plan.trips]
    assert book.sheetnames == ["summary", "trips", "boarding", *trip_ids, "not served"]
    listed: list[str] = []
    for trip in plan.trips:
        rows = list(book[trip.trip_id].iter_rows(values_only=True))
        header = rows.index(
            (
                "registration_id",
                "name",
                "id_number",
                "phone",
                "people",
                "seats",
                "pickup",
                "boarding",
                "dropoff",
            )
        )
        for row in rows[header + 1 :]:
            rid, name, id_number, phone, count, seats = row[:6]
            listed.append(rid)
            assert count == len(str(seats).split())
            person = people[rid]
            if show:
                assert (name, id_number, str(phone)) == (
                    person["name"],
                    person["id_number"],
                    str(person["phone"]),
                )
            else:
                assert id_number == person["id_number"][:6] + "*" * 8 + person["id_number"][-4:]
                assert "*" in name and "*" in phone and name[0] == person["name"][0]
    assert sorted(listed) == sorted(rid for t in plan.trips for rid in t.registration_ids())
    assert len(listed) == len(set(listed))
    boarding = list(book["boarding"].iter_rows(values_only=True))
    book.close()
    assert len(boarding) - 1 == len(listed)


def test_a_large_plan_stacks_its_manifests_with_a_page_break_before_each_trip(
    week: Week, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above SHEET_PER_TRIP_UP_TO trips, the manifests are blocks on `manifests` sheets of
    TRIPS_PER_MANIFESTS_SHEET trips each: every trip's heading once, every rider once."""
    monkeypatch.setattr(workbook, "SHEET_PER_TRIP_UP_TO", 1)
    monkeypatch.setattr(workbook, "TRIPS_PER_MANIFESTS_SHEET", 3)
    plan = week.plan
    path = tmp_path / "plan.xlsx"
    write_workbook(plan, path, week.registrations)
    book = openpyxl.load_workbook(path)
    pages = -(-len(plan.trips) // 3)
    stacked = ["manifests", *(f"manifests {n}" for n in range(2, pages + 1))]
    assert book.sheetnames == ["summary", "trips", "boarding", *stacked, "not served"]
    headings, riders = [], []
    for name in stacked:
        sheet = book[name]
        rows = list(sheet.iter_rows(values_only=True))
        starts = [k for k, row in enumerate(rows) if row[0] in {t.trip_id for t in plan.trips}]
        headings += [rows[k][0] for k in starts]
        assert [b.id for b in sheet.row_breaks.brk] == starts[1:]  # each before its row
        riders += [row[0] for row in rows if str(row[0]).startswith("R")]
    assert headings == [t.trip_id for t in plan.trips]
    assert sorted(riders) == sorted(rid for t in plan.trips for rid in t.registration_ids())

"""plan.xlsx of a small synthetic week: every passenger once, personal data masked unless
asked for. (The README run's exports are checked in tests/cli/test_readme.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from pointplan.cli import main
from pointplan.domain import Plan


@pytest.mark.parametrize("show", [False, True])
def test_workbook_lists_every_passenger_once_with_masked_personal_data(
    tmp_path: Path, show: bool
) -> None:
    """A synthetic week of 60 registrations: plan.xlsx opens, every served registration is
    on exactly one trip sheet, personal data is masked unless asked for."""
    import openpyxl

    from pointplan.synthetic import make_week

    week = make_week(60, seed=5)
    week.registrations.to_csv(tmp_path / "regs.csv", index=False)
    week.points.to_csv(tmp_path / "points.csv", index=False)
    out = tmp_path / "out"
    args = ["plan", str(tmp_path / "regs.csv"), "--points", str(tmp_path / "points.csv")]
    args += ["--out", str(out), "--no-progress", "--no-pdf", "--time-limit", "2"]
    args += ["--show-personal-data"] if show else []
    assert main(args) == 0
    plan = Plan.read(out / "plan.json")
    book = openpyxl.load_workbook(out / "plan.xlsx", read_only=True)
    trip_ids = [t.trip_id for t in plan.trips]
    assert book.sheetnames == ["summary", "trips", "boarding", *trip_ids, "not served"]
    listed: list[str] = []
    people = {r["registration_id"]: r for r in week.registrations.to_dict("records")}
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
    assert len(boarding) - 1 == len(listed)

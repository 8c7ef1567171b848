"""`pointplan plan --base PLAN_JSON --freeze-through DATE`: a re-plan from the command line
keeps the base's trips up to the date as they are, lists every change in plan.json and in
plan.xlsx's `changes` sheet, and refuses a base that is not a plan.json."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from pointplan.cli import main
from pointplan.domain import Plan

HEADER = "registration_id,direction,origin,destination,earliest_date,latest_date,party_size"
EVENTS = "registration_id,event,time,place,note,reason,result,earliest_date,latest_date"
EARLY = [f"{rid},return_to_work,150121,150203,2022-11-21,2022-11-22,1" for rid in "ABCDEF"]
LATE = [f"{rid},return_to_work,150121,150203,2022-11-23,2022-11-24,1" for rid in "GHIJKL"]


def _write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _plan(*args: str) -> int:
    return main(["plan", *args, "--no-pdf", "--no-progress", "--time-limit", "1"])


def test_a_replan_keeps_the_frozen_trips_and_lists_every_change(tmp_path: Path) -> None:
    """A boarded on a frozen trip stays on it; B cancelled leaves it; G moved to new dates;
    M and N register late: each change listed with its reason, the frozen trips' ids, dates
    and stops as they were, and plan.xlsx's `changes` sheet lists whom to tell."""
    first = _write(tmp_path / "regs.csv", HEADER, EARLY + LATE)
    assert _plan(str(first), "--out", str(tmp_path / "base")) == 0
    base = Plan.read(tmp_path / "base" / "plan.json")
    later = [
        *EARLY,
        *LATE,
        *(f"{rid},return_to_work,150121,150203,2022-11-21,2022-11-22,1" for rid in "MN"),
    ]
    second = _write(tmp_path / "regs2.csv", HEADER, later)
    events = _write(
        tmp_path / "events.csv",
        EVENTS,
        [
            "A,boarded,2022-11-21 07:50,,,,,,",
            "B,cancelled,2022-11-20 10:00,,,,,,",
            "G,rescheduled,2022-11-20 10:00,,,job_changed,,2022-11-25,2022-11-26",
        ],
    )
    args = ["--base", str(tmp_path / "base" / "plan.json"), "--freeze-through", "2022-11-22"]
    out = tmp_path / "again"
    assert _plan(str(second), "--events", str(events), *args, "--out", str(out)) == 0
    plan = Plan.read(out / "plan.json")
    assert plan.base_plan == "plan.json" and str(plan.frozen_through) == "2022-11-22"
    changes = {c.registration_id: c for c in plan.changes}
    assert set(changes) == set("ABCDEFGHIJKLMN")
    assert changes["A"].change == "kept"
    assert changes["B"].change == "removed" and changes["B"].reason.startswith("cancelled")
    assert changes["G"].change == "moved" and "dates changed" in changes["G"].reason
    assert {changes["M"].change, changes["N"].change} == {"added"}
    now = {t.trip_id: t for t in plan.trips}
    for trip in base.trips:
        if str(trip.date) <= "2022-11-22":
            kept = now[trip.trip_id]
            assert (kept.date, kept.vehicle_type) == (trip.date, trip.vehicle_type)
            assert [(s.place, s.arrival) for s in kept.stops] == [
                (s.place, s.arrival) for s in trip.stops
            ]
    on_trips = {rid for t in plan.trips for rid in t.registration_ids()}
    assert "A" in on_trips and "B" not in on_trips

    book = openpyxl.load_workbook(out / "plan.xlsx", read_only=True)
    rows = list(book["changes"].iter_rows(values_only=True))
    book.close()  # a read-only workbook holds its file open until closed
    listed = {row[2]: row[3] for row in rows[1:]}
    assert listed["B"] == "removed" and listed["G"] == "moved" and listed["M"] == "added"
    assert "A" not in listed  # kept: nobody to tell


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--freeze-through", "2022-11-22"], "needs --base"),
        (["--base", "regs.csv"], "not a plan.json"),
        (["--base", "missing.json"], "No such file"),
    ],
)
def test_a_base_must_be_a_plan_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """--freeze-through without --base, or a base that is not a plan.json: exit 2 saying so."""
    registrations = _write(tmp_path / "regs.csv", HEADER, EARLY)
    args = [str(tmp_path / a) if a.endswith((".csv", ".json")) else a for a in args]
    assert _plan(str(registrations), *args, "--out", str(tmp_path / "out")) == 2
    assert message in capsys.readouterr().err

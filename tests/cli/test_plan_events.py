"""`pointplan plan --events`: plans that know what has happened. Every registration of the file
still ends in exactly one place: a trip, or `unassigned` with the reason (boarded, handed over,
cancelled, an abnormal latest health check); a reschedule's new window is the one planned; an
event the status machine refuses is bad input naming its row."""

from __future__ import annotations

from pathlib import Path

import pytest

from pointplan.cli import main
from pointplan.domain import Plan

HEADER = "registration_id,direction,origin,destination,earliest_date,latest_date,party_size"
EVENTS = "registration_id,event,time,place,note,reason,result,earliest_date,latest_date"


def _files(tmp_path: Path, *events: str) -> tuple[Path, Path]:
    registrations = tmp_path / "regs.csv"
    rows = [f"{rid},return_to_work,150121,150203,2022-11-21,2022-11-22,1" for rid in "ABCDEF"]
    registrations.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    path = tmp_path / "events.csv"
    path.write_text("\n".join([EVENTS, *events]) + "\n", encoding="utf-8")
    return registrations, path


def _plan(tmp_path: Path, registrations: Path, events: Path) -> int:
    out = tmp_path / "out"
    args = ["plan", str(registrations), "--events", str(events), "--out", str(out)]
    return main([*args, "--no-pdf", "--time-limit", "1"])


def test_events_keep_people_off_trips_and_move_windows(tmp_path: Path) -> None:
    """A boarded, B handed over, C cancelled, D abnormal then nothing, E rescheduled to the
    23rd-24th, F untouched: A-D unassigned with their reasons, E rides in its new window, F
    rides; every registration once."""
    registrations, events = _files(
        tmp_path,
        "A,boarded,2022-11-20 08:00,,,,,,",
        "B,boarded,2022-11-20 08:00,,,,,,",
        "B,handed_over,2022-11-20 12:00,,,,,,",
        "C,cancelled,2022-11-19 10:00,,,,,,",
        "D,health_checked,2022-11-20 09:00,,,,normal,,",
        "D,health_checked,2022-11-20 18:00,,,,abnormal,,",
        "E,rescheduled,2022-11-19 10:00,,,job_changed,,2022-11-23,2022-11-24",
    )
    assert _plan(tmp_path, registrations, events) == 0
    plan = Plan.read(tmp_path / "out" / "plan.json")
    reasons = {u.registration_id: u.reason for u in plan.unassigned}
    assert sorted(reasons) == ["A", "B", "C", "D"]
    assert reasons["A"].startswith("boarded")
    assert reasons["B"].startswith("handed over")
    assert reasons["C"].startswith("cancelled")
    assert reasons["D"].startswith("health check abnormal (2022-11-20 18:00)")
    dates = {rid: trip.date.isoformat() for trip in plan.trips for rid in trip.registration_ids()}
    assert sorted(dates) == ["E", "F"]
    assert "2022-11-23" <= dates["E"] <= "2022-11-24"
    assert plan.summary.registrations == 6


def test_an_event_the_status_machine_refuses_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Boarded after a cancellation: exit 2 naming the file, row and column."""
    registrations, events = _files(
        tmp_path, "A,cancelled,2022-11-19 10:00,,,,,,", "A,boarded,2022-11-20 08:00,,,,,,"
    )
    assert _plan(tmp_path, registrations, events) == 2
    err = capsys.readouterr().err
    assert "events.csv, row 3, column event: the registration is cancelled" in err

"""Status events: the StatusEvent model and the events file; every bad row names row and column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from pointplan.domain.events import EventKind, EventReason, HealthResult, StatusEvent
from pointplan.domain.registration import Need
from pointplan.io.errors import InputError
from pointplan.io.events import read_events, standings
from tests.conftest import DATA_ROOT

DATA = DATA_ROOT / "weekly"
HEADER = "registration_id,event,time,place,note,reason,result"
KNOWN = {"R1", "R2"}


def write(tmp_path: Path, *rows: str, header: str = HEADER, bom: bool = False) -> Path:
    path = tmp_path / "events.csv"
    text = "\n".join((header, *rows)) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_the_sample_events_file_is_read_in_file_order() -> None:
    """The weekly fixture's events all read, in file order, with their details."""
    events = read_events(DATA / "events.csv")
    assert len(events) == 19
    assert [e.row for e in events] == list(range(2, 21))
    first_check = events[2]
    assert first_check.registration_id == "W01"
    assert first_check.event is EventKind.HEALTH_CHECKED
    assert first_check.result is HealthResult.NORMAL
    assert first_check.place == "土默特左旗卫生院"
    assert events[6].reason is EventReason.HEALTH
    served = events[-1]  # the ledger's step, with its need
    assert (served.event, served.need) == (EventKind.NEED_SERVED, Need.RIGHTS)


def test_bom_case_and_offsets(tmp_path: Path) -> None:
    """A BOM, upper-case kinds and UTC offsets are accepted; times end up in Beijing time."""
    path = write(
        tmp_path,
        "R1,BOARDED,2026-02-22T00:30:00Z,,,,",
        "R2,handed_over,2026-02-22 09:15+08:00,gate 3,,,",
        "R2,confirmed,2026-02-21,,,,",
        bom=True,
    )
    events = read_events(path, KNOWN)
    assert [e.event for e in events] == [
        EventKind.BOARDED,
        EventKind.HANDED_OVER,
        EventKind.CONFIRMED,
    ]
    assert events[0].time == dt.datetime(2026, 2, 22, 8, 30)
    assert events[1].time == dt.datetime(2026, 2, 22, 9, 15)
    assert events[2].time == dt.datetime(2026, 2, 21, 0, 0)
    assert events[1].place == "gate 3"


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("R1,arrived,2026-02-16 08:00,,,,", "event", "not one of health_checked"),
        (",boarded,2026-02-16 08:00,,,,", "registration_id", "empty registration_id"),
        (
            "R9,boarded,2026-02-16 08:00,,,,",
            "registration_id",
            "not a registration of the registrations file",
        ),
        ("R1,boarded,16/02/2026 08:00,,,,", "time", "not a time (YYYY-MM-DD HH:MM)"),
        ("R1,boarded,2026-02-30 08:00,,,,", "time", "not a calendar date and time"),
        ("R1,boarded,,,,,", "time", "empty time"),
        ("R1,boarded,1999-02-16 08:00,,,,", "time", "outside 2000-01-01..2099-12-31"),
        ("R1,boarded,2026-02-16 08:00,,,health,", "reason", "only to cancelled or rescheduled"),
        ("R1,cancelled,2026-02-16 08:00,,,sick,", "reason", "not one of cancelled"),
        ("R1,health_checked,2026-02-16 08:00,,,,", "result", "needs a result"),
        ("R1,health_checked,2026-02-16 08:00,,,,positive", "result", "not one of normal"),
        ("R1,boarded,2026-02-16 08:00,,,,normal", "result", "only to health_checked events"),
        ("R1,boarded,2026-02-16 08:00," + "x" * 201 + ",,,", "place", "longer than 200"),
    ],
)
def test_a_bad_row_names_its_row_and_column(
    tmp_path: Path, row: str, column: str, message: str
) -> None:
    """Each kind of bad cell stops the read with the file, row 3, the column and why."""
    path = write(tmp_path, "R2,confirmed,2026-02-16 08:00,,,,", row)
    with pytest.raises(InputError) as caught:
        read_events(path, KNOWN)
    assert len(caught.value.issues) == 1
    issue = caught.value.issues[0]
    assert (issue.source, issue.row, issue.column) == ("events.csv", 3, column)
    assert message in issue.message
    assert str(issue).startswith(f"events.csv, row 3, column {column}: ")


def test_every_bad_row_is_listed_at_once(tmp_path: Path) -> None:
    """Two bad rows and a row with a stray field are all reported, in row order."""
    path = write(
        tmp_path,
        "R1,boarded,2026-02-16 08:00,,,,,extra",
        "R1,left,2026-02-16 08:00,,,,",
        "R2,boarded,2026-02-16 08:00,,,,",
        "R2,boarded,soon,,,,",
    )
    with pytest.raises(InputError) as caught:
        read_events(path, KNOWN)
    assert [(i.row, i.column) for i in caught.value.issues] == [
        (2, None),
        (3, "event"),
        (5, "time"),
    ]
    assert "8 fields where the header has 7" in str(caught.value)


def test_missing_and_misspelt_columns_are_refused(tmp_path: Path) -> None:
    """A missing required column or an unknown (misspelt) column stops the read and is named."""
    with pytest.raises(InputError, match=r"missing column\(s\): time"):
        read_events(write(tmp_path, "R1,boarded", header="registration_id,event"))
    with pytest.raises(InputError, match=r"unknown column\(s\): reson"):
        read_events(
            write(
                tmp_path, "R1,cancelled,2026-02-16,job", header="registration_id,event,time,reson"
            )
        )


def test_without_known_ids_any_registration_is_accepted(tmp_path: Path) -> None:
    """Without a list of registrations, ids are not checked (only their presence)."""
    events = read_events(write(tmp_path, "anything,confirmed,2026-02-16 08:00,,,,"))
    assert events[0].registration_id == "anything"


def test_the_model_enforces_the_same_rules() -> None:
    """StatusEvent (reused by the service) refuses details that do not fit the kind, and
    unknown fields; it converts times with an offset to naive Beijing time."""
    with pytest.raises(ValidationError, match="needs a result"):
        StatusEvent(registration_id="R1", event="health_checked", time=dt.datetime(2026, 2, 16))
    with pytest.raises(ValidationError, match="only to cancelled or rescheduled"):
        StatusEvent(
            registration_id="R1", event="boarded", time=dt.datetime(2026, 2, 16), reason="health"
        )
    with pytest.raises(ValidationError, match="extra"):
        StatusEvent.model_validate(
            {"registration_id": "R1", "event": "boarded", "time": "2026-02-16T08:00", "why": "x"}
        )
    event = StatusEvent.model_validate(
        {"registration_id": "R1", "event": "boarded", "time": "2026-02-16T00:00:00Z"}
    )
    assert event.time == dt.datetime(2026, 2, 16, 8, 0) and event.time.tzinfo is None


@pytest.mark.parametrize(
    ("kind", "reason", "expected"),
    [
        ("cancelled", None, EventReason.CANCELLED),
        ("rescheduled", None, EventReason.RESCHEDULED),
        ("cancelled", "job_changed", EventReason.JOB_CHANGED),
        ("rescheduled", "health", EventReason.HEALTH),
        ("boarded", None, None),
    ],
)
def test_withdrawal_reason_defaults_to_the_kind(
    kind: str, reason: str | None, expected: EventReason | None
) -> None:
    """A cancellation or rescheduling without a reason counts under its own kind."""
    event = StatusEvent(
        registration_id="R1", event=kind, time=dt.datetime(2026, 2, 16), reason=reason
    )
    assert event.withdrawal_reason == expected


def test_events_the_status_machine_refuses_name_their_rows() -> None:
    """In time order (not file order): R1 (planned) boards, then cancels: refused on its row.
    R2, left unassigned by the plan, boards without a plan: refused. R3's handover listed
    before its boarding but dated after it is fine."""
    rows = [
        ("R1", "cancelled", "2026-02-16 09:00", 2),
        ("R1", "boarded", "2026-02-16 08:00", 3),
        ("R2", "boarded", "2026-02-16 08:00", 4),
        ("R3", "handed_over", "2026-02-16 12:00", 5),
        ("R3", "boarded", "2026-02-16 08:00", 6),
    ]
    events = [
        StatusEvent(
            registration_id=rid, event=EventKind(kind), time=dt.datetime.fromisoformat(t), row=row
        )
        for rid, kind, t, row in rows
    ]
    with pytest.raises(InputError) as error:
        standings(events, unplanned={"R2"}, source="events.csv")
    assert [(i.row, i.column, i.message) for i in error.value.issues] == [
        (2, "event", "cancelled cannot follow boarded"),
        (4, "event", "boarded cannot follow registered"),
    ]
    standings([e for e in events if e.registration_id == "R3"], unplanned=set())

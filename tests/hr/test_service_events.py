"""The follow-up after a handover and the ledger's steps as events: the domain's rules, the
events file, the HTTP call, the ledger's states and the weekly table's columns they fill."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from pointplan.domain import Plan, Registration, Summary
from pointplan.domain.events import EventKind, Refused, Status, StatusEvent, replay
from pointplan.domain.registration import Need
from pointplan.exports.weekly import weekly_tables
from pointplan.hr.ledger import ledger
from pointplan.hr.matching import Matching
from pointplan.io.errors import InputError
from pointplan.io.events import read_events
from tests.conftest import BAOTOU, BEIJING

MONDAY = dt.date(2022, 11, 21)
WHEN = dt.datetime(2022, 11, 22, 10, 0)


def test_ledger_steps_need_a_need_and_never_move_the_status() -> None:
    with pytest.raises(ValidationError, match="needs a need"):
        StatusEvent(registration_id="H1", event=EventKind.NEED_SERVED, time=WHEN)
    with pytest.raises(ValidationError, match="a need belongs only"):
        StatusEvent(registration_id="H1", event=EventKind.BOARDED, time=WHEN, need=Need.JOB)
    assert replay(["planned", "need_offered", "boarded", "need_served"]) is Status.BOARDED
    assert replay(["cancelled", "need_served"]) is Status.CANCELLED  # services go on


def test_the_follow_up_comes_after_a_handover_only() -> None:
    assert replay(["planned", "boarded", "handed_over", "quarantined", "cleared"]) is (
        Status.HANDED_OVER
    )
    with pytest.raises(Refused, match="follows a handover"):
        replay(["planned", "boarded", "monitored"])


def test_the_events_file_reads_the_need_and_names_a_bad_one(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "registration_id,event,time,need\n"
        "H1,need_offered,2022-11-22 09:00,job\n"
        "H1,need_served,2022-11-23 09:00,jobs\n"
        "H1,boarded,2022-11-23 09:00,job\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as raised:
        read_events(path, {"H1"})
    text = str(raised.value)
    assert "row 3" in text and "need" in text and "row 4" in text
    path.write_text("registration_id,event,time,need\nH1,need_offered,2022-11-22 09:00,job\n")
    (found,) = read_events(path, {"H1"})
    assert found.need is Need.JOB


def returnee(rid: str, needs: tuple[Need, ...], size: int = 1) -> Registration:
    return Registration(
        registration_id=rid, direction="return_home", origin=BEIJING, destination=BAOTOU,
        pickup=BEIJING, dropoff=BAOTOU, earliest_date=MONDAY, latest_date=MONDAY,
        party_size=size, needs=needs, return_reason="layoff",
    )  # fmt: skip


def step(rid: str, kind: EventKind, need: Need | None = None, day: int = 1) -> StatusEvent:
    return StatusEvent(
        registration_id=rid, event=kind, time=WHEN + dt.timedelta(days=day), need=need
    )


def test_steps_move_the_ledger_and_fill_the_weekly_columns() -> None:
    a = returnee("H1", (Need.JOB, Need.RIGHTS), size=2)
    b = returnee("H2", (Need.TRAINING,))
    events = [
        step("H1", EventKind.NEED_OFFERED, Need.JOB),
        step("H1", EventKind.NEED_SERVED, Need.JOB, day=2),
        step("H2", EventKind.NEED_OFFERED, Need.TRAINING),
        step("H2", EventKind.BOARDED, day=0),
        step("H2", EventKind.HANDED_OVER, day=0),
        step("H2", EventKind.QUARANTINED, day=1),
        step("H1", EventKind.NEED_SERVED, Need.BUSINESS, day=2),  # not a need of H1: not listed
    ]
    states = {
        (e.registration_id, e.need.value): e.state
        for e in ledger([a, b], Matching((), (), 0.0), events)
    }
    assert states == {
        ("H1", "job"): "served", ("H1", "rights"): "open", ("H2", "training"): "offered",
    }  # fmt: skip
    empty = Plan(
        summary=Summary(registrations=0, passengers=0, served_passengers=0, vehicles=0,
                        vehicles_lower_bound=0, stops=0, distance_km=0, cost=0, solve_seconds=0),
        trips=(), unassigned=(), rejected=(),
    )  # fmt: skip
    sheet = weekly_tables([a, b], empty, events, MONDAY)["return_home"]["包头市"]
    total = sheet[sheet.iloc[:, 1] == "合计 total"].iloc[0]

    def column(english: str) -> object:
        (name,) = [c for c in sheet.columns if c.endswith(english)]
        return total[name]

    assert column("employed") == 2  # H1's two people
    assert column("jobs pushed") == 1  # H1's offer, by event
    assert column("in quarantine") == 1 and column("in health monitoring") == 0
    assert column("trained") == 0 and column("rights claims resolved") == 0
    assert column("entrepreneurship served") == 0  # filled: the events hold need_served

"""The times of a trip's timeline in plan.json (issue 13, point 9): written with their
offset, read with any offset or none (plan.json written before 2026-12), held as Beijing time."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pointplan.domain.trip import ScheduleEvent, Stop

EIGHT = dt.datetime(2022, 11, 22, 8, 0)


def stop_at(text: str) -> Stop:
    """A stop whose arrival plan.json gives as `text`."""
    return Stop.model_validate({"kind": "pickup", "place": "x", "lat": 40.0, "lon": 111.0,
                                "registrations": ["R1"], "arrival": text})  # fmt: skip


def test_times_are_written_with_the_beijing_offset() -> None:
    """A stop's arrival and departure, and a schedule event's start and end, carry +08:00
    in JSON; in Python they stay the naive Beijing clock the driving rules are written in."""
    stop = Stop(kind="pickup", place="x", lat=40.0, lon=111.0, registrations=("R1",),
                arrival=EIGHT, departure=EIGHT + dt.timedelta(minutes=15))  # fmt: skip
    written = json.loads(stop.model_dump_json())
    assert (written["arrival"], written["departure"]) == (
        "2022-11-22T08:00:00+08:00",
        "2022-11-22T08:15:00+08:00",
    )
    assert stop.model_dump()["arrival"] == EIGHT
    event = ScheduleEvent(kind="drive", start=EIGHT, end=EIGHT + dt.timedelta(hours=2), km=140)
    assert json.loads(event.model_dump_json())["end"] == "2022-11-22T10:00:00+08:00"


@pytest.mark.parametrize(
    "text",
    [
        "2022-11-22T08:00:00",
        "2022-11-22T08:00:00+08:00",
        "2022-11-22T00:00:00Z",
        "2022-11-22T01:00:00+01:00",
    ],
)
def test_times_are_read_with_any_offset_or_none(text: str) -> None:
    """The same moment, however written, is 08:00 Beijing time; a time without an offset
    (an older plan.json) is Beijing time."""
    stop = stop_at(text)
    assert stop.arrival == EIGHT and stop.arrival.tzinfo is None
    assert json.loads(stop.model_dump_json())["arrival"] == "2022-11-22T08:00:00+08:00"

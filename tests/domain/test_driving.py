"""Driving-time rules: rests, the small-hours stop, daily limits and a second driver."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pointplan.domain import Policy
from pointplan.domain.driving import drivers_needed, in_window, plan_timeline
from tests.checker import _check_driving

START = dt.datetime(2022, 11, 21, 8, 0)


def as_trip(timeline: object, km: float) -> dict[str, object]:
    """The fields of a trip the checker reads, from a timeline."""
    return {
        "schedule": [e.model_dump(mode="json") for e in timeline.events],  # type: ignore[attr-defined]
        "distance_km": km,
        "drivers": timeline.drivers,  # type: ignore[attr-defined]
    }


def test_short_trip_has_no_rest_and_one_driver(policy: Policy) -> None:
    """150 km by day: one driver, no rest, arrival after the driving time."""
    timeline = plan_timeline(START, [150.0], 75.0, policy)
    assert timeline.drivers == 1
    assert [e.kind for e in timeline.events] == ["stop", "drive", "stop"]
    assert timeline.stop_arrivals[-1] == START + dt.timedelta(hours=2)


def test_long_trip_rests_and_needs_two_drivers(policy: Policy) -> None:
    """1,500 km: two drivers, a 20-minute rest after each 4 h, never driving 02:00-05:00."""
    timeline = plan_timeline(START, [1500.0], 70.0, policy)
    kinds = [e.kind for e in timeline.events]
    assert timeline.drivers == 2
    assert "rest" in kinds
    assert _check_driving(as_trip(timeline, 1500.0), policy) == []


def test_small_hours_stop() -> None:
    """A trip that would drive through 02:00 stops until 05:00."""
    policy = Policy(departure_time=dt.time(23, 0))
    timeline = plan_timeline(dt.datetime(2022, 11, 21, 23, 0), [400.0], 70.0, policy)
    stops = [e for e in timeline.events if e.kind == "no_running"]
    assert stops and stops[0].end.time() == dt.time(5, 0)


def test_small_hours_window_past_midnight() -> None:
    """A no-running window of 23:00-05:00 waits until 05:00 the next day (it never hangs)."""
    policy = Policy(no_running_start=dt.time(23, 0), no_running_end=dt.time(5, 0))
    timeline = plan_timeline(dt.datetime(2022, 11, 21, 20, 0), [600.0], 70.0, policy)
    stop = next(e for e in timeline.events if e.kind == "no_running")
    assert (stop.start.time(), stop.end) == (dt.time(23, 0), dt.datetime(2022, 11, 22, 5, 0))
    assert _check_driving(as_trip(timeline, 600.0), policy) == []


def test_rules_off_drives_straight_through() -> None:
    """With driving rules off there are no rests and one driver."""
    policy = Policy(driving_rules=False)
    timeline = plan_timeline(START, [1500.0], 70.0, policy)
    assert timeline.drivers == 1 and [e.kind for e in timeline.events] == ["stop", "drive", "stop"]


def test_second_driver_threshold(policy: Policy) -> None:
    """Above 400 km two drivers, at or below one."""
    assert drivers_needed(400.0, policy) == 1
    assert drivers_needed(400.1, policy) == 2


@pytest.mark.parametrize(
    ("moment", "inside"),
    [("23:00", True), ("05:59", True), ("06:00", False), ("12:00", False), ("22:00", True)],
)
def test_night_window_wraps_midnight(moment: str, inside: bool) -> None:
    """22:00-06:00 contains 23:00 and 05:59 but not 06:00 or noon."""
    assert in_window(dt.time.fromisoformat(moment), dt.time(22), dt.time(6)) is inside


@settings(max_examples=80, deadline=None)
@given(
    legs=st.lists(st.floats(min_value=0.0, max_value=900.0), min_size=1, max_size=5),
    start_hour=st.integers(0, 23),
    speed=st.sampled_from([50.0, 70.0, 90.0]),
)
def test_every_timeline_keeps_the_rules(legs: list[float], start_hour: int, speed: float) -> None:
    """Whatever the legs and the hour, the independent checker finds no broken driving rule."""
    policy = Policy(departure_time=dt.time(start_hour, 0))
    start = dt.datetime(2022, 11, 21, start_hour, 0)
    timeline = plan_timeline(start, legs, speed, policy)
    assert _check_driving(as_trip(timeline, sum(legs)), policy) == []

"""A trip's timeline under the driving-time rules of long-distance passenger transport.

Rules (all numbers from the policy): continuous driving at most `continuous_day_hours` by day
and `continuous_night_hours` at night (night = `night_start`..`night_end`), counted from the
last break of at least `rest_minutes`; at most `daily_driving_hours_per_driver` x drivers of
driving in each 24 hours from the first drive; no running between `no_running_start` and
`no_running_end`; a second driver above `second_driver_km`. A continuous stretch obeys the
limit that holds at each moment: at any night moment it has lasted at most the night limit.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from pointplan.domain.policy import Policy
from pointplan.domain.trip import ScheduleEvent

_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Timeline:
    """Events in order, the arrival time at each stop, and the drivers the trip needs."""

    events: tuple[ScheduleEvent, ...]
    stop_arrivals: tuple[dt.datetime, ...]
    stop_departures: tuple[dt.datetime, ...]
    drivers: int


def in_window(moment: dt.time, start: dt.time, end: dt.time) -> bool:
    """Whether a time of day lies in [start, end), a window that may wrap past midnight."""
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


def drivers_needed(total_km: float, policy: Policy) -> int:
    """Two drivers above the policy's distance when driving rules apply, else one."""
    return 2 if policy.driving_rules and total_km > policy.second_driver_km else 1


def _next_boundary(t: dt.datetime, times: Sequence[dt.time]) -> dt.datetime:
    candidates = []
    for boundary in times:
        at = dt.datetime.combine(t.date(), boundary)
        candidates.append(at if at > t else at + _DAY)
    return min(candidates)


def plan_timeline(
    start: dt.datetime, legs_km: Sequence[float], speed_kmh: float, policy: Policy
) -> Timeline:
    """Timeline of a trip that leaves its first stop at `start` and drives `legs_km` in turn.

    There is one stop more than legs; every stop takes `stop_minutes` (the first one ends at
    `start`). Leg durations are rounded up to whole minutes.
    """
    drivers = drivers_needed(sum(legs_km), policy)
    dwell = dt.timedelta(minutes=policy.stop_minutes)
    events: list[ScheduleEvent] = [ScheduleEvent(kind="stop", start=start - dwell, end=start)]
    arrivals = [start - dwell]
    departures = [start]
    state = _Driver(start, policy, drivers)
    for km in legs_km:
        state.drive(km, math.ceil(km / speed_kmh * 60), events)
        arrivals.append(state.t)
        state.pause("stop", dwell, events)
        departures.append(state.t)
    rounded = tuple(e.model_copy(update={"km": round(e.km, 3)}) for e in events)
    return Timeline(rounded, tuple(arrivals), tuple(departures), drivers)


class _Driver:
    """Simulates one vehicle's driving, inserting the rests the rules require."""

    def __init__(self, start: dt.datetime, policy: Policy, drivers: int) -> None:
        self.t = start
        self.policy = policy
        self.rules = policy.driving_rules
        self.window_end: dt.datetime | None = None  # the 24-hour windows start at the first drive
        self.driven_in_window = 0.0  # minutes
        self.continuous = 0.0  # minutes since the last break of rest_minutes or more
        self.daily_cap = policy.daily_driving_hours_per_driver * 60 * drivers
        self.boundaries = (
            policy.night_start,
            policy.night_end,
            policy.no_running_start,
            policy.no_running_end,
        )

    def pause(self, kind: str, length: dt.timedelta, events: list[ScheduleEvent]) -> None:
        if length <= dt.timedelta(0):
            return
        events.append(ScheduleEvent(kind=kind, start=self.t, end=self.t + length))
        self._advance_clock(length)
        if length >= dt.timedelta(minutes=self.policy.rest_minutes):
            self.continuous = 0.0

    def _advance_clock(self, length: dt.timedelta) -> None:
        self.t += length
        while self.window_end is not None and self.t >= self.window_end:
            self.window_end += _DAY
            self.driven_in_window = 0.0

    def _limit_now(self) -> float:
        night = in_window(self.t.time(), self.policy.night_start, self.policy.night_end)
        hours = self.policy.continuous_night_hours if night else self.policy.continuous_day_hours
        return hours * 60

    def drive(self, km: float, minutes: int, events: list[ScheduleEvent]) -> None:
        remaining = float(minutes)
        km_per_minute = km / minutes if minutes else 0.0
        if minutes == 0 and km > 0:
            events.append(ScheduleEvent(kind="drive", start=self.t, end=self.t, km=km))
            return
        while remaining > 0:
            chunk = remaining
            policy = self.policy
            if self.rules and in_window(
                self.t.time(), policy.no_running_start, policy.no_running_end
            ):
                resume = dt.datetime.combine(self.t.date(), policy.no_running_end)
                if resume <= self.t:  # the window runs past midnight
                    resume += _DAY
                self.pause("no_running", resume - self.t, events)
                continue
            if self.window_end is None:
                self.window_end = self.t + _DAY
            if self.rules:
                if self.daily_cap - self.driven_in_window <= 0:
                    self.pause("daily_rest", self.window_end - self.t, events)
                    continue
                if self._limit_now() - self.continuous <= 0:
                    self.pause("rest", dt.timedelta(minutes=policy.rest_minutes), events)
                    continue
                to_boundary = (
                    _next_boundary(self.t, self.boundaries) - self.t
                ).total_seconds() / 60
                to_window_end = (self.window_end - self.t).total_seconds() / 60
                chunk = min(
                    remaining,
                    self._limit_now() - self.continuous,
                    self.daily_cap - self.driven_in_window,
                    to_boundary,
                    to_window_end,
                )
            length = dt.timedelta(minutes=chunk)
            self._append_drive(events, length, chunk * km_per_minute)
            self._advance_clock(length)
            self.driven_in_window += chunk
            self.continuous += chunk
            remaining -= chunk

    def _append_drive(self, events: list[ScheduleEvent], length: dt.timedelta, km: float) -> None:
        last = events[-1] if events else None
        if last is not None and last.kind == "drive" and last.end == self.t:
            events[-1] = last.model_copy(update={"end": self.t + length, "km": last.km + km})
        else:
            events.append(ScheduleEvent(kind="drive", start=self.t, end=self.t + length, km=km))

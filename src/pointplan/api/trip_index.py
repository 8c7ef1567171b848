"""The trips of done plans, by id, read once per plan.

A done plan never changes, and a region's plan.json is megabytes: reading it back into a whole
`Plan` made a trip read take 0.26-0.4 s (a week of 3,000 registrations on this machine). A
trip read instead parses the JSON once per plan, keeps each trip as parsed, and validates
only the trip asked for; the most recently read plans are kept, with which trip carries
each registration (for the hotline's lookup).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from pointplan.domain.plan import Trip


class TripIndex:
    """Each of the last `plans` plans read, as its trips (parsed JSON) by trip_id."""

    def __init__(self, plans: int = 8) -> None:
        self.plans = plans
        self._trips: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._riders: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def trip(self, plan_id: str, trip_id: str, result: Callable[[], str]) -> Trip | None:
        """Trip `trip_id` of done plan `plan_id` (None if it has none), reading `result()`
        (its plan.json) only when the plan is not kept."""
        raw = self._parsed(plan_id, result).get(trip_id)
        return None if raw is None else Trip.model_validate(raw)

    def trip_of(self, plan_id: str, registration_id: str, result: Callable[[], str]) -> Trip | None:
        """The trip of done plan `plan_id` that carries `registration_id` (its first leg; None
        if none does), reading `result()` only when the plan is not kept."""
        self._parsed(plan_id, result)
        with self._lock:
            trip_id = self._riders.get(plan_id, {}).get(registration_id)
        return None if trip_id is None else self.trip(plan_id, trip_id, result)

    def _parsed(self, plan_id: str, result: Callable[[], str]) -> dict[str, Any]:
        with self._lock:
            kept = self._trips.get(plan_id)
            if kept is not None:
                self._trips.move_to_end(plan_id)
                return kept
        trips = {trip["trip_id"]: trip for trip in json.loads(result())["trips"]}
        riders: dict[str, str] = {}
        for trip in sorted(trips.values(), key=lambda t: (t["date"], t["trip_id"])):
            for stop in trip["stops"]:
                for rid in stop["registrations"]:
                    riders.setdefault(rid, trip["trip_id"])
        with self._lock:
            self._trips[plan_id] = trips
            self._riders[plan_id] = riders
            while len(self._trips) > self.plans:
                dropped, _ = self._trips.popitem(last=False)
                self._riders.pop(dropped, None)
        return trips

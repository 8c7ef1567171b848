"""The trips of done plans, by id, parsed once per plan.

A done plan never changes, and reading a region's plan.json back into a `Plan` takes about a
quarter of a second (a week of 3,000 registrations on this machine), so a trip read parses it
only the first time; the most recently read plans are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from pointplan.domain.plan import Plan, Trip


class TripIndex:
    """Each of the last `plans` plans read, as its trips by trip_id."""

    def __init__(self, plans: int = 8) -> None:
        self.plans = plans
        self._trips: OrderedDict[str, dict[str, Trip]] = OrderedDict()
        self._lock = threading.Lock()

    def trips(self, plan_id: str, result: Callable[[], str]) -> dict[str, Trip]:
        """The trips of done plan `plan_id`, parsing `result()` (its plan.json) if not kept."""
        with self._lock:
            kept = self._trips.get(plan_id)
            if kept is not None:
                self._trips.move_to_end(plan_id)
                return kept
        trips = {trip.trip_id: trip for trip in Plan.from_json(result()).trips}
        with self._lock:
            self._trips[plan_id] = trips
            while len(self._trips) > self.plans:
                self._trips.popitem(last=False)
        return trips

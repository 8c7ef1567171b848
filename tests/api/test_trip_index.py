"""The trip index reads a done plan once, gives each trip as plan.json has it, and keeps
only the last plans read."""

from __future__ import annotations

from pathlib import Path

from pointplan.api.trip_index import TripIndex
from pointplan.domain.plan import Plan

PLAN_JSON = (Path(__file__).parent.parent / "data" / "golden" / "plan.json").read_text("utf-8")


class _Reads:
    """A plan.json source that counts how often it is read."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return PLAN_JSON


def test_a_plan_is_read_once_and_gives_every_trip_by_id() -> None:
    index, reads = TripIndex(), _Reads()
    trips = Plan.from_json(PLAN_JSON).trips
    assert trips
    for trip in trips:
        assert index.trip("P1", trip.trip_id, reads) == trip
    assert index.trip("P1", "no-such-trip", reads) is None
    assert reads.count == 1


def test_only_the_last_plans_read_are_kept() -> None:
    """With room for two: reading P1 again keeps it; P3 then pushes out P2, the oldest."""
    index = TripIndex(plans=2)
    reads = {plan_id: _Reads() for plan_id in ("P1", "P2", "P3")}
    for plan_id in ("P1", "P2", "P1", "P3", "P1", "P2"):
        index.trip(plan_id, "T0001", reads[plan_id])
    assert {plan_id: r.count for plan_id, r in reads.items()} == {"P1": 1, "P2": 2, "P3": 1}

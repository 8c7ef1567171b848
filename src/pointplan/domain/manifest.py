"""A trip's passenger manifest (乘客信息登记表): who rides, in which seats, boarding where and
when, leaving where. The one builder behind the passengers table, the per-vehicle pages, the
service's trip manifest and the planned events, so that all of them say the same thing.

Personal data is not in a plan, so not here: documents add it (masked unless asked for) by
registration id.
"""

from __future__ import annotations

from dataclasses import dataclass

from pointplan.domain.trip import Stop, Trip


@dataclass(frozen=True)
class ManifestLine:
    """One registration on a trip, in boarding order; `number` is its place on the list
    (from 1), which the seat map shows on its seats."""

    number: int
    registration_id: str
    seats: tuple[str, ...]  # row number and letter, one per person: ("3A", "5A")
    pickup: Stop
    dropoff: str  # the place where it leaves the trip

    @property
    def people(self) -> int:
        """People of the registration on the trip (one seat each)."""
        return len(self.seats)


def seat_labels(trip: Trip) -> dict[str, list[str]]:
    """Each registration's seats on the trip, as row number and letter ("3A")."""
    seats: dict[str, list[str]] = {}
    for seat in trip.seats:
        seats.setdefault(seat.registration_id, []).append(f"{seat.row}{seat.seat}")
    return seats


def trip_manifest(trip: Trip) -> tuple[ManifestLine, ...]:
    """Every registration on the trip, in boarding order (stop by stop)."""
    seats = seat_labels(trip)
    leaving = {rid: s.place for s in trip.stops if s.kind == "dropoff" for rid in s.registrations}
    lines: list[ManifestLine] = []
    for stop in trip.stops:
        if stop.kind != "pickup":
            continue
        for rid in stop.registrations:
            lines.append(
                ManifestLine(
                    number=len(lines) + 1,
                    registration_id=rid,
                    seats=tuple(seats.get(rid, ())),
                    pickup=stop,
                    dropoff=leaving[rid],
                )
            )
    return tuple(lines)

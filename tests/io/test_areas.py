"""Areas that are right (issue 13): an end given by a code and coordinates keeps the code's
county; coordinates alone get the county whose seat is nearest within 50 km, and a note says
so; beyond, no area, and a note says why."""

from __future__ import annotations

from pointplan.io import read_registrations

ROW = {
    "registration_id": "A1",
    "direction": "return_to_work",
    "destination": "150203",
    "earliest_date": "2022-11-21",
    "latest_date": "2022-11-22",
}
TUZUOQI_SEAT = (40.729572, 111.163902)  # 土默特左旗's seat, from the place table


def _origin(**cells: str) -> tuple[str | None, list[str]]:
    batch = read_registrations([{**ROW, **cells}])
    assert not batch.rejected, batch.rejected
    [registration] = batch.registrations
    return registration.origin.adcode, [f"{n.column}: {n.message}" for n in batch.notes]


def test_a_code_with_coordinates_keeps_the_codes_county() -> None:
    """Coordinates in the next county do not move the area away from the code given."""
    adcode, notes = _origin(origin="150121", origin_lat="40.85", origin_lon="111.66")
    assert (adcode, notes) == ("150121", [])


def test_coordinates_alone_get_the_nearest_county_and_say_so() -> None:
    """A point 2 km from Tumed Left Banner's seat is in 150121, with a note naming it."""
    lat, lon = TUZUOQI_SEAT
    adcode, notes = _origin(origin_lat=str(lat + 0.01), origin_lon=str(lon + 0.01))
    assert adcode == "150121"
    assert notes and notes[0].startswith("origin: county 150121 from the coordinates")


def test_coordinates_far_from_every_seat_have_no_area_and_say_why() -> None:
    """In the Pacific, 500 km from any county seat: no area, and the note says why."""
    adcode, notes = _origin(origin_lat="25.0", origin_lon="130.0")
    assert adcode is None
    assert notes == ["origin: no area: no county seat within 50 km of the coordinates"]


def test_a_label_that_is_no_place_leaves_the_coordinates_to_decide() -> None:
    """A free-text label with coordinates (a village committee) is kept as the label; the
    county comes from the coordinates."""
    lat, lon = TUZUOQI_SEAT
    batch = read_registrations([{**ROW, "origin": "三道营村委会", "origin_lat": str(lat),
                                 "origin_lon": str(lon)}])  # fmt: skip
    [registration] = batch.registrations
    assert (registration.origin.label, registration.origin.adcode) == ("三道营村委会", "150121")

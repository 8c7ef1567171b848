"""The per-vehicle plans (一车一方案): the page, its seat map, the HTML, the PDF and the map,
checked against the plan they come from."""

from __future__ import annotations

import datetime as dt
import logging
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pointplan.domain import Fleet, Place, Plan, Policy, Registration
from pointplan.domain.seating import layout_seats, seats_conflict
from pointplan.exports.people import PersonalData
from pointplan.exports.seat_map import SeatState, seat_cells, seat_map_svg
from pointplan.exports.vehicle_html import render_vehicle_pages, write_vehicle_pages
from pointplan.exports.vehicle_page import vehicle_page, vehicle_pages
from pointplan.exports.vehicle_pdf import write_vehicle_pdfs
from pointplan.exports.webmap import write_map
from pointplan.problem import Problem
from pointplan.solve import solve
from tests.conftest import BAOTOU, HOHHOT, TUZUOQI, RegistrationFactory

DAY = dt.date(2022, 11, 21)
NAME, PHONE, ID_NUMBER = "张三丰", "13812345678", "11010519491231002X"


@pytest.fixture
def riders(make_registration: RegistrationFactory) -> list[Registration]:
    """Two pickups, two drop-offs, parties of one to three, one with personal data."""
    return [
        make_registration(party_size=3, name=NAME, phone=PHONE, id_number=ID_NUMBER),
        make_registration(party_size=1),
        make_registration(origin=HOHHOT, party_size=2),
        make_registration(origin=HOHHOT, destination=TUZUOQI, party_size=1),
    ]


@pytest.fixture
def trip_plan(riders: list[Registration], fleet: Fleet, policy: Policy) -> Plan:
    """The riders planned on one day."""
    return solve(Problem(tuple(riders), fleet, policy), time_limit=1)


def test_page_lists_every_passenger_once_with_their_seats(
    trip_plan: Plan, riders: list[Registration], fleet: Fleet, policy: Policy
) -> None:
    pages = vehicle_pages(trip_plan, policy, fleet, riders)
    assert [page.trip_id for page in pages] == [trip.trip_id for trip in trip_plan.trips]
    for page, trip in zip(pages, trip_plan.trips, strict=True):
        listed = [line.registration_id for line in page.passengers]
        assert sorted(listed) == sorted(trip.registration_ids())
        assert [line.number for line in page.passengers] == list(range(1, len(listed) + 1))
        for line in page.passengers:
            seats = sorted(
                f"{s.row}{s.seat}" for s in trip.seats if s.registration_id == line.registration_id
            )
            assert sorted(line.seats.split()) == seats and line.people == len(seats)
        assert sum(stop.people for stop in page.route if "pickup" in stop.kind) == trip.passengers
        assert sum(h.people for h in page.handovers) == trip.passengers


def test_seat_map_states_follow_the_plan_and_the_rules(
    trip_plan: Plan, riders: list[Registration], fleet: Fleet, policy: Policy
) -> None:
    for trip in trip_plan.trips:
        page = vehicle_page(trip, policy, fleet, PersonalData(riders, show=False))
        numbers = {line.registration_id: line.number for line in page.passengers}
        cells = {(cell.row, cell.letter): cell for cell in page.seats}
        assert len(cells) == len(layout_seats(trip.layout))
        taken = {(s.row, s.seat): numbers[s.registration_id] for s in trip.seats}
        assert {key: c.passenger for key, c in cells.items() if c.state is SeatState.TAKEN} == taken
        observation_from = len(trip.layout) - policy.reserved_rear_rows + 1
        for (row, _), cell in cells.items():
            assert (cell.state is SeatState.OBSERVATION) == (
                row >= observation_from and cell.state is not SeatState.TAKEN
            )
        occupied = [seat for seat in layout_seats(trip.layout) if (seat.row, seat.letter) in taken]
        for seat in layout_seats(trip.layout):
            state = cells[(seat.row, seat.letter)].state
            beside_someone = any(seats_conflict(seat, other, policy) for other in occupied)
            if state is SeatState.GAP:
                assert beside_someone
            if state is SeatState.FREE:
                assert not beside_someone


class _PageReader(HTMLParser):
    """Collects the passenger rows and the seat-map groups of a rendered page."""

    def __init__(self) -> None:
        super().__init__()
        self.passengers: list[str] = []
        self.seats: dict[str, tuple[str, str | None]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "tr" and values.get("class") == "passenger":
            self.passengers.append(values["data-registration"] or "")
        if tag == "g" and values.get("data-seat"):
            seat = values["data-seat"] or ""
            self.seats[seat] = (values["data-state"] or "", values.get("data-passenger"))


def test_rendered_page_and_seat_picture_match_the_plan(
    trip_plan: Plan, riders: list[Registration], fleet: Fleet, policy: Policy
) -> None:
    """The HTML a person prints lists each passenger once, and its seat-map picture shows
    each of them in the seats the plan gives, numbered as on the list."""
    trip = max(trip_plan.trips, key=lambda t: t.passengers)
    page = vehicle_page(trip, policy, fleet, PersonalData(riders, show=False))
    reader = _PageReader()
    reader.feed(render_vehicle_pages([page]))
    assert sorted(reader.passengers) == sorted(trip.registration_ids())
    assert len(reader.passengers) == len(set(reader.passengers))
    numbers = {rid: str(n) for n, rid in enumerate(reader.passengers, start=1)}
    shown_taken = {
        seat: number for seat, (state, number) in reader.seats.items() if state == "taken"
    }
    assert shown_taken == {f"{s.row}{s.seat}": numbers[s.registration_id] for s in trip.seats}
    assert len(reader.seats) == len(layout_seats(trip.layout))
    picture = seat_map_svg(seat_cells(trip, policy, {rid: int(n) for rid, n in numbers.items()}))
    assert picture.startswith("<svg") and picture.count('data-state="taken"') == trip.passengers


def test_personal_data_is_masked_unless_asked(
    trip_plan: Plan, riders: list[Registration], fleet: Fleet, policy: Policy
) -> None:
    masked = render_vehicle_pages(vehicle_pages(trip_plan, policy, fleet, riders))
    shown = render_vehicle_pages(vehicle_pages(trip_plan, policy, fleet, riders, True))
    for secret in (NAME, PHONE, ID_NUMBER):
        assert secret not in masked
    assert NAME in shown and PHONE in shown
    assert "张**" in masked and "138****5678" in masked


def test_written_pages_pdfs_and_map_are_complete(
    trip_plan: Plan, riders: list[Registration], fleet: Fleet, policy: Policy, tmp_path: Path
) -> None:
    """One HTML page per trip with an index and the font beside them, one PDF per date with
    a page per trip and the font embedded, and a map that needs no CDN."""
    pages = vehicle_pages(trip_plan, policy, fleet, riders)
    written = write_vehicle_pages(pages, tmp_path)
    assert [path.stem for path in written] == [trip.trip_id for trip in trip_plan.trips]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{path.name}"' in index for path in written)
    assert (tmp_path / "PointplanSans.ttf").stat().st_size > 1000

    pdfs = write_vehicle_pdfs(pages, tmp_path, workers=1)
    assert [path.name for path in pdfs] == [f"{DAY.isoformat()}.pdf"]
    pdf = pdfs[0].read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type /Page\b", pdf)) >= len(trip_plan.trips)
    assert b"/FontFile2" in pdf

    html = write_map(trip_plan, tmp_path / "map.html").read_text(encoding="utf-8")
    assert not re.search(r'<script[^>]+src="https?:', html)
    assert not re.search(r'<link[^>]+href="https?:', html)
    for trip in trip_plan.trips:
        assert trip.trip_id in html
    assert DAY.isoformat() in html and BAOTOU.label in html


def test_pdf_marks_characters_without_a_glyph_and_logs_no_personal_data(
    make_registration: RegistrationFactory,
    fleet: Fleet,
    policy: Policy,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A name outside the font's range (𠀀, CJK extension B) and a Mongolian place name print
    as □ in the PDF; the warning gives a count, never the characters (they may be a name)."""
    mongolian = Place(label="ᠮᠣᠩ呼和浩特", lat=TUZUOQI.lat, lon=TUZUOQI.lon)
    rider = make_registration(origin=mongolian, name="𠀀三", id_number=ID_NUMBER)
    plan = solve(Problem((rider,), fleet, policy), time_limit=1)
    with caplog.at_level(logging.WARNING):
        write_vehicle_pdfs(vehicle_pages(plan, policy, fleet, [rider], True), tmp_path)
    warnings = [record.getMessage() for record in caplog.records]
    assert any("no glyph in the shipped font" in message for message in warnings)
    assert not any("𠀀" in message or "ᠮ" in message for message in warnings)

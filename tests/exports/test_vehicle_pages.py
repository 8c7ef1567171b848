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
    """Two pickups, two drop-offs, parties of one to three, one with personal data, and a
    party on the next day (so there are at least two trips)."""
    return [
        make_registration(party_size=3, name=NAME, phone=PHONE, id_number=ID_NUMBER),
        make_registration(party_size=1),
        make_registration(origin=HOHHOT, party_size=2),
        make_registration(origin=HOHHOT, destination=TUZUOQI, party_size=1),
        make_registration(
            earliest_date=DAY + dt.timedelta(days=1), latest_date=DAY + dt.timedelta(days=1)
        ),
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
    dates = sorted({trip.date.isoformat() for trip in trip_plan.trips})
    assert [path.stem for path in pdfs] == dates
    for path in pdfs:
        pdf = path.read_bytes()
        trips = sum(1 for trip in trip_plan.trips if trip.date.isoformat() == path.stem)
        assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
        assert len(re.findall(rb"/Type /Page\b", pdf)) >= trips
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


def _with_odd_names(plan: Plan, trip_ids: list[str], place: str) -> Plan:
    """`plan` with its trips renamed and every stop's place renamed, as a hand-written
    plan.json could have them."""
    trips = tuple(
        trip.model_copy(
            update={
                "trip_id": trip_id,
                "stops": tuple(s.model_copy(update={"place": place}) for s in trip.stops),
            }
        )
        for trip, trip_id in zip(plan.trips, trip_ids, strict=False)
    )
    return plan.model_copy(update={"trips": trips})


def test_map_is_the_same_file_twice_and_place_names_stay_text(
    trip_plan: Plan, tmp_path: Path
) -> None:
    """A place name with the characters of a JavaScript template literal (` ${ } \\) and
    HTML cannot run as script in map.html."""
    evil = "站`${document.title=1}<b>\\u12"
    plan = _with_odd_names(trip_plan, [t.trip_id for t in trip_plan.trips], evil)
    first = write_map(plan, tmp_path / "a.html").read_text(encoding="utf-8")
    second = write_map(plan, tmp_path / "b.html").read_text(encoding="utf-8")
    assert first == second
    assert evil not in first and "${document" not in first and "<b>\\\\u" not in first
    assert "站&#96;&#36;{document.title=1}&lt;b&gt;&#92;u12" in first


def test_odd_trip_ids_get_distinct_pages_and_sheets(
    trip_plan: Plan, fleet: Fleet, policy: Policy, tmp_path: Path
) -> None:
    """Trip ids that clash once cleaned, or name the index or a fixed sheet, still get a page
    and a sheet each."""
    import openpyxl

    from pointplan.exports.workbook import write_workbook

    assert len(trip_plan.trips) >= 2
    odd = ["summary", "T/1", "t:1", "index"][: len(trip_plan.trips)]
    plan = _with_odd_names(trip_plan, odd, "站")
    written = write_vehicle_pages(vehicle_pages(plan, policy, fleet), tmp_path)
    assert len({path.name.casefold() for path in written}) == len(odd)
    assert "index.html" not in {path.name for path in written}
    write_workbook(plan, tmp_path / "plan.xlsx")
    book = openpyxl.load_workbook(tmp_path / "plan.xlsx", read_only=True)
    sheets = book.sheetnames
    book.close()
    assert sheets[:3] == ["summary", "trips", "boarding"] and sheets[-1] == "not served"
    assert len(sheets) == 4 + len(odd) and len({s.casefold() for s in sheets}) == len(sheets)


def test_rewriting_an_output_folder_leaves_no_earlier_pages(
    trip_plan: Plan, riders: list[Registration], fleet: Fleet, policy: Policy, tmp_path: Path
) -> None:
    """A second plan written into the same folder replaces the first one's pages, PDFs and
    tables: none of the first run's trips or unmasked personal data stay behind."""
    from pointplan.exports.outputs import write_outputs

    write_outputs(trip_plan, tmp_path, policy, fleet, riders, show_personal_data=True)
    assert any(NAME in p.read_text(encoding="utf-8") for p in tmp_path.glob("vehicles/*.html"))
    smaller = solve(Problem(tuple(riders[1:2]), fleet, policy), time_limit=1)
    write_outputs(smaller, tmp_path, policy, fleet, riders[1:2], pdf=False)
    pages = sorted(p.stem for p in (tmp_path / "vehicles").glob("*.html") if p.stem != "index")
    assert pages == [trip.trip_id for trip in smaller.trips]
    assert not list((tmp_path / "vehicles").glob("*.pdf"))
    assert not any(NAME in p.read_text(encoding="utf-8") for p in tmp_path.rglob("*.html"))

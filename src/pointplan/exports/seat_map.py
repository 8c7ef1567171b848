"""A trip's seat map: what each seat is for, and the picture of it (SVG).

Every seat of the layout gets one state: taken by a passenger (labelled with the passenger's
number on the trip's passenger list), kept for an escort, kept free as the gap the seating rules
require beside a passenger, held empty for observation (a coach's rear rows, a rail car's
isolation seats), or simply free. The
picture is drawn from these cells only, so what it shows is what the plan says.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from html import escape

from pointplan.domain.plan import Trip
from pointplan.domain.policy import Policy
from pointplan.domain.seating import Seat, held_seats, layout_seats, seats_conflict


class SeatState(StrEnum):
    """What a seat is for on this trip."""

    TAKEN = "taken"
    ESCORT = "escort"
    GAP = "gap"
    OBSERVATION = "observation"
    FREE = "free"


SEAT_LEGEND = {
    SeatState.TAKEN: "乘客 passenger",
    SeatState.ESCORT: "随车人员 escort",
    SeatState.GAP: "隔座留空 gap kept free",
    SeatState.OBSERVATION: "观察区/隔离座 kept empty",
    SeatState.FREE: "空座 free",
}
SEAT_COLOURS = {
    SeatState.TAKEN: "#1f5fa8",
    SeatState.ESCORT: "#2e8b57",
    SeatState.GAP: "#d9d9d9",
    SeatState.OBSERVATION: "#f4a259",
    SeatState.FREE: "#ffffff",
}


@dataclass(frozen=True)
class SeatCell:
    """One seat on the map: where it is drawn, its state, and the passenger number if taken."""

    row: int
    col: int
    letter: str
    state: SeatState
    passenger: int | None = None

    @property
    def label(self) -> str:
        """The seat's name as the plan writes it: row number and letter ("3A")."""
        return f"{self.row}{self.letter}"


FRONT_LABELS = {"coach": "车头 front · 司机 driver", "rail": "车厢前端 front of the car"}
"""What the top of a seat map is, by the trip's mode."""


def seat_cells(trip: Trip, policy: Policy, passenger_numbers: dict[str, int]) -> list[SeatCell]:
    """The state of every seat of `trip`'s layout under `policy` (as its mode applies it).

    `passenger_numbers` maps a registration id to its number on the passenger list; a taken
    seat shows that number.
    """
    policy = policy.for_mode(trip.mode)
    seats = layout_seats(trip.layout)
    taken = {(s.row, s.seat): s.registration_id for s in trip.seats}
    escorts = {(s.row, s.seat) for s in trip.escort_seats}
    occupied = [seat for seat in seats if (seat.row, seat.letter) in taken.keys() | escorts]
    held = {(seat.row, seat.letter) for seat in held_seats(trip.layout, policy)}
    cells = []
    for seat in seats:
        key = (seat.row, seat.letter)
        if key in taken:
            number = passenger_numbers.get(taken[key])
            cells.append(SeatCell(seat.row, seat.col, seat.letter, SeatState.TAKEN, number))
        else:
            state = _empty_state(seat, occupied, escorts, held, policy)
            cells.append(SeatCell(seat.row, seat.col, seat.letter, state))
    return cells


def _empty_state(
    seat: Seat,
    occupied: list[Seat],
    escorts: set[tuple[int, str]],
    held: set[tuple[int, str]],
    policy: Policy,
) -> SeatState:
    if (seat.row, seat.letter) in escorts:
        return SeatState.ESCORT
    if (seat.row, seat.letter) in held:
        return SeatState.OBSERVATION
    if any(seats_conflict(seat, other, policy) for other in occupied):
        return SeatState.GAP
    return SeatState.FREE


_CELL, _PAD, _LEGEND_ROW = 34, 10, 20
SVG_FONTS = "Pointplan Sans, Noto Sans CJK SC, Microsoft YaHei, sans-serif"


def seat_map_svg(cells: list[SeatCell], title: str = "", front: str = FRONT_LABELS["coach"]) -> str:
    """The seat map as a standalone SVG picture: the `front` (driver, door) at the top, one
    square per seat with its label, taken seats numbered as on the passenger list, and a
    legend of the states."""
    columns = max(cell.col for cell in cells) + 1
    rows = max(cell.row for cell in cells)
    width = max(columns * _CELL + 2 * _PAD, 230)
    top = _PAD + (18 if title else 0) + 26
    height = top + rows * _CELL + _PAD + len(SeatState) * _LEGEND_ROW + _PAD
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{SVG_FONTS}" class="seat-map">'
    ]
    if title:
        parts.append(f'<text x="{_PAD}" y="{_PAD + 12}" font-size="13">{escape(title)}</text>')
    bar = top - 24
    parts.append(
        f'<rect x="{_PAD}" y="{bar}" width="{columns * _CELL - 4}" height="18" rx="4" '
        f'fill="#eeeeee" stroke="#888888"/><text x="{_PAD + 4}" y="{bar + 13}" '
        f'font-size="11">{escape(front)}</text>'
    )
    for cell in cells:
        parts.append(_seat_svg(cell, _PAD + cell.col * _CELL, top + (cell.row - 1) * _CELL))
    legend_top = top + rows * _CELL + _PAD
    for index, state in enumerate(SeatState):
        y = legend_top + index * _LEGEND_ROW
        parts.append(
            f'<rect x="{_PAD}" y="{y}" width="14" height="14" fill="{SEAT_COLOURS[state]}" '
            f'stroke="#555555"/><text x="{_PAD + 20}" y="{y + 11}" font-size="11">'
            f"{escape(SEAT_LEGEND[state])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _seat_svg(cell: SeatCell, x: int, y: int) -> str:
    size = _CELL - 4
    dark = cell.state in (SeatState.TAKEN, SeatState.ESCORT)
    ink = "#ffffff" if dark else "#333333"
    number = ""
    if cell.passenger is not None:
        number = (
            f'<text x="{x + size / 2}" y="{y + size - 5}" font-size="13" font-weight="bold" '
            f'text-anchor="middle" fill="{ink}">{cell.passenger}</text>'
        )
    passenger = f' data-passenger="{cell.passenger}"' if cell.passenger is not None else ""
    return (
        f'<g data-seat="{escape(cell.label)}" data-state="{cell.state.value}"{passenger}>'
        f'<rect x="{x}" y="{y}" width="{size}" height="{size}" rx="4" '
        f'fill="{SEAT_COLOURS[cell.state]}" stroke="#555555"/>'
        f'<text x="{x + 3}" y="{y + 10}" font-size="8" fill="{ink}">{escape(cell.label)}</text>'
        f"{number}</g>"
    )

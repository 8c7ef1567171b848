"""The per-vehicle plans as A4 PDFs, one trip per page (more if its passenger list is long),
made with fpdf2 without a browser. The font is embedded (cut down to the characters used), so
the Chinese text renders in any PDF viewer. fpdf2 lays out about 20 pages a second, so a plan's
pages go into one PDF per travel date (what a transport department prints the day before),
written on several processes at once.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF

from pointplan.exports.seat_map import SEAT_COLOURS, SEAT_LEGEND, SeatCell, SeatState
from pointplan.exports.vehicle_page import VehiclePage
from pointplan.fonts import font_characters, font_path
from pointplan.parallel import ordered_map

log = logging.getLogger(__name__)

MISSING_GLYPH = "□"
_MARGIN, _LINE = 12.0, 5.0
_SEAT = 6.0
_LEFT_WIDTH = 112.0
_HEADING_FILL = (238, 238, 238)
ROUTE_HEADINGS = (
    "#",
    "类型 stop",
    "地点 place",
    "集合点 point",
    "到达 arrives",
    "出发 leaves",
    "人数 people",
)
SCHEDULE_HEADINGS = ("内容 what", "开始 from", "结束 to", "公里 km")
PASSENGER_HEADINGS = (
    "序号 no.",
    "登记号 registration",
    "姓名 name",
    "身份证号 id",
    "电话 phone",
    "座位 seats",
    "上车点 pickup",
    "上车 boards",
    "下车点 drop-off",
    "体温/健康 health",
)


PAGES_PER_PROCESS = 200
"""A process of its own pays off from about this many pages: starting one and loading the
font into it costs about a second, fpdf2 lays out about 25 pages a second."""


def write_vehicle_pdfs(pages: Sequence[VehiclePage], folder: Path, workers: int = 1) -> list[Path]:
    """Write one PDF per travel date, `folder`/YYYY-MM-DD.pdf, on up to `workers` processes
    (one per `PAGES_PER_PROCESS` pages at most); returns their paths in date order."""
    folder.mkdir(parents=True, exist_ok=True)
    workers = max(1, min(workers, len(pages) // PAGES_PER_PROCESS))
    by_date = [
        (folder / f"{date.isoformat()}.pdf", list(group))
        for date, group in itertools.groupby(
            sorted(pages, key=lambda page: page.date), key=lambda page: page.date
        )
    ]
    return list(ordered_map(_write_item, None, by_date, workers))


def _write_item(_: None, item: tuple[Path, list[VehiclePage]]) -> Path:
    path, pages = item
    return write_vehicle_pdf(pages, path)


class _PagesPDF(FPDF):
    """An FPDF that prints □ for characters the shipped font has no glyph for (rare
    characters outside its range, Mongolian script), so that a gap shows on paper instead of
    the character silently vanishing, and counts them."""

    def __init__(self) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.missing = 0

    def normalize_text(self, text: str) -> str:
        known = font_characters()
        if all(ord(char) in known or char in "\n\r" for char in text):
            return super().normalize_text(text)
        printable = []
        for char in text:
            if ord(char) in known or char in "\n\r":
                printable.append(char)
            else:
                printable.append(MISSING_GLYPH)
                self.missing += 1
        return super().normalize_text("".join(printable))


def write_vehicle_pdf(pages: Sequence[VehiclePage], path: Path) -> Path:
    """Write every page into one PDF at `path`."""
    pdf = _PagesPDF()
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(auto=True, margin=_MARGIN)
    pdf.add_font("sans", fname=str(font_path()))
    pdf.set_title("一车一方案 Vehicle plans")
    pdf.set_creator("pointplan")
    for page in pages:
        _page(pdf, page)
    pdf.output(str(path))
    if pdf.missing:  # a count only: the characters may be part of a name
        log.warning(
            "%s: %d characters have no glyph in the shipped font and print as %s; the HTML "
            "pages show them where the browser has a font for them",
            path.name,
            pdf.missing,
            MISSING_GLYPH,
        )
    return path


def _page(pdf: FPDF, page: VehiclePage) -> None:
    pdf.add_page()
    pdf.set_font("sans", size=14)
    pdf.cell(text=page.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    top = pdf.get_y()
    seats_bottom = _seat_map(pdf, page, x=_MARGIN + _LEFT_WIDTH + 8, y=top)
    pdf.set_xy(_MARGIN, top)
    _table(pdf, None, (45, 67), page.facts, font_size=9, line_height=4.4)
    pdf.ln(1.5)
    pdf.set_font("sans", size=8)
    for label, value in page.fill_in:
        _wrapped(pdf, f"{label}: {value or '______________________'}", _LINE, _LEFT_WIDTH)
    for label in page.contacts:
        _wrapped(pdf, f"{label}: ______________  电话 phone: __________", _LINE, _LEFT_WIDTH)
    pdf.set_y(max(pdf.get_y(), seats_bottom) + 2)
    _heading(pdf, "路线 Route")
    _table(
        pdf,
        ROUTE_HEADINGS,
        (8, 24, 58, 28, 20, 20, 18),
        [
            (str(s.order), s.kind, s.place, s.point_id, s.arrival, s.departure, str(s.people))
            for s in page.route
        ],
    )
    if page.journey:
        _heading(pdf, "换乘 Where people change vehicles")
        for line in page.journey:
            _wrapped(pdf, line, 4.2)
    if page.schedule:
        _heading(pdf, "行车计划 Driving, rests and stops")
        _table(
            pdf,
            SCHEDULE_HEADINGS,
            (66, 45, 45, 20),
            [(s.kind, s.start, s.end, s.km) for s in page.schedule],
        )
    _heading(pdf, "乘客信息登记表 Passenger list")
    _table(
        pdf,
        PASSENGER_HEADINGS,
        (8, 17, 11, 31, 20, 14, 28, 11, 30, 16),
        [
            (
                str(p.number),
                p.registration_id,
                p.name,
                p.id_number,
                p.phone,
                p.seats,
                p.pickup,
                p.boarding,
                p.dropoff,
                "",
            )
            for p in page.passengers
        ],
        font_size=7,
    )
    _heading(pdf, "防疫措施 Epidemic measures")
    _wrapped(pdf, "; ".join(page.measures), 4.2)
    _heading(pdf, "到达交接 Handover")
    for handover in page.handovers:
        if pdf.get_y() + 3 * _LINE > pdf.h - _MARGIN:  # a drop-off's lines stay on one page
            pdf.add_page()
        _wrapped(
            pdf,
            f"{_fit(handover.place)} · 预计时间 time: {handover.time} · 人数 people: "
            f"{handover.people} · 接收单位 receiving unit: ____________________",
            _LINE,
        )
        _wrapped(
            pdf,
            "移交人签字 handed over by: ______________  接收人签字 received by: ______________",
            _LINE + 1.5,
        )


def _wrapped(pdf: FPDF, text: str, height: float, width: float = 0) -> None:
    """Text that wraps within `width` (0: to the right margin), then back to the margin.
    A line that fits is written as one cell: fpdf2's line breaking costs far more."""
    room = width or pdf.w - pdf.r_margin - pdf.get_x()
    if pdf.get_string_width(text) < room - 2 * pdf.c_margin:
        pdf.cell(room, height, text, new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.multi_cell(width, height, text, new_x="LMARGIN", new_y="NEXT")


def _fit(text: str, most: int = 60) -> str:
    """`text` cut to `most` characters: a place name in a table cell must not outgrow a page."""
    return text if len(text) <= most else text[: most - 1] + "…"


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_font("sans", size=11)
    pdf.cell(text=text, new_x="LMARGIN", new_y="NEXT", border="B")
    pdf.ln(1)
    pdf.set_font("sans", size=8)


def _table(
    pdf: FPDF,
    headings: Sequence[str] | None,
    widths: Sequence[float],
    rows: Sequence[Sequence[str]],
    font_size: float = 8,
    line_height: float = 4.2,
) -> None:
    """A bordered grid at the left margin: the headings row shaded (and repeated at the top
    of each page the grid runs onto), each cell wrapped within its column. Drawn cell by cell:
    fpdf2's own tables laid out each page several times slower."""
    pdf.set_font("sans", size=font_size)
    if headings is not None:
        _grid_row(pdf, headings, widths, line_height, shaded=True)
    for row in rows:
        lines = [
            _cell_lines(pdf, _fit(text), width) for text, width in zip(row, widths, strict=True)
        ]
        height = max(len(cell) for cell in lines) * line_height + 2 * _CELL_PAD
        if pdf.get_y() + height > pdf.h - pdf.b_margin:
            pdf.add_page()
            if headings is not None:
                _grid_row(pdf, headings, widths, line_height, shaded=True)
        _draw_row(pdf, lines, widths, line_height, height, shaded=False)


_CELL_PAD = 0.4


def _grid_row(
    pdf: FPDF, texts: Sequence[str], widths: Sequence[float], line_height: float, shaded: bool
) -> None:
    lines = [_cell_lines(pdf, text, width) for text, width in zip(texts, widths, strict=True)]
    height = max(len(cell) for cell in lines) * line_height + 2 * _CELL_PAD
    _draw_row(pdf, lines, widths, line_height, height, shaded)


def _draw_row(
    pdf: FPDF,
    lines: Sequence[Sequence[str]],
    widths: Sequence[float],
    line_height: float,
    height: float,
    shaded: bool,
) -> None:
    x, y = pdf.l_margin, pdf.get_y()
    if shaded:
        pdf.set_fill_color(*_HEADING_FILL)
    for cell, width in zip(lines, widths, strict=True):
        pdf.rect(x, y, width, height, style="DF" if shaded else "D")
        for number, text in enumerate(cell):
            pdf.set_xy(x, y + _CELL_PAD + number * line_height)
            pdf.cell(width, line_height, text)
        x += width
    pdf.set_xy(pdf.l_margin, y + height)


def _cell_lines(pdf: FPDF, text: str, width: float) -> list[str]:
    """The lines `text` takes in a column `width` wide (one when it fits, as most do:
    fpdf2's line breaking is asked only for the others)."""
    if pdf.get_string_width(text) <= width - 2 * pdf.c_margin:
        return [text]
    lines = pdf.multi_cell(width, 1, text, dry_run=True, output="LINES")
    assert isinstance(lines, list)
    return [str(line) for line in lines] or [""]


def _seat_map(pdf: FPDF, page: VehiclePage, x: float, y: float) -> float:
    """Draw the page's seat map with its top-left corner at (x, y); returns the y below it."""
    cells = list(page.seats)
    columns = max(cell.col for cell in cells) + 1
    rows = max(cell.row for cell in cells)
    pdf.set_font("sans", size=10)
    pdf.set_xy(x, y)
    pdf.cell(text="座位图 Seat map")
    front = y + 6
    pdf.set_fill_color(238, 238, 238)
    pdf.rect(x, front, columns * _SEAT - 1, 4, style="DF")
    pdf.set_font("sans", size=6)
    pdf.set_xy(x + 1, front)
    pdf.cell(h=4, text=page.seat_map_front)
    top = front + 6
    for cell in cells:
        _seat(pdf, cell, x + cell.col * _SEAT, top + (cell.row - 1) * _SEAT)
    legend = top + rows * _SEAT + 2
    for index, state in enumerate(SeatState):
        row_y = legend + index * 4.5
        pdf.set_fill_color(*_rgb(SEAT_COLOURS[state]))
        pdf.rect(x, row_y, 3.2, 3.2, style="DF")
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("sans", size=7)
        pdf.set_xy(x + 4.5, row_y - 0.3)
        pdf.cell(h=3.8, text=SEAT_LEGEND[state])
    return legend + len(SeatState) * 4.5


def _seat(pdf: FPDF, cell: SeatCell, x: float, y: float) -> None:
    size = _SEAT - 1
    pdf.set_fill_color(*_rgb(SEAT_COLOURS[cell.state]))
    pdf.rect(x, y, size, size, style="DF", round_corners=True, corner_radius=0.8)
    dark = cell.state in (SeatState.TAKEN, SeatState.ESCORT)
    pdf.set_text_color(*((255, 255, 255) if dark else (51, 51, 51)))
    pdf.set_font("sans", size=4.5)
    pdf.set_xy(x + 0.3, y + 0.2)
    pdf.cell(h=2, text=cell.label)
    if cell.passenger is not None:
        pdf.set_font("sans", size=8)
        pdf.set_xy(x, y + 2.4)
        pdf.cell(w=size, h=3.4, text=str(cell.passenger), align="C")
    pdf.set_text_color(0, 0, 0)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)

"""The per-vehicle plans as HTML pages that print cleanly on A4.

Each trip gets its own page (the seat map is inline SVG, the styles are in the page), plus an
index linking them all. The pages ask the browser for a common Chinese font and fall back to
the shipped one, cut down to the characters the pages use and written beside them, so Chinese
renders on a machine that has none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from pathlib import Path

import jinja2

from pointplan.exports.names import unique_names
from pointplan.exports.seat_map import seat_map_svg
from pointplan.exports.vehicle_page import VehiclePage
from pointplan.fonts import write_font_subset

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("pointplan.exports", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


FONT_FILE = "PointplanSans.ttf"


def render_vehicle_pages(pages: Sequence[VehiclePage], font_url: str = FONT_FILE) -> str:
    """One HTML document holding `pages`, one printed page each; `font_url` is where the
    fallback Chinese font lies, relative to the document."""
    template = _ENVIRONMENT.get_template("vehicle_page.html.j2")
    title = pages[0].title if len(pages) == 1 else "一车一方案 Vehicle plans"
    return template.render(
        title=title,
        font_url=font_url,
        pages=[(page, seat_map_svg(list(page.seats), front=page.seat_map_front)) for page in pages],
    )


def page_file_names(trip_ids: Sequence[str]) -> dict[str, str]:
    """A distinct, safe file name for each trip's page (trip ids come from plan.json, which
    anyone can write); never index.html."""
    stems = unique_names(trip_ids, _file_stem, reserved=("index",))
    return {trip_id: f"{stem}.html" for trip_id, stem in stems.items()}


def _file_stem(trip_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", trip_id)[:100]


def write_vehicle_pages(pages: Sequence[VehiclePage], folder: Path) -> list[Path]:
    """Write one HTML page per trip, an index.html linking them and the fallback Chinese
    font; returns the pages' paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written, texts = [], []
    names = page_file_names([page.trip_id for page in pages])
    for page in pages:
        path = folder / names[page.trip_id]
        text = render_vehicle_pages([page])
        path.write_text(text, encoding="utf-8")
        written.append(path)
        texts.append(text)
    write_font_subset(texts, folder / FONT_FILE)
    links = "".join(
        f'<li><a href="{escape(path.name)}">{escape(page.title)}</a></li>'
        for page, path in zip(pages, written, strict=True)
    )
    (folder / "index.html").write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>一车一方案 Vehicle plans</title></head><body><h1>一车一方案 Vehicle plans</h1>"
        f"<ol>{links}</ol></body></html>\n",
        encoding="utf-8",
    )
    return written

"""The classified list (分类汇总、形成清单): demand by origin county, destination, travel window
and employer, the list human resources sends to health and transport.

One row per (direction, origin county, destination county, earliest date, latest date,
employer) with the registrations and people in it; a place without a county keeps the
label it was given. The sheet adds a total row and bilingual headers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pointplan.domain.places import Place
from pointplan.domain.registration import Direction, Registration
from pointplan.geo.gazetteer import Gazetteer, PlaceNotFound, default_gazetteer

KEY_COLUMNS = (
    "direction",
    "origin_adcode",
    "origin",
    "destination_adcode",
    "destination",
    "earliest_date",
    "latest_date",
    "employer",
)
COLUMNS = (*KEY_COLUMNS, "registrations", "people")
"""The classified list's columns, as `classified_list` names them."""
HEADERS = {
    "direction": "方向 direction",
    "origin_adcode": "出发地代码 origin adcode",
    "origin": "出发地 origin",
    "destination_adcode": "目的地代码 destination adcode",
    "destination": "目的地 destination",
    "earliest_date": "最早日期 earliest date",
    "latest_date": "最晚日期 latest date",
    "employer": "用人单位 employer",
    "registrations": "登记数 registrations",
    "people": "人数 people",
}
"""The sheet's header of each column."""
SHEET = "分类清单 classified list"
DIRECTION_NAMES = {Direction.RETURN_TO_WORK: "返岗", Direction.RETURN_HOME: "返乡"}
TOTAL = "合计 total"


def classified_list(
    registrations: Sequence[Registration], gazetteer: Gazetteer | None = None
) -> pd.DataFrame:
    """The classified list of `registrations` (`COLUMNS`), one row per group, in the order
    of direction (return-to-work first), origin, destination, window and employer."""
    places = gazetteer or default_gazetteer()
    groups: Counter[tuple[object, ...]] = Counter()
    people: Counter[tuple[object, ...]] = Counter()
    for registration in registrations:
        key = (
            DIRECTION_NAMES[registration.direction],
            *_county(registration.origin, places),
            *_county(registration.destination, places),
            registration.earliest_date,
            registration.latest_date,
            registration.employer or "",
        )
        groups[key] += 1
        people[key] += registration.party_size
    order = sorted(groups, key=lambda key: (key[0] != "返岗", *map(str, key[1:])))
    rows = [(*key, groups[key], people[key]) for key in order]
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype(
        {"registrations": "int64", "people": "int64"}
    )


def write_classified_list(
    path: Path, registrations: Sequence[Registration], gazetteer: Gazetteer | None = None
) -> pd.DataFrame:
    """Write the classified list as a workbook of one sheet (bilingual headers, a total row,
    dates as date cells, its creation date the first travel day, so that the same input
    gives the same file); the list written."""
    table = classified_list(registrations, gazetteer)
    total = {
        **dict.fromkeys(KEY_COLUMNS, ""),
        "direction": TOTAL,
        "registrations": int(table["registrations"].sum()),
        "people": int(table["people"].sum()),
    }
    sheet = pd.concat([table, pd.DataFrame([total])], ignore_index=True).rename(columns=HEADERS)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="xlsxwriter", date_format="yyyy-mm-dd") as writer:
        first = min((r.earliest_date for r in registrations), default=dt.date(2000, 1, 1))
        writer.book.set_properties({"created": dt.datetime.combine(first, dt.time())})
        sheet.to_excel(writer, sheet_name=SHEET, index=False)
        book_sheet = writer.sheets[SHEET]
        bold = writer.book.add_format({"bold": True})
        book_sheet.set_row(len(sheet), None, bold)
        book_sheet.set_column(0, len(COLUMNS) - 1, 16)
        book_sheet.set_column(2, 2, 24)
        book_sheet.set_column(4, 4, 24)
        book_sheet.set_column(7, 7, 28)
        book_sheet.freeze_panes(1, 0)
        book_sheet.autofilter(0, 0, len(sheet) - 1, len(COLUMNS) - 1)
    return table


def _county(place: Place, gazetteer: Gazetteer) -> tuple[str, str]:
    """(county adcode, its label) of an end; a place without an adcode keeps its label."""
    if not place.adcode:
        return "", place.label
    try:
        unit = gazetteer.unit_for_code(place.adcode)
    except PlaceNotFound:
        return place.adcode, place.label
    return unit.short_code, gazetteer.label(unit)

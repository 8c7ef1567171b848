"""Office workbooks of plain tables: one sheet per table, the header row frozen, a filter on
every column, readable widths, a fixed creation date (the same tables give the same file)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

COLUMN_WIDTH = 16


def write_tables(
    path: Path, tables: Mapping[str, pd.DataFrame], created: dt.datetime | None = None
) -> Path:
    """Write each of `tables` (sheet name -> table, in order) to the workbook at `path`;
    dates as date cells; `created` (default 2000-01-01) as the file's creation date."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="xlsxwriter", date_format="yyyy-mm-dd") as writer:
        writer.book.set_properties({"created": created or dt.datetime(2000, 1, 1)})
        for name, table in tables.items():
            table.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            last = max(len(table.columns) - 1, 0)
            sheet.set_column(0, last, COLUMN_WIDTH)
            sheet.freeze_panes(1, 0)
            if len(table.columns):
                sheet.autofilter(0, 0, max(len(table), 1), last)
    return path

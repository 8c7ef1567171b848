"""Reading a table (CSV, XLSX or a DataFrame) as text records that keep their row numbers.

Rows are numbered as a spreadsheet shows them: the header is row 1. Blank rows are skipped
but still counted, so a message's row number is the one a person sees. A CSV row with more
fields than the header is refused with that row's number, unless the extra fields are empty
(a trailing comma); a row with fewer fields has its missing trailing cells empty.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import zipfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from pointplan.io.errors import InputError, InputIssue


@dataclass(frozen=True)
class Record:
    """One non-blank row: its number and its cells by lower-case column name."""

    row: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Table:
    """A table's name for messages, its columns, its records and the rows it could not read."""

    name: str
    columns: tuple[str, ...]
    records: tuple[Record, ...]
    unreadable: tuple[tuple[int, str], ...]  # (row, why)


def cell_text(value: Any) -> str:
    """A cell as text: empty for missing values, ISO for dates, no '.0' on whole numbers."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def refuse_unknown_columns(table: Table, known: Sequence[str]) -> None:
    """Raise `InputError` naming every column of `table` not in `known`, with the column it
    most resembles: a misspelt optional column (`party_sise`) would otherwise lose its data
    without a word."""
    unknown = [column for column in table.columns if column not in known]
    if not unknown:
        return
    named = ", ".join(_with_suggestion(column, known) for column in unknown)
    message = f"unknown column(s): {named}; the columns are {', '.join(known)}"
    raise InputError([InputIssue(table.name, message)])


def read_columned_table(
    source: Path | pd.DataFrame, required: Sequence[str], known: Sequence[str]
) -> Table:
    """`read_table`, then `InputError` when a `required` column is missing or a column is not
    `known`."""
    table = read_table(source)
    missing = missing_columns(table, required)
    if missing:
        raise InputError([InputIssue(table.name, f"missing column(s): {', '.join(missing)}")])
    refuse_unknown_columns(table, known)
    return table


def missing_columns(table: Table, required: Collection[str]) -> list[str]:
    """The `required` columns `table` lacks, in the order given."""
    return [column for column in required if column not in table.columns]


def _with_suggestion(column: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(column, list(known), n=1)
    return column + (f" (did you mean '{close[0]}'?)" if close else "")


def read_table(source: Path | pd.DataFrame) -> Table:
    """Read a CSV or XLSX file, or a DataFrame; file-level problems raise `InputError`."""
    if isinstance(source, pd.DataFrame):
        header = [str(c) for c in source.columns]
        rows = [(i + 2, list(values)) for i, values in enumerate(source.itertuples(index=False))]
        return _table("DataFrame", header, rows)
    path = Path(source)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            header, rows = _xlsx_rows(path)
        else:
            header, rows = _csv_rows(path)
    except FileNotFoundError:
        raise InputError([InputIssue(str(path), "no such file")]) from None
    except UnicodeDecodeError:
        raise InputError([InputIssue(path.name, "not UTF-8 text; save it as UTF-8")]) from None
    except (ValueError, OSError, zipfile.BadZipFile, csv.Error) as error:
        raise InputError([InputIssue(path.name, f"cannot read the table: {error}")]) from None
    return _table(path.name, header, rows)


def _csv_rows(path: Path) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    text = path.read_bytes().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text, newline="")))
    if not lines:
        raise ValueError("the file is empty")
    return lines[0], [(number, line) for number, line in enumerate(lines[1:], start=2)]


def _xlsx_rows(path: Path) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = [
            (number, list(values))
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()
    if not rows:
        raise ValueError("the first sheet is empty")
    return [cell_text(v) for v in rows[0][1]], rows[1:]


def _table(name: str, header: list[str], rows: list[tuple[int, list[Any]]]) -> Table:
    columns = [str(c).strip().lower() for c in header]
    while columns and not columns[-1]:
        columns.pop()  # empty header cells at the end (a trailing comma)
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise InputError([InputIssue(name, f"duplicate column(s): {', '.join(duplicated)}")])
    if "" in columns:
        raise InputError([InputIssue(name, f"column {columns.index('') + 1} has no name")])
    records: list[Record] = []
    unreadable: list[tuple[int, str]] = []
    for number, values in rows:
        texts = [cell_text(v) for v in values]
        if not any(texts):
            continue
        extra = texts[len(columns) :]
        if any(extra):
            unreadable.append(
                (
                    number,
                    f"{len(texts)} fields where the header has "
                    f"{len(columns)} (a stray comma or separator?)",
                )
            )
            continue
        texts += [""] * (len(columns) - len(texts))
        records.append(Record(number, dict(zip(columns, texts, strict=False))))
    return Table(name, tuple(columns), tuple(records), tuple(unreadable))

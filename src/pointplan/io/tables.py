"""Reading a table (CSV, XLSX, Parquet or a DataFrame) as text records that keep their row
numbers, whole or in chunks.

Rows are numbered as a spreadsheet shows them: the header is row 1. Blank rows are skipped
but still counted, so a message's row number is the one a person sees. A CSV row with more
fields than the header is refused with that row's number, unless the extra fields are empty
(a trailing comma); a row with fewer fields has its missing trailing cells empty. A Parquet
file's first record is row 2, as if it had a header row; a DataFrame's is row 2 too, unless
its index is named `ROW_INDEX`: then the index holds the row numbers (a chunk of a larger
table keeps the numbers of the file it came from).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import zipfile
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from pointplan.io.errors import InputError, InputIssue

ROW_INDEX = "row"
"""The name of a DataFrame's index that holds the rows' numbers in the file they came from."""
PARQUET_SUFFIXES = (".parquet", ".pq")
CHUNK_ROWS = 100_000
"""Rows per chunk when a large table is read in chunks (`read_table_chunks`)."""


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
    """Read a CSV, XLSX or Parquet file, or a DataFrame; file-level problems raise
    `InputError`."""
    if isinstance(source, pd.DataFrame):
        header = [str(c) for c in source.columns]
        if source.index.name == ROW_INDEX:
            numbers: Iterable[int] = (int(number) for number in source.index)
        else:
            numbers = range(2, len(source) + 2)
        values = source.itertuples(index=False)
        return _table(
            "DataFrame", header, [(n, list(v)) for n, v in zip(numbers, values, strict=True)]
        )
    path = Path(source)
    chunks = list(read_table_chunks(path, rows=None))
    if len(chunks) == 1:
        return chunks[0]
    return Table(  # an XLSX, CSV or Parquet file has one chunk when read whole
        chunks[0].name,
        chunks[0].columns,
        tuple(r for c in chunks for r in c.records),
        tuple(u for c in chunks for u in c.unreadable),
    )


def read_table_chunks(path: Path, rows: int | None = CHUNK_ROWS) -> Iterator[Table]:
    """Read a CSV, XLSX or Parquet file as tables of up to `rows` rows each (all at once for
    None), with the file's row numbers, never holding more than a chunk's records; file-level
    problems raise `InputError`, a chunk at a time."""
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            header, numbered = _xlsx_rows(path)
        elif path.suffix.lower() in PARQUET_SUFFIXES:
            header, numbered = _parquet_rows(path)
        else:
            header, numbered = _csv_rows(path)
        chunk: list[tuple[int, list[Any]]] = []
        for number, values in numbered:
            chunk.append((number, values))
            if rows is not None and len(chunk) == rows:
                yield _table(path.name, header, chunk)
                chunk = []
        if chunk or rows is None:
            yield _table(path.name, header, chunk)
    except FileNotFoundError:
        raise InputError([InputIssue(str(path), "no such file")]) from None
    except UnicodeDecodeError:
        raise InputError([InputIssue(path.name, "not UTF-8 text; save it as UTF-8")]) from None
    except (ValueError, OSError, zipfile.BadZipFile, csv.Error) as error:
        raise InputError([InputIssue(path.name, f"cannot read the table: {error}")]) from None


NumberedRows = tuple[list[str], Iterator[tuple[int, list[Any]]]]


def _csv_rows(path: Path) -> NumberedRows:
    handle = path.open(encoding="utf-8-sig", newline="")
    lines = csv.reader(handle)
    try:
        header = next(lines, None)
        if header is None:
            raise ValueError("the file is empty")
    except BaseException:
        handle.close()
        raise

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        with handle:
            yield from enumerate(lines, start=2)

    return header, numbered()


def _xlsx_rows(path: Path) -> NumberedRows:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = workbook.worksheets[0].iter_rows(values_only=True)
    first = next(sheet, None)
    if first is None:
        workbook.close()
        raise ValueError("the first sheet is empty")

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, values in enumerate(sheet, start=2):
                yield number, list(values)
        finally:
            workbook.close()

    return [cell_text(v) for v in first], numbered()


def _parquet_rows(path: Path) -> NumberedRows:
    import pyarrow.parquet as pq  # only Parquet's readers pay for it

    try:
        file = pq.ParquetFile(path)
    except Exception as error:  # pyarrow's errors share no base class beyond its own
        raise ValueError(f"not a Parquet file ({error})") from None
    header = list(file.schema_arrow.names)

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        number = 2
        for batch in file.iter_batches(batch_size=CHUNK_ROWS):
            columns = [column.to_pylist() for column in batch.columns]
            for values in zip(*columns, strict=True):
                yield number, list(values)
                number += 1

    return header, numbered()


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

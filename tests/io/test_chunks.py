"""Large tables: read in chunks and from Parquet, with the row numbers of the whole file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pointplan.io import InputError, read_registrations
from pointplan.io.aliases import with_column_names
from pointplan.io.registrations import RegistrationReader
from pointplan.io.tables import ROW_INDEX, read_table, read_table_chunks
from tests.io.test_input import GOOD, write


def rows(count: int, bad: frozenset[int] = frozenset()) -> list[str]:
    """`count` good rows R1..., those numbered in `bad` with an impossible date."""
    lines = []
    for number in range(1, count + 1):
        line = GOOD.replace("R1,", f"R{number},")
        lines.append(line.replace("2022-11-21", "2022-02-30") if number in bad else line)
    return lines


def test_csv_chunks_keep_the_files_row_numbers(tmp_path: Path) -> None:
    """Seven rows, three at a time: chunks of 3, 3 and 1, numbered 2 to 8 as in the file."""
    path = write(tmp_path, *rows(7))
    chunks = list(read_table_chunks(path, rows=3))
    assert [[r.row for r in c.records] for c in chunks] == [[2, 3, 4], [5, 6, 7], [8]]
    assert all(c.columns == chunks[0].columns for c in chunks)


def test_chunked_reading_finds_what_a_whole_reading_finds(tmp_path: Path) -> None:
    """A bad row and an id repeated two chunks later are rejected with the rows a whole
    reading gives them."""
    lines = rows(9, bad=frozenset({2}))
    lines[7] = lines[7].replace("R8,", "R1,")  # row 9 repeats row 2's id
    path = write(tmp_path, *lines)
    whole = read_registrations(path)
    reader = RegistrationReader()
    chunked = [reader.read(with_column_names(c)) for c in read_table_chunks(path, rows=3)]
    rejected = [r for batch in chunked for r in batch.rejected]
    assert rejected == list(whole.rejected)
    assert [(r.row, r.registration_id) for r in rejected] == [(3, "R2"), (9, "R1")]
    assert "first on row 2" in rejected[1].reason
    valid = [r for batch in chunked for r in batch.registrations]
    assert valid == list(whole.registrations)


def test_parquet_reads_as_the_csv_does(tmp_path: Path) -> None:
    """The same rows as Parquet (text columns) give the same registrations and rejections,
    the first record being row 2, as under a header."""
    csv_path = write(tmp_path, *rows(5, bad=frozenset({4})))
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    parquet_path = tmp_path / "regs.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), parquet_path)
    from_csv, from_parquet = read_registrations(csv_path), read_registrations(parquet_path)
    assert from_parquet.registrations == from_csv.registrations
    assert from_parquet.rejected == from_csv.rejected
    assert from_parquet.rejected[0].row == 5


def test_a_dataframe_indexed_by_row_keeps_those_numbers() -> None:
    """A chunk handed on as a DataFrame whose index is named `row` keeps its rows' numbers."""
    frame = pd.DataFrame({"a": ["x", "y"]}, index=pd.Index([41, 97], name=ROW_INDEX))
    assert [r.row for r in read_table(frame).records] == [41, 97]


def test_a_file_that_is_not_parquet_is_said_plainly(tmp_path: Path) -> None:
    """A .parquet name on other bytes: an InputError naming the file, not a traceback."""
    path = tmp_path / "regs.parquet"
    path.write_text("registration_id\nR1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"regs\.parquet: cannot read the table: not a Parquet"):
        read_registrations(path)

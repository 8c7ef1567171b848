"""County offices' lists as they keep them: Chinese headers (interchange.md, "Chinese column
names") and dates as offices write them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from pointplan.io import InputError
from pointplan.io.registrations import read_registrations

HEADER = "编号,方向,出发地,目的地,最早日期,最晚日期,人数,姓名,身份证号,电话"
ROWS = [
    "C1,返岗,150121,150203,2022-11-21,2022-11-22,2,张三,11010519491231002X,13812345678",
    "C2,返乡,150203,150121,2022/11/21,2022/11/23,1,,,",
    "C3,返岗,150121,150203,2022年11月21日,2022年11月24日,1,,,",
    "C4,return_to_work,150121,150203,20221121,20221125,3,,,",
]


def test_a_list_with_chinese_headers_and_office_dates_reads(tmp_path: Path) -> None:
    """The header the issue names, refused before as missing every column, reads; so do
    2022/11/21, 2022年11月21日 and 20221121; 返岗 and 返乡 are the directions."""
    path = tmp_path / "list.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    batch = read_registrations(path)
    assert batch.issues == ()
    found = {r.registration_id: r for r in batch.registrations}
    assert sorted(found) == ["C1", "C2", "C3", "C4"]
    assert found["C1"].party_size == 2 and found["C1"].name is not None
    assert found["C2"].direction.value == "return_home"
    assert [found[rid].latest_date.day for rid in ("C1", "C2", "C3", "C4")] == [22, 23, 24, 25]
    assert all(r.earliest_date == dt.date(2022, 11, 21) for r in found.values())


def test_date_cells_of_a_workbook_read(tmp_path: Path) -> None:
    """An XLSX list whose dates are date cells, under Chinese headers."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["编号", "方向", "出发地", "目的地", "最早出发日期", "最晚出发日期", "同行人数"])
    sheet.append(
        ["X1", "返岗", "150121", "150203", dt.datetime(2022, 11, 21), dt.date(2022, 11, 22), 1]
    )
    book.save(tmp_path / "list.xlsx")
    batch = read_registrations(tmp_path / "list.xlsx")
    assert [r.latest_date for r in batch.registrations] == [dt.date(2022, 11, 22)]


@pytest.mark.parametrize(
    ("header", "named"),
    [
        ("registration_id,编号,direction,origin,destination,earliest_date,latest_date", "编号"),
        ("编号,方向,出行方向,出发地,目的地,最早日期,最晚日期", "出行方向"),
    ],
)
def test_two_headers_of_one_column_are_an_error_naming_both(
    tmp_path: Path, header: str, named: str
) -> None:
    """An alias and its column, or two aliases of one column, in one file."""
    path = tmp_path / "list.csv"
    path.write_text(header + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_registrations(path)
    message = str(raised.value)
    assert named in message and "keep one" in message


def test_a_date_in_no_known_form_names_the_forms(tmp_path: Path) -> None:
    """21.11.2022 is not one of the forms; the reason lists them (never the value)."""
    path = tmp_path / "list.csv"
    path.write_text(
        HEADER + "\nD1,返岗,150121,150203,21.11.2022,2022-11-22,1,,,\n", encoding="utf-8"
    )
    batch = read_registrations(path)
    assert len(batch.rejected) == 1
    reason = batch.rejected[0].reason
    assert "earliest_date" in reason and "YYYY年MM月DD日" in reason and "21.11.2022" not in reason

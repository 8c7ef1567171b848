"""The richer registration record (interchange.md, "Registrations: more optional columns"):
registered_at, employer, trade, return_reason and needs, read from files (under their
Chinese names too) and validated like the rest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pointplan.domain.events import CHINA_TIME
from pointplan.domain.registration import Need, ReturnReason
from pointplan.io.registrations import read_registrations


def home(rid: str = "H1", **fields: Any) -> dict[str, Any]:
    """A return-home row (Baotou to Tumed Left Banner) with `fields` added."""
    return {"registration_id": rid, "direction": "return_home", "origin": "150203",
            "destination": "150121", "earliest_date": "2022-11-21",
            "latest_date": "2022-11-23", **fields}  # fmt: skip


def test_a_returnees_record_reads_whole() -> None:
    """Every new column, in English values, lands on the registration."""
    fields = {"registered_at": "2022-11-18 08:30", "employer": "包钢集团", "trade": "建筑",
              "return_reason": "layoff", "needs": "job;training"}  # fmt: skip
    batch = read_registrations([home(**fields)])
    assert batch.issues == ()
    (person,) = batch.registrations
    assert person.registered_at == dt.datetime(2022, 11, 18, 8, 30, tzinfo=CHINA_TIME)
    assert (person.employer, person.trade) == ("包钢集团", "建筑")
    assert person.return_reason is ReturnReason.LAYOFF and person.return_reason.involuntary
    assert person.needs == (Need.JOB, Need.TRAINING)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-11-18", dt.datetime(2022, 11, 18, tzinfo=CHINA_TIME)),
        ("2022/11/18 8:05", dt.datetime(2022, 11, 18, 8, 5, tzinfo=CHINA_TIME)),
        ("2022年11月18日 08:05:30", dt.datetime(2022, 11, 18, 8, 5, 30, tzinfo=CHINA_TIME)),
        ("2022-11-18T00:30Z", dt.datetime(2022, 11, 18, 8, 30, tzinfo=CHINA_TIME)),
        ("2022-11-18T08:30+08:00", dt.datetime(2022, 11, 18, 8, 30, tzinfo=CHINA_TIME)),
    ],
)
def test_registered_at_reads_as_offices_and_systems_write_it(
    text: str, expected: dt.datetime
) -> None:
    """A date alone is midnight; a time without an offset is Beijing time; an offset is
    kept (the same moment)."""
    (person,) = read_registrations([home(registered_at=text)]).registrations
    assert person.registered_at == expected and person.registered_at.utcoffset() is not None


@pytest.mark.parametrize(
    ("fields", "column"),
    [
        ({"registered_at": "last week"}, "registered_at"),
        ({"registered_at": "2022-11-18 25:00"}, "registered_at"),
        ({"registered_at": "2022-02-30"}, "registered_at"),
        ({"return_reason": "fired"}, "return_reason"),
        ({"needs": "job;money"}, "needs"),
        ({"employer": "x" * 101}, "employer"),
        ({"trade": "x" * 101}, "trade"),
        ({"direction": "return_to_work", "return_reason": "layoff"}, "return_reason"),
        ({"direction": "return_to_work", "needs": "job"}, "needs"),
    ],
)
def test_a_bad_value_rejects_its_row_naming_the_column(fields: dict[str, str], column: str) -> None:
    """Each bad value is a rejection naming its row and column, and nothing else is lost."""
    batch = read_registrations([home("OK"), home("BAD", **fields)])
    assert [r.registration_id for r in batch.registrations] == ["OK"]
    (rejection,) = batch.rejected
    assert rejection.row == 3 and rejection.reason.startswith(f"{column}: ")
    assert "x" * 101 not in rejection.reason


def test_chinese_headers_and_values_of_the_new_columns(tmp_path: Path) -> None:
    """报名时间, 用人单位, 工种, 返乡原因 and 服务需求, with Chinese values (needs separated by
    、 or ;), in a workbook whose registration time is a date-time cell."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["编号", "方向", "出发地", "目的地", "最早日期", "最晚日期", "报名时间",
                  "用人单位", "工种", "返乡原因", "服务需求"])  # fmt: skip
    sheet.append(["R1", "返乡", "150203", "150121", "2022-11-21", "2022-11-23",
                  dt.datetime(2022, 11, 17, 9, 15), "鄂尔多斯某煤矿", "采矿", "欠薪",
                  "就业、维权"])  # fmt: skip
    sheet.append(["R2", "返乡", "150203", "150121", "2022-11-21", "2022-11-23", None, None,
                  None, "停工停产", "培训;创业"])  # fmt: skip
    book.save(tmp_path / "list.xlsx")
    batch = read_registrations(tmp_path / "list.xlsx")
    assert batch.issues == ()
    first, second = batch.registrations
    assert first.registered_at == dt.datetime(2022, 11, 17, 9, 15, tzinfo=CHINA_TIME)
    assert (first.employer, first.trade) == ("鄂尔多斯某煤矿", "采矿")
    assert first.return_reason is ReturnReason.UNPAID_WAGES
    assert first.needs == (Need.JOB, Need.RIGHTS)
    assert second.registered_at is None and second.employer is None
    assert second.return_reason is ReturnReason.STOPPAGE
    assert second.needs == (Need.TRAINING, Need.BUSINESS)

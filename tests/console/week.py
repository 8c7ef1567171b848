"""The week the browser tests walk, and the files they upload: a registrar's file with two
bad rows, and the same file fixed.

`STEPS` is the walkthrough of docs/console.md, step for step: the test takes a screenshot
at each, and checks that the page says what that step of the document tells the reader to
look for.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import SAMPLE

ROWS = 60
BAD_PHONE_ROW, BAD_DATE_ROW = 5, 9
"""The file's rows (the header is row 1) that the registrar gets wrong at first."""


@dataclass(frozen=True)
class Step:
    """One step of the walkthrough: its screenshot's name and its heading in the guide."""

    shot: str
    heading: str


STEPS = (
    Step("01-sign-in", "登录 Sign in"),
    Step("02-upload-check", "检查登记表 Check a registrations file"),
    Step("03-upload-saved", "改好并保存 Fix the rows and save"),
    Step("04-registrations", "登记列表和事件 The list and its events"),
    Step("05-registration", "一个人的经过 One registration's history"),
    Step("06-plan-start", "排车 Start a plan"),
    Step("07-plan-summary", "方案概况 The plan's summary"),
    Step("08-trip", "一车一方案 One trip's page"),
    Step("09-map", "地图 The map"),
    Step("10-replan-changes", "重新排车和通知名单 Re-plan and tell the people"),
    Step("11-publish", "发布 Publish"),
    Step("12-scenarios", "比较方案 Compare scenarios"),
    Step("13-reports", "周报和台账 Weekly tables and the ledger"),
    Step("14-viewer", "查看员看到的 What a viewer sees"),
)

EXTRA_SHOTS = ("plans-list", "scenarios-form", "refused")
"""Pages the walkthrough passes through besides its steps, shown at the guide's end."""


@dataclass(frozen=True)
class WeekFiles:
    """The registrar's two files and what the tests check against."""

    bad: Path
    fixed: Path
    ids: tuple[str, ...]
    names: tuple[str, ...]
    bad_phone: str


def week_files(
    folder: Path, area: str, other_area: str, first_day: str, last_day: str
) -> WeekFiles:
    """`ROWS` registrations of the sample touching `area` and not `other_area` (both ends
    given as adcodes) whose window starts in `first_day`..`last_day`, written as the
    registrar's file twice: with a bad phone and a bad date (`bad`), and right (`fixed`)."""

    def wanted(row: dict[str, str]) -> bool:
        ends = (row["origin"], row["destination"])
        return (
            all(end.isdigit() for end in ends)
            and any(end.startswith(area) for end in ends)
            and not any(end.startswith(other_area) for end in ends)
            and first_day <= row["earliest_date"] <= last_day
        )

    with (SAMPLE / "registrations.csv").open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        rows = [row for row in reader if wanted(row)][:ROWS]
    fixed = folder / "week-fixed.csv"
    _write(fixed, columns, rows)
    broken = [dict(row) for row in rows]
    bad_phone = "1380013800"  # ten digits: not a mobile number
    broken[BAD_PHONE_ROW - 2]["phone"] = bad_phone
    broken[BAD_DATE_ROW - 2]["earliest_date"] = "2022-11-31"
    bad = folder / "week.csv"
    _write(bad, columns, broken)
    return WeekFiles(
        bad=bad,
        fixed=fixed,
        ids=tuple(row["registration_id"] for row in rows),
        names=tuple(row["name"] for row in rows),
        bad_phone=bad_phone,
    )


def _write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)

"""The classified list (分类汇总清单): demand by origin county, destination, window and
employer, as a DataFrame, as a workbook, and from the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from pointplan.cli import main
from pointplan.domain import Place
from pointplan.exports import classified_list, write_classified_list
from pointplan.exports.classified import COLUMNS, HEADERS, SHEET, TOTAL
from tests.conftest import BAOTOU, BEIJING, HOHHOT, TUZUOQI, RegistrationFactory

DAY = dt.date(2022, 11, 21)
NEXT = DAY + dt.timedelta(days=1)


def test_groups_by_county_destination_window_and_employer(
    make_registration: RegistrationFactory,
) -> None:
    """Parties of one origin county, destination, window and employer are one row (people
    summed); another employer, window or county is another row; return-to-work comes
    first; a place given by coordinates without a county keeps its label."""
    steppe = Place(label="42.10000,112.00000", lat=42.1, lon=112.0, adcode=None)
    registrations = [
        make_registration(employer="包钢", party_size=2),
        make_registration(employer="包钢", party_size=3),
        make_registration(employer="鄂尔多斯煤矿", party_size=1),
        make_registration(employer="包钢", latest_date=NEXT),
        make_registration(origin=HOHHOT, employer="包钢"),
        make_registration(
            direction="return_home", origin=BEIJING, destination=TUZUOQI, party_size=4
        ),
        make_registration(origin=steppe, destination=BAOTOU),
    ]
    table = classified_list(registrations)
    assert list(table.columns) == list(COLUMNS)
    rows = [
        (r.direction, r.origin_adcode, r.destination_adcode, str(r.latest_date), r.employer,
         r.registrations, r.people)
        for r in table.itertuples()
    ]  # fmt: skip
    assert rows == [
        ("返岗", "", "150203", "2022-11-21", "", 1, 1),
        ("返岗", "150102", "150203", "2022-11-21", "包钢", 1, 1),
        ("返岗", "150121", "150203", "2022-11-21", "包钢", 2, 5),
        ("返岗", "150121", "150203", "2022-11-21", "鄂尔多斯煤矿", 1, 1),
        ("返岗", "150121", "150203", "2022-11-22", "包钢", 1, 1),
        ("返乡", "110105", "150121", "2022-11-21", "", 1, 4),
    ]
    assert table.iloc[0]["origin"] == "42.10000,112.00000"
    assert table.iloc[2]["origin"] == "呼和浩特市土默特左旗"
    assert table["people"].sum() == sum(r.party_size for r in registrations)


def test_the_workbook_has_bilingual_headers_and_a_total(
    make_registration: RegistrationFactory, tmp_path: Path
) -> None:
    """One sheet, the headers of `HEADERS`, dates as date cells, and a total row that adds
    up the registrations and people."""
    registrations = [make_registration(employer="包钢", party_size=2), make_registration()]
    write_classified_list(tmp_path / "list.xlsx", registrations)
    book = openpyxl.load_workbook(tmp_path / "list.xlsx")
    assert book.sheetnames == [SHEET]
    rows = list(book[SHEET].iter_rows(values_only=True))
    assert rows[0] == tuple(HEADERS[c] for c in COLUMNS)
    assert isinstance(rows[1][5], dt.datetime) and rows[1][5].date() == DAY
    assert rows[-1][0] == TOTAL and rows[-1][-2:] == (2, 3)


@pytest.mark.parametrize("keep_going", [False, True])
def test_the_command_line_writes_the_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keep_going: bool
) -> None:
    """`pointplan report classified` reads a list with Chinese headers and writes
    classified_list.xlsx; a bad row stops it (exit 2, naming the row) unless --keep-going."""
    source = tmp_path / "list.csv"
    source.write_text(
        "编号,方向,出发地,目的地,最早日期,最晚日期,人数,用人单位\n"
        "A1,返岗,150121,150203,2022-11-21,2022-11-22,2,包钢\n"
        "A2,返岗,150121,150203,2022-11-21,2022-11-22,3,包钢\n"
        "A3,返岗,150121,150203,2022-11-21,someday,1,包钢\n",
        encoding="utf-8",
    )
    args = ["report", "classified", str(source), "--out", str(tmp_path / "out")]
    code = main([*args, "--keep-going"] if keep_going else args)
    said = capsys.readouterr()
    assert "row 4" in said.err and "latest_date" in said.err
    if not keep_going:
        assert code == 2 and not (tmp_path / "out").exists()
        return
    assert code == 0 and "1 groups, 5 people" in said.out
    book = openpyxl.load_workbook(tmp_path / "out" / "classified_list.xlsx")
    assert list(book[SHEET].iter_rows(values_only=True))[-1][-2:] == (2, 5)

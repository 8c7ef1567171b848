"""Input: registrations, points, fleet and policy files; every error names row and column."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest

from pointplan.domain import Direction
from pointplan.domain.places import PointKind
from pointplan.io import (
    InputError,
    RegistrationTable,
    load_fleet,
    load_policy,
    read_points,
    read_registrations,
)

HEADER = (
    "registration_id,direction,origin,destination,earliest_date,latest_date,party_size,"
    "id_number,phone,pickup_point,dropoff_point"
)
GOOD = "R1,return_to_work,150121,150203,2022-11-21,2022-11-23,2,11010519491231002X,13812345678,,"
POINTS = "point_id,name,lat,lon,adcode\nBS-150121,土左旗汽车站,40.73,111.17,150121\n"


def write(tmp_path: Path, *rows: str, name: str = "regs.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    text = "\n".join((HEADER, *rows)) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_a_good_row_is_read_and_resolved(tmp_path: Path) -> None:
    """A valid row becomes a registration with real coordinates and its window."""
    batch = read_registrations(write(tmp_path, GOOD))
    assert batch.rejected == () and len(batch.registrations) == 1
    reg = batch.registrations[0]
    assert reg.direction is Direction.RETURN_TO_WORK
    assert reg.origin.adcode == "150121" and reg.destination.label == "包头市昆都仑区"
    assert reg.party_size == 2 and len(reg.window()) == 3
    assert reg.pickup == reg.origin and reg.dropoff == reg.destination


def test_bom_and_chinese_direction(tmp_path: Path) -> None:
    """A UTF-8 BOM is accepted and so are 返岗 / 返乡."""
    path = write(tmp_path, GOOD.replace("return_to_work", "返乡"), bom=True)
    batch = read_registrations(path)
    assert batch.registrations[0].direction is Direction.RETURN_HOME


def test_xlsx_and_dataframe_give_the_same_registrations(tmp_path: Path) -> None:
    """The same rows read from CSV, XLSX and a DataFrame give equal registrations."""
    csv_path = write(tmp_path, GOOD, GOOD.replace("R1", "R2").replace("150121", "土默特左旗"))
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    xlsx_path = tmp_path / "regs.xlsx"
    excel = frame.copy()
    excel["earliest_date"] = pd.to_datetime(excel["earliest_date"])  # as spreadsheets store dates
    excel["party_size"] = excel["party_size"].astype(int)
    excel.to_excel(xlsx_path, index=False)
    from_csv = read_registrations(csv_path).registrations
    assert read_registrations(frame).registrations == from_csv
    assert read_registrations(xlsx_path).registrations == from_csv


def test_reading_chooses_no_pickup_point(tmp_path: Path) -> None:
    """Reading decides nothing: without a named pickup point a row boards at its origin until
    `build_problem` chooses (tests/test_builder.py); a named point is where it boards."""
    points_path = tmp_path / "points.csv"
    points_path.write_text(POINTS, encoding="utf-8")
    points = read_points(points_path)
    batch = read_registrations(write(tmp_path, GOOD), points=points)
    reg = batch.registrations[0]
    assert reg.pickup == reg.origin and reg.pickup_point_id is None
    named = read_registrations(write(tmp_path, GOOD[:-2] + ",BS-150121,"), points=points)
    assert named.registrations[0].pickup == points[0]
    assert named.registrations[0].pickup_point_id == "BS-150121"


def _as(kind: str, frame: pd.DataFrame, tmp_path: Path) -> RegistrationTable:
    """`frame` as a table of the given kind: a CSV or XLSX file, the DataFrame, or records."""
    if kind in ("csv", "xlsx"):
        path = tmp_path / f"table.{kind}"
        if kind == "csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_excel(path, index=False)
        return path
    return frame if kind == "dataframe" else frame.to_dict("records")


@pytest.mark.parametrize("kind", ["csv", "xlsx", "dataframe", "records"])
def test_an_unknown_column_is_refused_naming_it(tmp_path: Path, kind: str) -> None:
    """A misspelt column (party_sise) would make every party 1 without a word: every kind of
    table refuses it, naming the column and the one it resembles."""
    frame = pd.read_csv(write(tmp_path, GOOD), dtype=str, keep_default_na=False)
    misspelt = frame.rename(columns={"party_size": "party_sise"})
    with pytest.raises(InputError) as error:
        read_registrations(_as(kind, misspelt, tmp_path))
    assert "unknown column(s): party_sise (did you mean 'party_size'?)" in str(error.value)


def test_records_read_like_a_file(tmp_path: Path) -> None:
    """A list of dicts (what the HTTP API receives) gives the registrations a file gives."""
    path = write(tmp_path, GOOD, GOOD.replace("R1", "R2").replace(",2,", ",,"))
    records = pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records")
    assert read_registrations(records).registrations == read_registrations(path).registrations


@pytest.mark.parametrize(
    ("row", "column", "pattern"),
    [
        (
            "R1,return_to_work,150121,150203,2022-13-01,2022-11-23,1,,,,",
            "earliest_date",
            "not a calendar date",
        ),
        (
            "R1,return_to_work,150121,150203,21/11/2022,2022-11-23,1,,,,",
            "earliest_date",
            "not a date",
        ),
        (
            "R1,return_to_work,150121,150203,2022-11-25,2022-11-23,1,,,,",
            "earliest_date",
            "after latest_date",
        ),
        (
            "R1,return_to_work,火星,150203,2022-11-21,2022-11-23,1,,,,",
            "origin",
            "not a known place",
        ),
        ("R1,return_to_work,150121,新城区,2022-11-21,2022-11-23,1,,,,", "destination", "ambiguous"),
        (
            "R1,return_to_work,150121,150203,2022-11-21,2022-11-23,1,,,BS-9,",
            "pickup_point",
            "no such point",
        ),
        (
            "R1,return_to_work,150121,150203,2022-11-21,2022-11-23,1,,,,EG-9",
            "dropoff_point",
            "no such point",
        ),
        (
            "R1,return_to_work,150121,150203,2022-11-21,2022-11-23,0,,,,",
            "party_size",
            "less than 1",
        ),
        (
            "R1,return_to_work,150121,150203,2022-11-21,2022-11-23,1.5,,,,",
            "party_size",
            "whole number",
        ),
        (
            "R1,return_to_work,150121,150203,2022-11-21,2022-11-23,1,110105194912310021,,,",
            "id_number",
            "check digit",
        ),
        (
            "R1,return_to_work,150121,150203,2022-11-21,2022-11-23,1,,12345,,",
            "phone",
            "not a mobile",
        ),
        (
            "R1,back_to_work,150121,150203,2022-11-21,2022-11-23,1,,,,",
            "direction",
            "not return_to_work",
        ),
        (
            ",return_to_work,150121,150203,2022-11-21,2022-11-23,1,,,,",
            "registration_id",
            "empty registration_id",
        ),
    ],
)
def test_each_bad_value_names_row_and_column(
    tmp_path: Path, row: str, column: str, pattern: str
) -> None:
    """Each kind of bad value is rejected with a message naming row 3 and its column."""
    batch = read_registrations(write(tmp_path, GOOD.replace("R1", "R0"), row))
    assert [r.registration_id for r in batch.registrations] == ["R0"]
    assert len(batch.rejected) == 1 and batch.rejected[0].row == 3
    messages = [str(issue) for issue in batch.issues]
    assert any(f"row 3, column {column}:" in m and pattern in m for m in messages), messages
    assert column in batch.rejected[0].reason


def test_duplicate_id_names_both_rows(tmp_path: Path) -> None:
    """A repeated registration_id is rejected on its second row, naming the first."""
    batch = read_registrations(write(tmp_path, GOOD, GOOD))
    assert len(batch.registrations) == 1
    assert [str(i) for i in batch.issues] == [
        "regs.csv, row 3, column registration_id: duplicate registration_id (first on row 2)"
    ]


def test_personal_data_is_not_in_messages_or_reprs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither an id number nor a phone appears in messages, logs or a registration's repr."""
    caplog.set_level(logging.DEBUG)
    bad = GOOD.replace("R1", "R2").replace("11010519491231002X", "110105194912310021")
    batch = read_registrations(write(tmp_path, GOOD, bad))
    text = " ".join(map(str, batch.issues)) + repr(batch.registrations) + caplog.text
    for secret in ("11010519491231002X", "110105194912310021", "13812345678"):
        assert secret not in text


def test_coordinates_win_over_the_place_name(tmp_path: Path) -> None:
    """origin_lat/origin_lon give the origin; half a pair is an error on that column."""
    frame = pd.DataFrame(
        [
            {
                "registration_id": "R1",
                "direction": "return_home",
                "origin": "",
                "origin_lat": "40.1",
                "origin_lon": "111.2",
                "destination": "150121",
                "earliest_date": "2022-11-21",
                "latest_date": "2022-11-21",
            },
            {
                "registration_id": "R2",
                "direction": "return_home",
                "origin": "",
                "origin_lat": "40.1",
                "origin_lon": "",
                "destination": "150121",
                "earliest_date": "2022-11-21",
                "latest_date": "2022-11-21",
            },
        ]
    )
    batch = read_registrations(frame)
    assert (batch.registrations[0].origin.lat, batch.registrations[0].origin.lon) == (40.1, 111.2)
    assert any("row 3, column origin_lon" in str(i) for i in batch.issues)


def test_missing_column_is_a_file_error(tmp_path: Path) -> None:
    """A table without a required column stops with the column's name."""
    path = tmp_path / "r.csv"
    path.write_text("registration_id,direction,origin,destination,latest_date\n", "utf-8")
    with pytest.raises(InputError, match=r"missing column.*earliest_date"):
        read_registrations(path)


def test_missing_file_and_non_utf8(tmp_path: Path) -> None:
    """A missing file and a GBK-encoded file are clear errors, not tracebacks."""
    with pytest.raises(InputError, match="no such file"):
        read_registrations(tmp_path / "nope.csv")
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + "\n" + GOOD.replace("150121", "土默特左旗")).encode("gbk"))
    with pytest.raises(InputError, match="UTF-8"):
        read_registrations(path)


# --- points, fleet and policy files -----------------------------------------------------------


def test_an_unknown_points_column_is_refused(tmp_path: Path) -> None:
    """A misspelt points column (adcod) is refused naming it, as in the registrations."""
    path = tmp_path / "points.csv"
    path.write_text(POINTS.replace("adcode", "adcod"), encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown column\(s\): adcod \(did you mean 'adcode'"):
        read_points(path)


def test_points_errors_name_row_and_column(tmp_path: Path) -> None:
    """Bad coordinates and duplicate ids in the points file name row and column."""
    path = tmp_path / "points.csv"
    path.write_text(POINTS + "BS-150121,again,40,111,\nX,bad,91,abc,\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_points(path)
    text = str(error.value)
    assert "row 3, column point_id: duplicate point_id (first on row 2)" in text
    assert "row 4, column lat: outside -90..90" in text
    assert "row 4, column lon: not a number" in text


def test_points_carry_their_kind(tmp_path: Path) -> None:
    """`kind` is stop (the default, also for an empty cell), hub or station, in any case; any
    other value is refused naming the row, the column and the choices."""
    path = tmp_path / "points.csv"
    path.write_text(
        "point_id,name,lat,lon,adcode,kind\n"
        "A,stop,40,111,150121,\nB,hub,40.1,111,150121,Hub\nC,station,40.2,111,150121,station\n",
        encoding="utf-8",
    )
    assert [p.kind for p in read_points(path)] == [PointKind.STOP, PointKind.HUB, PointKind.STATION]
    path.write_text(
        "point_id,name,lat,lon,adcode,kind\nA,x,40,111,150121,depot\n", encoding="utf-8"
    )
    with pytest.raises(
        InputError, match="row 2, column kind: kind must be one of stop, hub, station"
    ):
        read_points(path)


def test_misspelled_policy_key_names_the_key(tmp_path: Path) -> None:
    """A typo in a policy key is refused with a suggestion of the real key."""
    path = tmp_path / "policy.yaml"
    path.write_text("max_load_factr: 0.75\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_policy(path)
    assert (
        "column max_load_factr: unknown key 'max_load_factr' (did you mean "
        "'max_load_factor'?)" in str(error.value)
    )


def test_bad_policy_value_names_the_key(tmp_path: Path) -> None:
    """An out-of-range value names its key."""
    path = tmp_path / "policy.json"
    path.write_text('{"max_load_factor": 1.5}', encoding="utf-8")
    with pytest.raises(InputError, match="max_load_factor"):
        load_policy(path)


def test_policy_file_reads_values(tmp_path: Path) -> None:
    """Keys given in the file are used; the rest keep their defaults."""
    path = tmp_path / "policy.yaml"
    path.write_text("max_load_factor: 0.75\ncheckerboard: true\n", encoding="utf-8")
    policy = load_policy(path)
    assert (policy.max_load_factor, policy.checkerboard, policy.max_pickups) == (0.75, True, 3)


def test_fleet_errors_name_the_vehicle_and_key(tmp_path: Path) -> None:
    """Bad layouts, rated seats over the layout and duplicate names are named by position."""
    path = tmp_path / "fleet.yaml"
    path.write_text(
        "vehicle_types:\n"
        "  - {name: a, layout: ['AB|CD', 'ab'], rated_seats: 4}\n"
        "  - {name: b, layout: ['AB'], rated_seats: 5}\n"
        "  - {name: c, layout: ['AB'], rated_seats: 2, seats: 3}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as error:
        load_fleet(path)
    text = str(error.value)
    assert "vehicle_types[0].layout" in text and "row 2 'ab'" in text
    assert "vehicle_types[1]" in text and "more than the 2 seats" in text
    assert "unknown key 'seats'" in text


def test_default_fleet_when_no_file() -> None:
    """Without a fleet file the shipped fleet is used."""
    assert [vt.name for vt in load_fleet(None).vehicle_types][:3] == [
        "coach-53",
        "coach-49",
        "coach-45",
    ]


def test_trailing_comma_is_harmless(tmp_path: Path) -> None:
    """Rows ending in an extra empty field (a trailing comma) read as if it were not there."""
    path = tmp_path / "r.csv"
    path.write_text(HEADER + ",\n" + GOOD + ",\n", encoding="utf-8")
    batch = read_registrations(path)
    assert batch.rejected == () and batch.registrations[0].party_size == 2


def test_extra_fields_reject_the_row_without_its_values(tmp_path: Path) -> None:
    """A row with more fields than the header is refused by row number; nothing shifts."""
    batch = read_registrations(write(tmp_path, GOOD, GOOD.replace("R1", "R2") + ",张三"))
    assert [r.registration_id for r in batch.registrations] == ["R1"]
    assert batch.rejected[0].row == 3 and "12 fields where the header has 11" in (
        batch.rejected[0].reason
    )
    assert "张三" not in batch.rejected[0].reason


def test_blank_lines_keep_row_numbers(tmp_path: Path) -> None:
    """A blank line is skipped but counted: the bad row after it is named by its real row."""
    bad = GOOD.replace("R1", "R2").replace("2022-11-21", "2022-02-30")
    batch = read_registrations(write(tmp_path, GOOD, "", bad))
    assert batch.rejected[0].row == 4


def test_nullable_dataframe_columns_are_empty_not_na() -> None:
    """Missing values in pandas' nullable dtypes read as empty cells (party size 1)."""
    frame = pd.DataFrame(
        {
            "registration_id": ["R1"],
            "direction": ["return_home"],
            "origin": ["150203"],
            "destination": ["150121"],
            "earliest_date": ["2022-11-21"],
            "latest_date": ["2022-11-21"],
            "party_size": pd.array([None], dtype="Int64"),
            "phone": pd.array([None], dtype="string"),
        }
    )
    batch = read_registrations(frame)
    assert batch.rejected == () and batch.registrations[0].party_size == 1


@pytest.mark.parametrize(
    ("cell", "pattern"),
    [("1_0", "whole number"), ("1e9", "whole number"), ("500", "more than 99")],
)
def test_odd_party_sizes(tmp_path: Path, cell: str, pattern: str) -> None:
    """Python-only number forms and absurd sizes are refused."""
    batch = read_registrations(write(tmp_path, GOOD.replace(",2,", f",{cell},")))
    assert pattern in batch.rejected[0].reason


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01"])
def test_implausible_dates(tmp_path: Path, date: str) -> None:
    """Dates far outside this century are refused by row and column."""
    batch = read_registrations(write(tmp_path, GOOD.replace("2022-11-23", date)))
    assert "latest_date" in batch.rejected[0].reason and "outside" in batch.rejected[0].reason


def test_empty_file_is_a_file_error(tmp_path: Path) -> None:
    """An empty file is a clear error."""
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        read_registrations(path)


@pytest.mark.parametrize(
    "text", ["departure_time: 10:30", "departure_time: '10:30'", "departure_time: 8:00"]
)
def test_unquoted_yaml_times_read_as_clock_times(tmp_path: Path, text: str) -> None:
    """YAML's base-60 numbers (10:30 -> 630) are read as the clock times people meant."""
    path = tmp_path / "policy.yaml"
    path.write_text(text + "\n", encoding="utf-8")
    expected = text.split(": ", 1)[1].strip("'")
    assert load_policy(path).departure_time.strftime("%H:%M").lstrip("0") == expected.lstrip("0")


def test_numeric_or_zoned_times_are_refused(tmp_path: Path) -> None:
    """A number or a time with a zone for a clock time is bad input naming the key."""
    path = tmp_path / "policy.json"
    path.write_text('{"night_start": 630}', encoding="utf-8")
    with pytest.raises(InputError, match=r"night_start.*HH:MM"):
        load_policy(path)
    path.write_text('{"night_start": "21:00+08:00"}', encoding="utf-8")
    with pytest.raises(InputError, match=r"night_start.*time zone"):
        load_policy(path)

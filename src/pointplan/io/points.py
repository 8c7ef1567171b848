"""The points file: pickup and drop-off points (stations, assembly and reception points)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pointplan.domain.places import Point, PointKind
from pointplan.domain.text import id_problem, text_problem
from pointplan.io.errors import InputError, InputIssue
from pointplan.io.tables import read_columned_table

REQUIRED = ("point_id", "name", "lat", "lon")
COLUMNS = (*REQUIRED, "adcode", "kind")
"""Every column of the points table."""
KINDS = ", ".join(kind.value for kind in PointKind)
"""The values `kind` may take, as an error names them."""


def read_points(source: Path | str | pd.DataFrame) -> tuple[Point, ...]:
    """Read and validate points; raises `InputError` naming every bad row and column (and
    any column the points table does not have)."""
    table = read_columned_table(
        source if isinstance(source, pd.DataFrame) else Path(source), REQUIRED, COLUMNS
    )
    name = table.name
    issues: list[InputIssue] = []
    points: list[Point] = []
    first_row: dict[str, int] = {}
    issues.extend(InputIssue(name, why, row) for row, why in table.unreadable)
    for item in table.records:
        row, record = item.row, item.cells
        point_id = record["point_id"].strip()
        row_issues = [
            InputIssue(name, message, row, column)
            for column, text in record.items()
            if (message := text_problem(text))
        ]
        if row_issues:  # text that cannot be stored is judged no further
            issues.extend(row_issues)
            continue
        if not point_id:
            row_issues.append(InputIssue(name, "empty point_id", row, "point_id"))
        elif id_problem(point_id):
            row_issues.append(InputIssue(name, str(id_problem(point_id)), row, "point_id"))
        elif point_id in first_row:
            row_issues.append(
                InputIssue(
                    name,
                    f"duplicate point_id (first on row {first_row[point_id]})",
                    row,
                    "point_id",
                )
            )
        else:
            first_row[point_id] = row
        if not record["name"].strip():
            row_issues.append(InputIssue(name, "empty name", row, "name"))
        coordinates = {}
        for column, limit in (("lat", 90.0), ("lon", 180.0)):
            try:
                value = float(record[column])
            except ValueError:
                row_issues.append(InputIssue(name, "not a number", row, column))
                continue
            if not -limit <= value <= limit:
                row_issues.append(InputIssue(name, f"outside -{limit:g}..{limit:g}", row, column))
            coordinates[column] = value
        kind = (record.get("kind") or "").strip().lower() or PointKind.STOP.value
        if kind not in {k.value for k in PointKind}:
            row_issues.append(InputIssue(name, f"kind must be one of {KINDS}", row, "kind"))
        if row_issues:
            issues.extend(row_issues)
            continue
        adcode = (record.get("adcode") or "").strip() or None
        points.append(
            Point(
                point_id=point_id,
                label=record["name"].strip(),
                adcode=adcode,
                kind=PointKind(kind),
                **coordinates,
            )
        )
    if issues:
        raise InputError(issues)
    return tuple(points)

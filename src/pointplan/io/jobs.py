"""The jobs file: openings posted by employers or counties for returnees (docs/hr.md)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from pointplan.domain.jobs import JobPosting
from pointplan.domain.text import id_problem, text_problem
from pointplan.geo.gazetteer import PlaceNotFound, default_gazetteer
from pointplan.io.errors import InputError, InputIssue
from pointplan.io.tables import read_columned_table

REQUIRED = ("job_id", "employer", "county", "openings", "wage")
COLUMNS = (*REQUIRED, "trade", "max_km")
"""Every column of the jobs table."""


def read_jobs(source: Path | str | pd.DataFrame) -> tuple[JobPosting, ...]:
    """Read and validate job postings; raises `InputError` naming every bad row and column
    (and any column the jobs table does not have)."""
    table = read_columned_table(
        source if isinstance(source, pd.DataFrame) else Path(source), REQUIRED, COLUMNS
    )
    name = table.name
    issues = [InputIssue(name, why, row) for row, why in table.unreadable]
    jobs: list[JobPosting] = []
    first_row: dict[str, int] = {}
    for item in table.records:
        row, record = item.row, {k: v.strip() for k, v in item.cells.items()}
        row_issues = [
            InputIssue(name, message, row, column)
            for column, text in record.items()
            if (message := text_problem(text))
        ]
        job_id = record["job_id"]
        if not row_issues and id_problem(job_id):
            row_issues.append(InputIssue(name, str(id_problem(job_id)), row, "job_id"))
        elif job_id in first_row:
            row_issues.append(
                InputIssue(name, f"duplicate job_id (first on row {first_row[job_id]})", row,
                           "job_id")
            )  # fmt: skip
        if row_issues:
            issues.extend(row_issues)
            continue
        first_row[job_id] = row
        if not is_county(record["county"]):
            issues.append(InputIssue(name, "not a county's 6-digit adcode", row, "county"))
            continue
        values = {key: value for key, value in record.items() if value != "" or key == "trade"}
        try:
            jobs.append(JobPosting.model_validate(values))
        except ValidationError as error:
            for problem in error.errors():
                column = str(problem["loc"][0]) if problem["loc"] else ""
                issues.append(InputIssue(name, problem["msg"], row, column))
    if issues:
        raise InputError(issues)
    return tuple(jobs)


def is_county(code: str) -> bool:
    """Whether `code` is the 6-digit adcode of a county of the place table."""
    try:
        return len(code) == 6 and default_gazetteer().unit_for_code(code).level == 3
    except PlaceNotFound:
        return False

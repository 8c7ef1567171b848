"""Input problems, each naming the file, row and column it is about."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class InputIssue:
    """One thing wrong with the input. `row` counts the header as row 1, as spreadsheets do."""

    source: str
    message: str
    row: int | None = None
    column: str | None = None
    registration_id: str | None = None

    def __str__(self) -> str:
        where = [self.source]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


class InputError(ValueError):
    """The input cannot be used as it is; `issues` says where and why."""

    def __init__(self, issues: Sequence[InputIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))

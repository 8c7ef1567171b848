"""Rows saved by their key: created when new, updated field by field (with who and when)
when stored already."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pointplan.store import models


def save_by_key(
    session: Session,
    model: type[models.Point] | type[models.JobPostingRow],
    key: str,
    items: Sequence[Mapping[str, Any]],
    actor: str,
) -> tuple[int, int]:
    """Create or update a row of `model` (a table with `updated_at` and `updated_by`) for
    each of `items` by its `key` column; (created, updated)."""
    column = getattr(model, key)
    ids = [item[key] for item in items]
    stored: dict[str, Any] = {
        getattr(row, key): row for row in session.scalars(select(model).where(column.in_(ids)))
    }
    created = updated = 0
    for item in items:
        row = stored.get(item[key])
        if row is None:
            row = model(**item, updated_by=actor)
            session.add(row)
            stored[item[key]] = row
            created += 1
        else:
            for name, value in item.items():
                setattr(row, name, value)
            row.updated_at, row.updated_by = models.utc_now(), actor
            updated += 1
    return created, updated

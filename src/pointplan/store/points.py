"""Points in the database: saved by id, read back as domain points for the readers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pointplan.domain.places import Point, PointKind
from pointplan.store import models
from pointplan.store.audit import audit


def save_points(
    session: Session, points: Sequence[Mapping[str, Any]], actor: str
) -> tuple[int, int]:
    """Create or update each point by `point_id`; (created, updated)."""
    ids = [point["point_id"] for point in points]
    stored = {
        p.point_id: p
        for p in session.scalars(select(models.Point).where(models.Point.point_id.in_(ids)))
    }
    created = updated = 0
    for point in points:
        row = stored.get(point["point_id"])
        if row is None:
            row = models.Point(**point, updated_by=actor)
            session.add(row)
            stored[row.point_id] = row
            created += 1
        else:
            for name, value in point.items():
                setattr(row, name, value)
            row.updated_at, row.updated_by = models.utc_now(), actor
            updated += 1
    audit(session, actor, "points.save", f"{len(points)} points")
    return created, updated


def stored_adcodes(session: Session, point_ids: Sequence[str]) -> dict[str, str]:
    """The stored adcode of each of `point_ids` that is stored."""
    rows = session.execute(
        select(models.Point.point_id, models.Point.adcode).where(
            models.Point.point_id.in_(point_ids)
        )
    )
    return {point_id: adcode for point_id, adcode in rows}


def load_points(session: Session) -> tuple[Point, ...]:
    """Every stored point, as the registrations reader takes them."""
    return tuple(
        Point(
            point_id=p.point_id,
            label=p.name,
            lat=p.lat,
            lon=p.lon,
            adcode=p.adcode or None,
            kind=PointKind(p.kind),
        )
        for p in session.scalars(select(models.Point).order_by(models.Point.point_id))
    )

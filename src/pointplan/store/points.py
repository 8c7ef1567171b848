"""Points in the database: saved by id, read back as domain points for the readers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pointplan.domain.places import Point, PointKind
from pointplan.store import models
from pointplan.store.audit import audit
from pointplan.store.saving import save_by_key


def save_points(
    session: Session, points: Sequence[Mapping[str, Any]], actor: str
) -> tuple[int, int]:
    """Create or update each point by `point_id`; (created, updated)."""
    created, updated = save_by_key(session, models.Point, "point_id", points, actor)
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


def points_version(session: Session) -> str:
    """A version of the stored points that moves whenever one is saved (their count and
    latest update time): every service process sees it, so a process that did not save the
    points still reads them again."""
    count, latest = session.execute(select(func.count(), func.max(models.Point.updated_at))).one()
    return f"{count}:{latest.isoformat() if latest else ''}"


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

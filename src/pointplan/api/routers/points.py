"""POST /v1/points: stations, assembly and reception points, created or updated by id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Request, status

from pointplan.api.auth import DB, Caller
from pointplan.api.schemas import PointIn, PointsSaved, error_responses
from pointplan.store.points import save_points, stored_adcodes

router = APIRouter(
    prefix="/v1/points", tags=["points"], responses=error_responses(401, 403, 413, 415)
)


@router.post("", summary="create or update points by point_id")
def post_points(
    request: Request, caller: Caller, db: DB, points: Annotated[list[PointIn], Body()]
) -> PointsSaved:
    """Admins and planners; a planner only for points whose adcode lies in its area, both
    the new adcode and, for a point stored already, the stored one (403 otherwise)."""
    caller.require("planner")
    for point in points:
        caller.require_area(point.adcode)
    with db.session() as session:
        for point_id, adcode in stored_adcodes(session, [p.point_id for p in points]).items():
            if not caller.reaches(adcode):
                raise HTTPException(
                    status.HTTP_403_FORBIDDEN,
                    f"point {point_id} lies outside your area {caller.area}",
                )
        created, updated = save_points(session, [p.model_dump() for p in points], caller.name)
    return PointsSaved(created=created, updated=updated)

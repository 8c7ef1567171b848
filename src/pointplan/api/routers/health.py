"""GET /healthz: whether the service and its database answer."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import text

from pointplan.api.auth import DB
from pointplan.api.schemas import error_responses

router = APIRouter(tags=["health"], responses=error_responses(503))


@router.get("/healthz", summary="200 when the service and its database answer")
def healthz(db: DB) -> dict[str, str]:
    """No token needed."""
    try:
        with db.session() as session:
            session.execute(text("SELECT 1"))
    except Exception as error:  # any database failure is "not healthy", said plainly
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "the database does not answer"
        ) from error
    return {"status": "ok"}

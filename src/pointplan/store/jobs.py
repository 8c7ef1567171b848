"""Job postings in the database: saved by `job_id`, read back as the domain's postings."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from pointplan.domain.jobs import JobPosting
from pointplan.store import models
from pointplan.store.audit import audit
from pointplan.store.saving import save_by_key


def save_postings(session: Session, postings: Sequence[JobPosting], actor: str) -> tuple[int, int]:
    """Create or update each posting by `job_id`; (created, updated)."""
    items = [posting.model_dump() for posting in postings]
    created, updated = save_by_key(session, models.JobPostingRow, "job_id", items, actor)
    audit(session, actor, "jobs.save", f"{len(postings)} postings")
    return created, updated


def stored_counties(session: Session, job_ids: Sequence[str]) -> dict[str, str]:
    """The stored county of each of `job_ids` that is stored."""
    rows = session.execute(
        select(models.JobPostingRow.job_id, models.JobPostingRow.county).where(
            models.JobPostingRow.job_id.in_(list(job_ids))
        )
    )
    return {job_id: county for job_id, county in rows}


def stored_postings(session: Session, area: str = "") -> tuple[JobPosting, ...]:
    """The stored postings whose county lies in `area` ("" every one), by `job_id`."""
    query = select(models.JobPostingRow).order_by(models.JobPostingRow.job_id)
    if area:
        query = query.where(models.JobPostingRow.county.startswith(area))
    return tuple(
        JobPosting(
            job_id=row.job_id,
            employer=row.employer,
            county=row.county,
            trade=row.trade,
            openings=row.openings,
            wage=row.wage,
            max_km=row.max_km,
        )
        for row in session.scalars(query)
    )


def delete_posting(session: Session, job_id: str, actor: str) -> bool:
    """Remove a posting (filled or withdrawn); whether there was one."""
    row = session.get(models.JobPostingRow, job_id)
    if row is None:
        return False
    session.delete(row)
    audit(session, actor, "jobs.delete", job_id)
    return True

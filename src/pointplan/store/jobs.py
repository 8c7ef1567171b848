"""Job postings in the database: saved by `job_id`, read back as the domain's postings."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from pointplan.domain.jobs import JobPosting
from pointplan.store import models
from pointplan.store.audit import audit


def save_postings(session: Session, postings: Sequence[JobPosting], actor: str) -> tuple[int, int]:
    """Create or update each posting by `job_id`; (created, updated)."""
    ids = [posting.job_id for posting in postings]
    stored = {
        row.job_id: row
        for row in session.scalars(
            select(models.JobPostingRow).where(models.JobPostingRow.job_id.in_(ids))
        )
    }
    created = updated = 0
    for posting in postings:
        values = posting.model_dump()
        row = stored.get(posting.job_id)
        if row is None:
            row = models.JobPostingRow(**values, updated_by=actor)
            session.add(row)
            stored[posting.job_id] = row
            created += 1
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at, row.updated_by = models.utc_now(), actor
            updated += 1
    audit(session, actor, "jobs.save", f"{len(postings)} postings")
    return created, updated


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

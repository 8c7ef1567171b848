"""Finding registrations by id number or phone, for the hotline ("which bus am I on?").

Each stored registration keeps the keyed hashes of its id number and phone
(`Sealer.lookup_hash`); a lookup hashes what the caller gives under every data key and
matches the columns, so no value is ever compared or stored in clear.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import literal, or_, select
from sqlalchemy.orm import Session, defer

from pointplan.store import models
from pointplan.store.registrations import HASH_COLUMNS, hash_columns, touching
from pointplan.store.sealing import Sealer

MAX_MATCHES = 20
"""The most registrations one lookup answers (a phone may be a family's)."""
_BACKFILL_BATCH = 1_000


def find_registrations(
    session: Session, sealer: Sealer, field: str, value: str, area: str
) -> list[models.Registration]:
    """The registrations touching `area` whose `field` (id_number or phone) is `value`, at
    most `MAX_MATCHES`, in registration_id order."""
    column = getattr(models.Registration, HASH_COLUMNS[field])
    hashes = [h for h in sealer.lookup_hashes(field, value) if h]
    if not hashes:
        return []
    return list(
        session.scalars(
            select(models.Registration)
            .where(column.in_(hashes), touching(area))
            .order_by(models.Registration.registration_id)
            .limit(MAX_MATCHES)
        )
    )


def hash_unhashed(session: Session, sealer: Sealer) -> int:
    """Hash the id numbers and phones of the registrations stored before their hashes were
    kept (NULL hash columns); how many. The service does it when it starts."""
    done = 0
    unhashed = or_(
        models.Registration.id_number_hash.is_(None), models.Registration.phone_hash.is_(None)
    )
    while True:
        rows = session.scalars(select(models.Registration).where(unhashed).limit(_BACKFILL_BATCH))
        batch = list(rows)
        if not batch:
            return done
        for row in batch:
            for column, value in hash_columns(sealer, sealer.open(row.fields)).items():
                setattr(row, column, value)
        session.flush()
        done += len(batch)


def newest_plans_holding(
    session: Session, row: models.Registration, limit: int
) -> list[models.PlanJob]:
    """The newest `limit` done plans whose area holds one end of `row` and whose dates meet
    its window (their plan.json deferred), newest first."""
    return newest_done_plans(
        session, (row.origin_adcode, row.destination_adcode), row.earliest_date,
        row.latest_date, limit,
    )  # fmt: skip


def newest_done_plans(
    session: Session,
    ends: Sequence[str],
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = 1,
) -> list[models.PlanJob]:
    """The newest `limit` done plans whose area holds one of the adcodes `ends` (and whose
    dates meet `date_from`..`date_to` when given), their plan.json deferred, newest first."""
    held = [literal(end).startswith(models.PlanJob.area, autoescape=False) for end in ends]
    query = (
        select(models.PlanJob)
        .options(defer(models.PlanJob.result))
        .where(models.PlanJob.status == models.JobState.DONE.value, or_(*held))
    )
    if date_from is not None and date_to is not None:
        query = query.where(
            models.PlanJob.date_from <= date_to, models.PlanJob.date_to >= date_from
        )
    order = (models.PlanJob.created_at.desc(), models.PlanJob.plan_id.desc())
    return list(session.scalars(query.order_by(*order).limit(limit)))

"""Stored registrations and their events read back as the domain's: registrations opened
and read through the same validation as a file's rows, events as status events."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from pointplan.domain.events import EventKind, StatusEvent
from pointplan.domain.registration import Direction, Registration
from pointplan.io import REGISTRATION_COLUMNS
from pointplan.io.registrations import read_registrations
from pointplan.store import models
from pointplan.store.points import load_points
from pointplan.store.registrations import touching
from pointplan.store.sealing import Sealer

CHUNK = 1000
"""Ids per `IN (...)` query."""
_EVENT_KINDS = frozenset(kind.value for kind in EventKind)


def table_record(row: models.Registration, sealer: Sealer) -> dict[str, str]:
    """A stored registration opened with `sealer`, as a registrations table's row (every
    column, as text; "" for none)."""
    fields = sealer.open(row.fields)
    return {c: "" if fields.get(c) is None else str(fields[c]) for c in REGISTRATION_COLUMNS}


def opened_registrations(
    session: Session, rows: Iterable[models.Registration], sealer: Sealer
) -> tuple[Registration, ...]:
    """`rows` opened with `sealer` and read as a file's rows (for their places, names, id
    numbers and phones), in the order given; one that no longer reads is left out."""
    records = [table_record(row, sealer) for row in rows]
    if not records:
        return ()
    table = pd.DataFrame(records, columns=list(REGISTRATION_COLUMNS))
    return read_registrations(table, points=load_points(session)).registrations


def registrations_by_id(
    session: Session, ids: Sequence[str], sealer: Sealer
) -> tuple[Registration, ...]:
    """The stored registrations of `ids` that exist, opened (see `opened_registrations`)."""
    ordered = sorted(set(ids))
    rows: list[models.Registration] = []
    for start in range(0, len(ordered), CHUNK):
        rows.extend(
            session.scalars(
                select(models.Registration)
                .where(models.Registration.registration_id.in_(ordered[start : start + CHUNK]))
                .order_by(models.Registration.registration_id)
            )
        )
    return opened_registrations(session, rows, sealer)


def registrations_touching(
    session: Session,
    area: str,
    sealer: Sealer,
    direction: Direction | None = None,
) -> tuple[Registration, ...]:
    """The stored registrations with an end in `area` ("" everywhere), of `direction` when
    given, opened, by id."""
    query = select(models.Registration).order_by(models.Registration.registration_id)
    if area:
        query = query.where(touching(area))
    if direction is not None:
        query = query.where(models.Registration.direction == direction.value)
    return opened_registrations(session, session.scalars(query), sealer)


def registrations_at(session: Session, area: str, sealer: Sealer) -> tuple[Registration, ...]:
    """The stored registrations with an end whose adcode is `area` itself (a league's or the
    region's code: the people whose county is not known), opened, by id."""
    query = (
        select(models.Registration)
        .where(
            (models.Registration.origin_adcode == area)
            | (models.Registration.destination_adcode == area)
        )
        .order_by(models.Registration.registration_id)
    )
    return opened_registrations(session, session.scalars(query), sealer)


def stored_events(session: Session, registration_ids: Sequence[str]) -> list[StatusEvent]:
    """The status events of `registration_ids` (the journey, the follow-up and the ledger's
    steps; not the service's own registered, updated and planned), as the weekly tables and
    the ledger read them: Beijing time, in the order of their times and recording."""
    ordered = sorted(set(registration_ids))
    events: list[StatusEvent] = []
    for start in range(0, len(ordered), CHUNK):
        rows = session.scalars(
            select(models.RegistrationEvent)
            .where(
                models.RegistrationEvent.registration_id.in_(ordered[start : start + CHUNK]),
                models.RegistrationEvent.kind.in_(sorted(_EVENT_KINDS)),
            )
            .order_by(models.RegistrationEvent.time, models.RegistrationEvent.id)
        )
        events.extend(_status_event(row) for row in rows)
    return sorted(events, key=lambda e: e.time)


def _status_event(row: models.RegistrationEvent) -> StatusEvent:
    changes = row.changes or {}
    window = {
        key: changes[key]["to"]
        for key in ("earliest_date", "latest_date")
        if isinstance(changes.get(key), dict)
    }
    return StatusEvent(
        registration_id=row.registration_id,
        event=EventKind(row.kind),
        time=models.beijing_time(row.time),
        place=row.place,
        note=row.note,
        reason=row.reason,
        result=row.result,
        need=changes.get("need") if isinstance(changes.get("need"), str) else None,
        **window,
    )

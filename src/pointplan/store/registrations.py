"""Registrations in the database: saving a batch (validated exactly as a registrations file
is), reading one with its history, recording status events.

A batch keeps what is good and lists what is not, each with its index and reason. Re-sending
a registration_id updates that registration and records what changed as an `updated` event
(for personal data only that it changed, never the values); sending it unchanged records
nothing. A registration belongs to the areas of its two ends: a token may write or read it
only when one end lies in the token's area.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from pointplan.domain.events import StatusEvent
from pointplan.domain.personal import PERSONAL_FIELDS
from pointplan.domain.places import Point
from pointplan.domain.registration import Registration
from pointplan.io import REGISTRATION_COLUMNS, read_registrations
from pointplan.store import models
from pointplan.store.audit import audit


@dataclass
class BatchResult:
    """What a batch gave: how many were accepted, and each bad one with its reason."""

    accepted: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, index: int, registration_id: str | None, reason: str) -> None:
        """List the batch's item `index` as rejected."""
        self.rejected.append({"index": index, "registration_id": registration_id, "reason": reason})


def covers(area: str, adcode: str | None) -> bool:
    """Whether an adcode lies in an area (an adcode prefix; "" is everywhere)."""
    return area == "" or (adcode or "").startswith(area)


def touches(area: str, origin_adcode: str | None, destination_adcode: str | None) -> bool:
    """Whether a registration with these ends touches an area."""
    return covers(area, origin_adcode) or covers(area, destination_adcode)


@dataclass
class ValidatedBatch:
    """A batch after validation: the rejections so far and each valid registration with
    the index of its item. Made without the database, so it can be made in another process."""

    result: BatchResult
    valid: list[tuple[int, Registration]]


def validate_batch(items: Sequence[Mapping[str, Any]], points: Sequence[Point]) -> ValidatedBatch:
    """Validate a batch of registrations (the CSV columns as keys) as rows of a file."""
    result = BatchResult()
    rows: list[dict[str, str]] = []
    positions: list[int] = []
    for index, item in enumerate(items):
        unknown = sorted(set(item) - set(REGISTRATION_COLUMNS))
        if unknown:
            rid = _text(item.get("registration_id")) or None
            result.reject(index, rid, f"unknown field(s): {', '.join(unknown)}")
            continue
        rows.append({column: _text(item.get(column)) for column in REGISTRATION_COLUMNS})
        positions.append(index)
    if not rows:
        return ValidatedBatch(result, [])
    batch = read_registrations(rows, points=points)
    for rejection in batch.rejected:
        reason = rejection.reason.replace("DataFrame: ", "")
        result.reject(positions[rejection.row - 2], rejection.registration_id, reason)
    # A registration_id sent twice in one batch: the reader keeps the first, rejects the rest.
    row_of: dict[str, int] = {}
    for i, row in enumerate(rows):
        row_of.setdefault(row["registration_id"].strip(), i)
    valid = [(positions[row_of[r.registration_id]], r) for r in batch.registrations]
    return ValidatedBatch(result, valid)


def store_batch(
    session: Session,
    items: Sequence[Mapping[str, Any]],
    validated: ValidatedBatch,
    actor: str,
    area: str,
) -> BatchResult:
    """Save the valid registrations of a validated batch; the batch's whole answer (the
    validated batch is left as it was, so a failed transaction can be tried again)."""
    result = BatchResult(0, list(validated.result.rejected))
    valid_ids = [registration.registration_id for _, registration in validated.valid]
    stored = {
        r.registration_id: r
        for r in session.scalars(
            select(models.Registration).where(models.Registration.registration_id.in_(valid_ids))
        )
    }
    now = models.china_now()
    new_rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for index, registration in validated.valid:
        rid = registration.registration_id
        refusal = _write(registration, items[index], stored.get(rid), area, new_rows, events)
        if refusal:
            result.reject(index, rid, refusal)
        else:
            result.accepted += 1
    # New rows and events go in as one multi-row insert each: the unit of work per object
    # was most of a batch's time.
    if new_rows:
        session.execute(insert(models.Registration), new_rows)
    if events:
        session.execute(
            insert(models.RegistrationEvent), [{**e, "time": now, "actor": actor} for e in events]
        )
    result.rejected.sort(key=lambda entry: entry["index"])
    if result.accepted:
        audit(session, actor, "registrations.save", f"{result.accepted} registrations")
    return result


def _write(
    registration: Registration,
    fields: Mapping[str, Any],
    existing: models.Registration | None,
    area: str,
    new_rows: list[dict[str, Any]],
    events: list[dict[str, Any]],
) -> str | None:
    """Add one valid registration to `new_rows`, or update `existing`, with its event; the
    reason when it may not be written."""
    origin, destination = registration.origin.adcode, registration.destination.adcode
    if not touches(area, origin, destination):
        return f"neither origin nor destination lies in your area {area}"
    kept = {k: v for k, v in fields.items() if v not in (None, "")}
    values: dict[str, Any] = {
        "fields": kept,
        "direction": registration.direction.value,
        "origin_adcode": origin or "",
        "destination_adcode": destination or "",
        "earliest_date": registration.earliest_date,
        "latest_date": registration.latest_date,
        "party_size": registration.party_size,
    }
    rid = registration.registration_id
    if existing is None:
        new_rows.append({"registration_id": rid, **values})
        events.append({"registration_id": rid, "kind": "registered"})
        return None
    if not touches(area, existing.origin_adcode, existing.destination_adcode):
        return f"this registration_id belongs to a registration outside your area {area}"
    changes = _changes(existing.fields, kept)
    if not changes:
        return None
    for name, value in values.items():
        setattr(existing, name, value)
    existing.version += 1
    existing.updated_at = models.utc_now()
    events.append({"registration_id": rid, "kind": "updated", "changes": changes})
    return None


def _changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """What changed between two versions, values compared as the text a file would hold
    (2 and "2" are the same); personal data only as 'changed'."""
    changes: dict[str, Any] = {}
    for name in sorted(set(old) | set(new)):
        if _text(old.get(name)) != _text(new.get(name)):
            before, after = old.get(name, ""), new.get(name, "")
            changes[name] = "changed" if name in PERSONAL_FIELDS else {"from": before, "to": after}
    return changes


def record_event(session: Session, event: StatusEvent, actor: str) -> models.RegistrationEvent:
    """Record a status event and move the registration's status to it."""
    stored = session.get(models.Registration, event.registration_id)
    if stored is None:
        raise KeyError(event.registration_id)
    row = _event(
        event.registration_id,
        event.event.value,
        event.time,
        actor,
        place=event.place,
        note=event.note,
        reason=event.withdrawal_reason.value if event.withdrawal_reason else None,
        result=event.result.value if event.result else None,
    )
    session.add(row)
    stored.status = event.event.value
    stored.updated_at = models.utc_now()
    audit(session, actor, f"registrations.event.{event.event.value}", event.registration_id)
    return row


def history(session: Session, registration_id: str) -> list[models.RegistrationEvent]:
    """A registration's events, oldest first."""
    return list(
        session.scalars(
            select(models.RegistrationEvent)
            .where(models.RegistrationEvent.registration_id == registration_id)
            .order_by(models.RegistrationEvent.id)
        )
    )


def _event(
    registration_id: str, kind: str, time: dt.datetime, actor: str, **details: Any
) -> models.RegistrationEvent:
    return models.RegistrationEvent(
        registration_id=registration_id, kind=kind, time=time, actor=actor, **details
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

"""Registrations in the database: saving a batch (validated exactly as a registrations file
is), reading one with its history, recording status events.

A batch item's keys are the columns of a registrations file or their Chinese names (the
contract's aliases). A batch keeps what is good and lists what is not, each with its index
and reason, whatever a bad item holds. Re-sending a registration_id updates only the keys it
carries (a key sent as null or "" removes that field) and records what changed as an
`updated` event (for personal data only that it changed, never the values); sending it
unchanged records nothing. An item may carry the `version` its sender last read: when
another write has moved it on, the item is rejected as `stale (409)`. A registration belongs
to the areas of its two ends: a token may write or read it only when one end lies in the
token's area, and may change an end only within its area. Id numbers and phones are stored
sealed (`pointplan.store.sealing`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, insert, or_, select, update
from sqlalchemy.orm import Session

from pointplan.domain.events import Refused, Status, StatusEvent, replay
from pointplan.domain.personal import PERSONAL_FIELDS
from pointplan.domain.places import Point
from pointplan.domain.registration import Registration
from pointplan.domain.text import shown, text_problem
from pointplan.io import REGISTRATION_COLUMNS, read_registrations
from pointplan.io.aliases import with_item_keys
from pointplan.io.registrations import valid_id
from pointplan.store import models
from pointplan.store.audit import audit
from pointplan.store.sealing import LOOKUP_FIELDS, Sealer

VERSION_KEY = "version"
"""The optional batch-item key with the version its sender last read."""
STALE = "stale (409)"
"""The reason of an item whose `version` is not the stored one (interchange.md)."""
HASH_COLUMNS = {"id_number": "id_number_hash", "phone": "phone_hash"}
"""A field the hotline finds registrations by -> its keyed hash's column."""
_ITEM_KEYS = frozenset((*REGISTRATION_COLUMNS, VERSION_KEY))
_ENDS = ("origin_adcode", "destination_adcode")


@dataclass
class BatchResult:
    """What a batch gave: how many were accepted, each bad one with its reason, and notes on
    accepted ones (what was inferred, such as a county from coordinates)."""

    accepted: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, index: int, registration_id: str | None, reason: str) -> None:
        """List the batch's item `index` as rejected."""
        self.rejected.append({"index": index, "registration_id": registration_id, "reason": reason})


@dataclass(frozen=True)
class WriteRules:
    """Limits a registration must keep to be stored."""

    max_window_days: int = 60
    """The longest travel window, in days (earliest to latest date, both counted)."""

    def window_problem(self, earliest: dt.date, latest: dt.date) -> str | None:
        """Why a travel window may not be stored, or None when it may."""
        if (latest - earliest).days + 1 > self.max_window_days:
            return f"the travel window is longer than {self.max_window_days} days"
        return None


class Moved(Exception):
    """A registration of the batch was written by someone else between reading and writing
    it; the batch is tried again from a fresh read."""


def covers(area: str, adcode: str | None) -> bool:
    """Whether an adcode lies in an area (an adcode prefix; "" is everywhere)."""
    return area == "" or (adcode or "").startswith(area)


def touches(area: str, origin_adcode: str | None, destination_adcode: str | None) -> bool:
    """Whether a registration with these ends touches an area."""
    return covers(area, origin_adcode) or covers(area, destination_adcode)


def touching(area: str) -> ColumnElement[bool]:
    """The SQL condition of `touches`: a stored registration with an end in `area`."""
    return or_(
        models.Registration.origin_adcode.like(f"{area}%"),
        models.Registration.destination_adcode.like(f"{area}%"),
    )


@dataclass(frozen=True)
class _Item:
    """A batch item of the right shape: its index, its id (None unless a valid one), keys
    as sent, and version if sent."""

    index: int
    registration_id: str | None
    sent: dict[str, Any]
    version: int | None


def save_batch(
    session: Session,
    items: Sequence[Any],
    points: Sequence[Point],
    actor: str,
    area: str,
    sealer: Sealer,
    rules: WriteRules = WriteRules(),
    dry_run: bool = False,
) -> BatchResult:
    """Validate a batch and save its good items as `actor`, writing within `area`; the
    batch's answer. Raises `Moved` (or `IntegrityError`, for an id stored meanwhile) when a
    concurrent writer got in between: the caller tries again on a fresh session. With
    `dry_run` nothing is written: the answer says what would be saved and rejected."""
    result = BatchResult()
    screened = _screen(items, result)
    ids = [i.registration_id for i in screened if i.registration_id is not None]
    stored = {
        r.registration_id: r
        for r in session.scalars(
            select(models.Registration).where(models.Registration.registration_id.in_(ids))
        )
    }
    opened = {rid: sealer.open(row.fields) for rid, row in stored.items()}
    merged = [_merge(opened.get(i.registration_id or "", {}), i.sent) for i in screened]
    valid, notes = _validate(screened, merged, points, rules, result)
    now = models.event_now()
    new_rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for item, fields, registration in valid:
        rid = registration.registration_id
        existing = stored.get(rid)
        refusal = _refusal(item, registration, existing, area)
        if refusal:
            result.reject(item.index, rid, refusal)
            continue
        result.notes.extend(
            {"index": item.index, "registration_id": rid, "note": text}
            for text in notes.get(item.index, ())
        )
        if dry_run:
            pass
        elif existing is None:
            new_rows.append({"registration_id": rid, **_columns(registration, fields, sealer)})
            events.append({"registration_id": rid, "kind": "registered"})
        elif changes := _changes(opened[rid], fields):
            _update(session, existing, _columns(registration, fields, sealer))
            events.append({"registration_id": rid, "kind": "updated", "changes": changes})
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
    result.notes.sort(key=lambda entry: entry["index"])
    if result.accepted and not dry_run:
        audit(session, actor, "registrations.save", f"{result.accepted} registrations")
    return result


def _screen(items: Sequence[Any], result: BatchResult) -> list[_Item]:
    """The items of a usable shape (an object of known keys with scalar values of valid
    text); every other one is rejected, naming each bad key. An item's id is checked with
    its other fields, by the reader."""
    screened = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            result.reject(index, None, "not an object with the registration columns as keys")
            continue
        item, twice = with_item_keys(item)
        raw_id = item.get("registration_id")
        rid = valid_id(_text(raw_id))  # as the reader will read it
        if twice:
            result.reject(index, rid, twice)
            continue
        problems = []
        if isinstance(raw_id, bool):
            problems.append("registration_id: true or false is not an id")
        unknown = sorted(shown(str(key)) for key in item if key not in _ITEM_KEYS)
        if unknown:
            problems.append(f"unknown field(s): {', '.join(unknown)}")
        for key in sorted(set(item) & _ITEM_KEYS):
            problem = _value_problem(key, item[key])
            if problem:
                problems.append(f"{key}: {problem}")
        if problems:
            result.reject(index, rid, "; ".join(problems))
            continue
        sent = {key: value for key, value in item.items() if key != VERSION_KEY}
        screened.append(_Item(index, rid, sent, item.get(VERSION_KEY)))
    return screened


def _value_problem(key: str, value: Any) -> str | None:
    if key == VERSION_KEY:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
        return None if ok or value is None else "a whole number of at least 1"
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, float):
        return None if math.isfinite(value) else "not a finite number"
    if value is None or isinstance(value, (int, bool)):
        return None
    return "not a text, a number, true, false or null"


def _merge(stored: Mapping[str, Any], sent: Mapping[str, Any]) -> dict[str, Any]:
    """The fields after a re-send: stored ones kept unless sent; null or "" removes one."""
    fields = dict(stored)
    for key, value in sent.items():
        if value is None or value == "":
            fields.pop(key, None)
        else:
            fields[key] = value
    return fields


def _validate(
    screened: Sequence[_Item],
    merged: Sequence[dict[str, Any]],
    points: Sequence[Point],
    rules: WriteRules,
    result: BatchResult,
) -> tuple[list[tuple[_Item, dict[str, Any], Registration]], dict[int, list[str]]]:
    """Each merged item validated as a row of a registrations file, and its window checked;
    the valid ones with their registrations, and the reader's notes by item index."""
    if not screened:
        return [], {}
    rows = [
        {column: _text(fields.get(column)) for column in REGISTRATION_COLUMNS} for fields in merged
    ]
    batch = read_registrations(rows, points=points)
    seen: set[int] = set()
    for rejection in batch.rejected:
        seen.add(rejection.row - 2)
        item = screened[rejection.row - 2]
        reason = rejection.reason.replace("DataFrame: ", "")
        result.reject(item.index, item.registration_id, reason)
    # A registration_id sent twice in one batch: the reader keeps the first, rejects the rest.
    position: dict[str, int] = {}
    for i, item in enumerate(screened):
        if item.registration_id is not None:
            position.setdefault(item.registration_id, i)
    valid = []
    for registration in batch.registrations:
        i = position[registration.registration_id]
        seen.add(i)
        too_long = rules.window_problem(registration.earliest_date, registration.latest_date)
        if too_long:
            result.reject(
                screened[i].index, registration.registration_id, f"latest_date: {too_long}"
            )
            continue
        valid.append((screened[i], merged[i], registration))
    for i in sorted(set(range(len(screened))) - seen):  # a blank row, which a file may hold
        result.reject(screened[i].index, None, "an item with no values")
    notes: dict[int, list[str]] = {}
    for note in batch.notes:
        index = screened[(note.row or 2) - 2].index
        notes.setdefault(index, []).append(f"{note.column}: {note.message}")
    return valid, notes


def _refusal(
    item: _Item, registration: Registration, existing: models.Registration | None, area: str
) -> str | None:
    """Why the caller may not write this registration, or None."""
    ends = (registration.origin.adcode or "", registration.destination.adcode or "")
    if existing is None:
        if item.version is not None:
            return STALE
        if not touches(area, *ends):
            return f"neither origin nor destination lies in your area {area} (403)"
        return None
    if not touches(area, existing.origin_adcode, existing.destination_adcode):
        return f"registration_id: in use by a registration outside your area {area} (403)"
    if item.version is not None and item.version != existing.version:
        return STALE
    if existing.status == Status.CANCELLED:
        return "registration_id: the registration is cancelled; register again under a new id (409)"
    for name, before, after in zip(
        ("origin", "destination"),
        (existing.origin_adcode, existing.destination_adcode),
        ends,
        strict=True,
    ):
        if before != after and not (covers(area, before) and covers(area, after)):
            return f"{name}: you may change it only within your area {area} (403)"
    return None


def hash_columns(sealer: Sealer, opened_fields: Mapping[str, Any]) -> dict[str, str]:
    """The hash columns of a registration whose fields (opened) are `opened_fields`."""
    return {
        HASH_COLUMNS[field]: sealer.lookup_hash(field, str(opened_fields.get(field) or ""))
        for field in LOOKUP_FIELDS
    }


def _columns(registration: Registration, fields: dict[str, Any], sealer: Sealer) -> dict[str, Any]:
    return {
        "fields": sealer.seal(fields),
        **hash_columns(sealer, fields),
        "direction": registration.direction.value,
        "origin_adcode": registration.origin.adcode or "",
        "destination_adcode": registration.destination.adcode or "",
        "earliest_date": registration.earliest_date,
        "latest_date": registration.latest_date,
        "party_size": registration.party_size,
    }


def _update(session: Session, existing: models.Registration, values: dict[str, Any]) -> None:
    """Write `values` over `existing`, unless someone else wrote it since it was read."""
    changed = session.execute(
        update(models.Registration)
        .where(
            models.Registration.registration_id == existing.registration_id,
            models.Registration.version == existing.version,
        )
        .values(**values, version=existing.version + 1, updated_at=models.utc_now())
        .execution_options(synchronize_session=False)
    )
    if not changed.rowcount:  # type: ignore[attr-defined]
        raise Moved(existing.registration_id)


def _changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """What changed between two versions, values compared as the text a file would hold
    (2 and "2" are the same); personal data only as 'changed'."""
    changes: dict[str, Any] = {}
    for name in sorted(set(old) | set(new)):
        if _text(old.get(name)) != _text(new.get(name)):
            before, after = old.get(name, ""), new.get(name, "")
            changes[name] = "changed" if name in PERSONAL_FIELDS else {"from": before, "to": after}
    return changes


class EventRefused(ValueError):
    """A status event that may not be recorded: `status` 409 (it may not follow the
    registration's history) or 422 (its time is out of bounds, `field` says which)."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field


def record_event(
    session: Session,
    event: StatusEvent,
    actor: str,
    max_ahead: dt.timedelta,
    rules: WriteRules = WriteRules(),
) -> models.RegistrationEvent:
    """Record a status event and move the registration's status as the status machine says,
    replaying its history in time order with the event in its place; a rescheduled event
    with a new window moves the registration's window (its `changes` say from what); a
    ledger step keeps its `need` in `changes` (`{"need": "job"}`).
    `EventRefused` when the event is dated before the registration was received or more
    than `max_ahead` from now, asks a window longer than the rules allow, or may not follow
    what happened before it (or what happened after it)."""
    stored = session.get(models.Registration, event.registration_id, with_for_update=True)
    if stored is None:
        raise KeyError(event.registration_id)
    window = event.new_window
    too_long = None if window is None else rules.window_problem(*window)
    if too_long:
        raise EventRefused(422, too_long, "latest_date")
    when = models.stored_time(event.time)
    if when < stored.created_at.replace(microsecond=0):
        raise EventRefused(422, "before the registration was received", "time")
    if when > models.event_now() + max_ahead:
        raise EventRefused(422, f"more than {max_ahead} ahead of now", "time")
    past = history(session, event.registration_id)
    kinds = [e.kind for e in past if e.time <= when]
    kinds.append(event.event.value)
    kinds.extend(e.kind for e in past if e.time > when)
    try:
        status = replay(kinds)
    except Refused as error:
        raise EventRefused(409, str(error)) from None
    row = models.RegistrationEvent(
        registration_id=event.registration_id,
        kind=event.event.value,
        time=when,
        actor=actor,
        place=event.place,
        note=event.note,
        reason=event.withdrawal_reason.value if event.withdrawal_reason else None,
        result=event.result.value if event.result else None,
        changes=_move_window(stored, window)
        if window is not None
        else ({"need": event.need.value} if event.need else None),
    )
    session.add(row)
    stored.status = status.value
    stored.updated_at = models.utc_now()
    audit(session, actor, f"registrations.event.{event.event.value}", event.registration_id)
    return row


def _move_window(stored: models.Registration, window: tuple[dt.date, dt.date]) -> dict[str, Any]:
    """Give `stored` a new travel window; what changed, as an `updated` event says it."""
    earliest, latest = window
    changes = {
        "earliest_date": {"from": stored.earliest_date.isoformat(), "to": earliest.isoformat()},
        "latest_date": {"from": stored.latest_date.isoformat(), "to": latest.isoformat()},
    }
    stored.fields = {
        **stored.fields,
        "earliest_date": earliest.isoformat(),
        "latest_date": latest.isoformat(),
    }
    stored.earliest_date, stored.latest_date = earliest, latest
    stored.version += 1
    return changes


def page_of_registrations(
    session: Session,
    scope: str,
    *,
    area: str = "",
    status: Status | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    destination: str = "",
    employer: str = "",
    after: str | None = None,
    limit: int = 100,
) -> list[models.Registration]:
    """Up to `limit` stored registrations in registration_id order after `after`: those
    touching `scope` (the caller's area) and `area`, with `status`, whose window meets
    `date_from`..`date_to`, going to `destination` (an adcode prefix), whose employer holds
    `employer` (each filter only when given)."""
    query = select(models.Registration)
    for prefix in {scope, area} - {""}:
        query = query.where(touching(prefix))
    if destination:
        query = query.where(models.Registration.destination_adcode.startswith(destination))
    if employer:
        employer_field = models.Registration.fields["employer"].as_string()
        query = query.where(employer_field.contains(employer, autoescape=True))
    if status is not None:
        query = query.where(models.Registration.status == status.value)
    if date_from is not None:
        query = query.where(models.Registration.latest_date >= date_from)
    if date_to is not None:
        query = query.where(models.Registration.earliest_date <= date_to)
    if after is not None:
        query = query.where(models.Registration.registration_id > after)
    query = query.order_by(models.Registration.registration_id).limit(limit)
    return list(session.scalars(query))


def history(session: Session, registration_id: str) -> list[models.RegistrationEvent]:
    """A registration's events in the order of their times (recorded order within a time)."""
    return list(
        session.scalars(
            select(models.RegistrationEvent)
            .where(models.RegistrationEvent.registration_id == registration_id)
            .order_by(models.RegistrationEvent.time, models.RegistrationEvent.id)
        )
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

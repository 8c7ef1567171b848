"""Keeping the database: ids to mend, key rotation, erasing personal data after a campaign,
and backups (SQLite's online backup, PostgreSQL's pg_dump).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

from sqlalchemy import make_url, select
from sqlalchemy.orm import Session

from pointplan.domain.personal import PERSONAL_FIELDS
from pointplan.domain.text import id_problem, text_problem
from pointplan.store import models
from pointplan.store.audit import audit
from pointplan.store.database import owner_only_file, sqlite_path
from pointplan.store.registrations import HASH_COLUMNS, hash_columns
from pointplan.store.sealing import Sealer

ERASED_KIND = "personal_data_erased"
"""The history event of a registration whose personal data was erased."""


def records_to_mend(session: Session) -> Iterator[tuple[str, str, str]]:
    """(table, id, what is wrong) of each stored registration or point whose id is not of
    the valid shape, or whose text holds characters now refused (stored before they were
    checked), and each registration with no area at either end (no registrar and no area
    plan reaches it); they are listed for mending, never dropped."""
    for point_id, name in session.execute(
        select(models.Point.point_id, models.Point.name).order_by(models.Point.point_id)
    ):
        if id_problem(point_id):
            yield "points", point_id, "point_id"
        if text_problem(name):
            yield "points", point_id, "name"
    for rid, fields, origin, destination in session.execute(
        select(
            models.Registration.registration_id,
            models.Registration.fields,
            models.Registration.origin_adcode,
            models.Registration.destination_adcode,
        ).order_by(models.Registration.registration_id)
    ):
        if id_problem(rid):
            yield "registrations", rid, "registration_id"
        if not origin and not destination:
            yield "registrations", rid, "area (neither end has a county: only admins reach it)"
        for name, value in sorted(fields.items()):
            if name != "registration_id" and isinstance(value, str) and text_problem(value):
                yield "registrations", rid, name


def rotate_keys(session: Session, sealer: Sealer, actor: str) -> int:
    """Seal every registration's personal data, and the crews of transport's answers, again
    with the first data key (and seal what was stored in clear), and hash its id number and
    phone again under it; how many rows changed."""
    changed = 0
    for registration in session.scalars(select(models.Registration)):
        resealed = sealer.reseal(registration.fields)
        hashed = hash_columns(sealer, sealer.open(resealed))
        stale = {k: v for k, v in hashed.items() if getattr(registration, k) != v}
        if resealed != registration.fields or stale:
            registration.fields = resealed
            for column, value in stale.items():
                setattr(registration, column, value)
            changed += 1
    for answer in session.scalars(select(models.TripAnswer)):
        resealed = sealer.reseal(answer.fields)
        if resealed != answer.fields:
            answer.fields = resealed
            changed += 1
    audit(session, actor, "registrations.rotate_keys", f"{changed} registrations and answers")
    return changed


def erase_personal_data(session: Session, travelled_before: dt.date, actor: str) -> int:
    """Remove names, id numbers and phones from every registration whose travel window ended
    before `travelled_before`, recording it in each one's history; how many were erased."""
    erased = 0
    now = models.event_now()
    rows = session.scalars(
        select(models.Registration).where(models.Registration.latest_date < travelled_before)
    )
    for registration in rows:
        if not any(name in registration.fields for name in PERSONAL_FIELDS):
            continue
        registration.fields = {
            k: v for k, v in registration.fields.items() if k not in PERSONAL_FIELDS
        }
        for column in HASH_COLUMNS.values():
            setattr(registration, column, "")
        registration.updated_at = models.utc_now()
        session.add(
            models.RegistrationEvent(
                registration_id=registration.registration_id,
                kind=ERASED_KIND,
                time=now,
                note=f"retention: travel ended before {travelled_before}",
                actor=actor,
            )
        )
        erased += 1
    for answer, _ in session.execute(
        select(models.TripAnswer, models.PlanJob)
        .join(models.PlanJob, models.PlanJob.plan_id == models.TripAnswer.plan_id)
        .where(models.PlanJob.date_to < travelled_before)
    ):
        if "crew" in answer.fields:  # the drivers' and escort's names and phones
            answer.fields = {k: v for k, v in answer.fields.items() if k != "crew"}
    audit(session, actor, "registrations.erase_personal", f"{erased} before {travelled_before}")
    return erased


def backup(database_url: str, destination: Path) -> None:
    """Copy the database to `destination` while it runs: SQLite's online backup (a single
    file), or `pg_dump` in its custom format for PostgreSQL."""
    owner_only_file(destination)
    source = sqlite_path(database_url)
    if source is not None:
        with (
            closing(sqlite3.connect(source)) as live,
            closing(sqlite3.connect(destination)) as copy,
        ):
            live.backup(copy)
        return
    _run("pg_dump", "--format=custom", f"--file={destination}", _libpq_url(database_url))


def restore(database_url: str, backup_file: Path) -> None:
    """Replace the database's contents with a backup made by `backup` (stop the service
    first)."""
    target = sqlite_path(database_url)
    if target is not None:
        owner_only_file(target)
        with (
            closing(sqlite3.connect(backup_file)) as saved,
            closing(sqlite3.connect(target)) as live,
        ):
            saved.backup(live)
        return
    _run(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        f"--dbname={_libpq_url(database_url)}",
        str(backup_file),
    )


def _libpq_url(database_url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as the libpq tools take it (no driver name)."""
    url = make_url(database_url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(tool: str, *arguments: str) -> None:
    if shutil.which(tool) is None:
        raise RuntimeError(f"{tool} is not installed (PostgreSQL's client tools)")
    completed = subprocess.run([tool, *arguments], capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{tool} failed: {completed.stderr.strip()}")

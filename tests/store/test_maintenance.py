"""Keeping the database (`pointplan.store.maintenance`), on SQLite and PostgreSQL: backups that
restore what was backed up, key rotation, erasing personal data after the campaign, and the
check that lists stored ids of a bad shape."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from pointplan.cli import main
from pointplan.store import models
from pointplan.store.database import Database
from pointplan.store.maintenance import (
    ERASED_KIND,
    backup,
    erase_personal_data,
    records_to_mend,
    restore,
    rotate_keys,
)
from pointplan.store.registrations import save_batch
from pointplan.store.sealing import PREFIX, DataKeyError, Sealer, new_key
from tests.api.conftest import ID_NUMBER, PHONE, registration

KEY = new_key()


def _save(db: Database, sealer: Sealer, *items: dict[str, Any]) -> None:
    with db.session() as session:
        result = save_batch(session, items, (), "test", "", sealer)
    assert (result.accepted, result.rejected) == (len(items), [])


def _fields(db: Database, registration_id: str) -> dict[str, Any]:
    with db.session() as session:
        stored = session.get(models.Registration, registration_id)
        assert stored is not None
        return dict(stored.fields)


def test_a_backup_restores_what_was_backed_up(db: Database, tmp_path: Path) -> None:
    """Write, back up (a file its owner alone may read), change, restore: the registration is
    as it was backed up, and its sealed id number opens with the same key."""
    sealer = Sealer([KEY])
    _save(db, sealer, registration("B1", party_size=2))
    copy = tmp_path / "backup.bin"
    backup(db.url, copy)
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    _save(db, sealer, {"registration_id": "B1", "party_size": 5})
    assert _fields(db, "B1")["party_size"] == 5
    db.dispose()  # the service is stopped for a restore
    restore(db.url, copy)
    fields = _fields(db, "B1")
    assert fields["party_size"] == 2
    assert sealer.open(fields)["id_number"] == ID_NUMBER


def test_rotation_seals_with_the_new_key_and_the_old_one_can_go(db: Database) -> None:
    """Sealed with key 1; after rotating to [key 2, key 1], key 2 alone opens everything and
    key 1 alone opens nothing. A value stored in clear is sealed by the rotation too."""
    old, new = Sealer([KEY]), new_key()
    _save(db, old, registration("K1"))
    with db.session() as session:
        session.add(
            models.Registration(
                registration_id="K2",
                fields=registration("K2"),  # in clear, as before encryption was on
                direction="return_to_work",
                origin_adcode="150121",
                destination_adcode="150203",
                earliest_date=dt.date(2022, 11, 21),
                latest_date=dt.date(2022, 11, 22),
            )
        )
    with db.session() as session:
        assert rotate_keys(session, Sealer([new, KEY]), "test") == 2
    for rid in ("K1", "K2"):
        fields = _fields(db, rid)
        assert fields["phone"].startswith(PREFIX) and PHONE not in str(fields)
        assert Sealer([new]).open(fields)["phone"] == PHONE
        with pytest.raises(DataKeyError):
            old.open(fields)


def test_erasing_removes_personal_data_of_past_travel_only(db: Database) -> None:
    """Personal data of a registration that travelled before the cut-off is erased and its
    history says so; a later one keeps its data."""
    sealer = Sealer([KEY])
    _save(
        db,
        sealer,
        registration("E-old"),
        registration("E-new", earliest_date="2026-12-20", latest_date="2026-12-21"),
    )
    with db.session() as session:
        assert erase_personal_data(session, dt.date(2026, 1, 1), "retention") == 1
    old, new = _fields(db, "E-old"), _fields(db, "E-new")
    assert not {"name", "id_number", "phone"} & set(old)
    assert old["origin"] == "150121"
    assert sealer.open(new)["id_number"] == ID_NUMBER
    with db.session() as session:
        kinds = session.scalars(
            select(models.RegistrationEvent.kind).where(
                models.RegistrationEvent.registration_id == "E-old"
            )
        ).all()
    assert kinds == ["registered", ERASED_KIND]


def test_the_commands_report_and_exit_as_documented(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`db check` exits 0 on a clean database; `db backup` writes the file; `db restore` of
    a missing file is bad input (2); `db erase-personal` says how many it erased."""
    assert main(["db", "check", "--db", db.url]) == 0
    assert main(["db", "backup", str(tmp_path / "b"), "--db", db.url]) == 0
    assert (tmp_path / "b").stat().st_size > 0
    assert main(["db", "restore", str(tmp_path / "missing"), "--db", db.url]) == 2
    assert main(["db", "erase-personal", "--db", db.url, "--today", "2026-12-01"]) == 0
    assert "erased the personal data of 0 registration(s)" in capsys.readouterr().out


def test_the_check_lists_registrations_with_no_area(db: Database) -> None:
    """A registration given by coordinates far from every county seat has no area: the
    check lists it (only admins reach it), one with an area is not listed."""
    sealer = Sealer([KEY])
    far = registration("N1", origin="", origin_lat=25.0, origin_lon=130.0, destination="")
    far.update(destination_lat=25.1, destination_lon=130.1)
    _save(db, sealer, far, registration("N2"))
    with db.session() as session:
        found = list(records_to_mend(session))
    assert [(table, rid) for table, rid, _ in found] == [("registrations", "N1")]
    assert found[0][2].startswith("area")

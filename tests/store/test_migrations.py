"""The schema's migrations on data stored before them, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select, text

from pointplan.geo import default_gazetteer
from pointplan.store import models
from pointplan.store.database import Database, migrate

TOGTOH = "150122"


def test_0002_gives_rows_stored_with_coordinates_their_county(empty_url: str) -> None:
    """Rows stored by schema 0001 with an end given by coordinates and no adcode: after the
    upgrade, the one near Togtoh's seat is in 150122; the one far from every seat keeps
    none; a row with an adcode keeps it."""
    seat = default_gazetteer().resolve(TOGTOH)
    db = Database(empty_url)
    try:
        migrate(db.engine, "0001")
        rows = {"near": (seat.lat + 0.01, seat.lon, ""), "far": (25.0, 130.0, ""),
                "coded": (seat.lat, seat.lon, "150121")}  # fmt: skip
        with db.session() as session:
            session.execute(
                insert(models.Registration),
                [
                    {
                        "registration_id": rid,
                        "fields": {"origin_lat": lat, "origin_lon": lon, "destination": "150203"},
                        "direction": "return_to_work",
                        "origin_adcode": adcode,
                        "destination_adcode": "150203",
                        "earliest_date": dt.date(2022, 11, 21),
                        "latest_date": dt.date(2022, 11, 22),
                    }
                    for rid, (lat, lon, adcode) in rows.items()
                ],
            )
        migrate(db.engine)
        with db.session() as session:
            found = dict(
                session.execute(
                    select(models.Registration.registration_id, models.Registration.origin_adcode)
                ).all()
            )
        assert found == {"near": TOGTOH, "far": "", "coded": "150121"}
    finally:
        db.dispose()


def test_0003_stores_event_times_in_utc(empty_url: str) -> None:
    """An event stored by schema 0002 at 08:00 Beijing time is at 00:00 UTC after it."""
    db = Database(empty_url)
    try:
        migrate(db.engine, "0002")
        with db.session() as session:
            session.execute(
                insert(models.Registration),
                [
                    {
                        "registration_id": "T1",
                        "fields": {},
                        "direction": "return_to_work",
                        "earliest_date": dt.date(2022, 11, 21),
                        "latest_date": dt.date(2022, 11, 22),
                    }
                ],
            )
            session.execute(
                insert(models.RegistrationEvent),
                [
                    {
                        "registration_id": "T1",
                        "kind": "boarded",
                        "time": dt.datetime(2022, 11, 21, 8, 0),
                        "actor": "test",
                    }
                ],
            )
        migrate(db.engine)
        with db.session() as session:
            [time] = session.scalars(select(models.RegistrationEvent.time)).all()
        assert time == dt.datetime(2022, 11, 21, 0, 0)
    finally:
        db.dispose()


def test_0006_makes_the_points_stored_before_stops(empty_url: str) -> None:
    """A point stored by schema 0005, which had no kinds, is a stop after the upgrade."""
    db = Database(empty_url)
    try:
        migrate(db.engine, "0005")
        with db.session() as session:
            session.execute(
                text(
                    "INSERT INTO points (point_id, name, lat, lon, adcode, updated_at, updated_by)"
                    " VALUES ('P1', 'gate', 40.0, 111.0, '150121', :now, 'admin')"
                ),
                {"now": dt.datetime(2022, 11, 20)},
            )
        migrate(db.engine)
        with db.session() as session:
            assert session.execute(select(models.Point.kind)).scalars().all() == ["stop"]
    finally:
        db.dispose()


def test_the_migrations_make_the_schema_the_models_describe(empty_url: str) -> None:
    """Migrated to head, the database has every table, column and index of the models and
    nothing else (alembic's comparison finds no difference but column types SQLite reports
    loosely and server defaults)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db = Database(empty_url)
    try:
        migrate(db.engine)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            differences = compare_metadata(context, models.Base.metadata)
    finally:
        db.dispose()
    assert differences == []

"""The service's database: an engine for a URL (a SQLite file by default, PostgreSQL by URL),
sessions, and the schema brought up to date by the Alembic migrations in `migrations/`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_URL = "sqlite:///pointplan.db"


def make_engine(url: str = DEFAULT_URL) -> Engine:
    """An engine for `url`. SQLite files get write-ahead logging, foreign keys and a busy
    timeout, so that readers never wait for the writer and a second writer waits its turn;
    the file is readable and writable by its owner only (SQLite gives its -wal and -shm
    files the same mode). Statement parameters (personal data among them) never appear in
    logs or error messages."""
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            owner_only_file(path)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True
    )


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or an in-memory one)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def owner_only_file(path: Path) -> None:
    """Create a database file readable by its owner only, or make it so (with its -wal
    and -shm files)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)


def _sqlite_pragmas(connection: Any, _: object) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def migration_scripts() -> Config:
    """The Alembic configuration of the schema's migrations (`migrations/`)."""
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("pointplan.store") / "migrations")
    )
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to date (create it on an empty database), or up to `revision`."""
    config = migration_scripts()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


class Database:
    """An engine and its sessions."""

    def __init__(self, url: str = DEFAULT_URL) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back on an error."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

"""Fixtures of the store's tests: an empty database of each kind (a SQLite file, a fresh
PostgreSQL database; the PostgreSQL half is skipped when no server answers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pointplan.store.database import Database, migrate
from tests.api.conftest import postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'pointplan.db'}"
        return
    with postgres_database() as url:
        yield url


@pytest.fixture
def db(empty_url: str) -> Iterator[Database]:
    """An empty database of each kind, migrated to the current schema."""
    database = Database(empty_url)
    migrate(database.engine)
    yield database
    database.dispose()

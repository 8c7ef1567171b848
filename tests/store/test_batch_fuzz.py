"""A fuzz of the batch parser: whatever a batch holds (any JSON: objects with known and
unknown keys, text with lone surrogates, NUL, overrides, numbers, nesting, non-objects),
saving it never raises, and every item ends exactly once, accepted or rejected with a reason
whose id, when it has one, is a valid id."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pointplan.domain.text import id_problem
from pointplan.io import REGISTRATION_COLUMNS
from pointplan.store.database import Database, migrate
from pointplan.store.registrations import save_batch
from pointplan.store.sealing import Sealer, new_key
from tests.api.conftest import registration

SEALER = Sealer([new_key()])
NASTY = st.sampled_from(["\ud800", "\udfff", "\x00", "\u202e", "\n", "\t", "张", "𠀀", " "])
TEXT = st.text(alphabet=st.one_of(st.characters(), NASTY), max_size=30)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), TEXT, st.just("")
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
KEYS = st.one_of(st.sampled_from([*REGISTRATION_COLUMNS, "version"]), TEXT)
VALID = st.builds(lambda n: registration(f"F-{n}"), st.integers(0, 50))
ITEMS = st.one_of(
    VALID,
    VALID.flatmap(
        lambda item: st.dictionaries(KEYS, JSON, max_size=4).map(lambda d: {**item, **d})
    ),
    st.dictionaries(KEYS, JSON, max_size=6),
    JSON,
)


@pytest.fixture(scope="module")
def db() -> Iterator[Database]:
    """An in-memory SQLite database, migrated."""
    database = Database("sqlite://")
    migrate(database.engine)
    yield database
    database.dispose()


@given(items=st.lists(ITEMS, max_size=8))
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_every_item_ends_once_and_nothing_raises(db: Database, items: list[Any]) -> None:
    """Accepted plus rejected is the batch; each rejected index is an item's, once; a
    rejected item's id is null or valid; the answer can be written as JSON (UTF-8)."""
    with db.session() as session:
        result = save_batch(session, items, (), "fuzz", "", SEALER)
    indexes = [entry["index"] for entry in result.rejected]
    assert len(indexes) == len(set(indexes))
    assert set(indexes) <= set(range(len(items)))
    assert result.accepted + len(indexes) == len(items)
    for entry in result.rejected:
        rid = entry["registration_id"]
        assert rid is None or id_problem(rid) is None
        assert entry["reason"]
    json.dumps(result.rejected, ensure_ascii=False).encode("utf-8")

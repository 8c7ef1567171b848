"""schemathesis against a real `pointplan serve` (SQLite and PostgreSQL), with valid and
invalid requests generated from the service's own OpenAPI document, strings of any Unicode
and NUL bytes allowed: whatever comes in, no answer is a 5xx.

The calls carry an admin token, so that they reach the handlers rather than stopping at 401;
the database holds a point and a registration, so that generated ids sometimes hit rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from pointplan.store.database import Database, migrate
from pointplan.store.tokens import add_token
from tests.api.conftest import point, registration
from tests.api.live import LIVE_TIMEOUT, free_port, serve

TOKEN: dict[str, str] = {}


@pytest.fixture(scope="module")
def live_schema(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The OpenAPI schema of a live server on `database_url`, set to generate valid and
    invalid requests, with a point and a registration stored."""
    db = Database(database_url)
    migrate(db.engine)
    with db.session() as session:
        TOKEN["admin"] = add_token(session, "fuzz-live", "admin")
    db.dispose()
    port = free_port()
    with serve(database_url, port, tmp_path_factory.mktemp("fuzz") / "serve.log"):
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {TOKEN['admin']}"}
        with httpx.Client(base_url=base, headers=headers, timeout=LIVE_TIMEOUT) as api:
            assert api.post("/v1/points", json=[point("P1")]).is_success
            saved = api.post("/v1/registrations", json=[registration("R1")])
        assert saved.json()["accepted"] == 1, saved.text
        schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
        schema.config.generation.update(
            modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], allow_x00=True
        )
        yield schema


NOTHING_TO_GET_WRONG = {"GET /healthz", "GET /livez", "GET /readyz", "GET /metrics"}
"""The operations without parameters or a body: they have no negative requests."""


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_error_on_the_real_server(live_schema: Any, mode: GenerationMode) -> None:
    """No generated request of any operation, valid (positive) or not (negative), gets a
    5xx. (An operation with nothing to get wrong, `NOTHING_TO_GET_WRONG`, has no negative
    requests.)"""
    headers = {"Authorization": f"Bearer {TOKEN['admin']}"}
    operations = [result.ok() for result in live_schema.get_all_operations()]
    fuzzed = []
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
        def no_server_error(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error], timeout=LIVE_TIMEOUT
            )

        try:
            no_server_error()
        except Unsatisfiable:
            if mode is GenerationMode.POSITIVE:
                raise
            continue
        fuzzed.append(operation.label)
    left = {operation.label for operation in operations} - set(fuzzed)
    assert left <= NOTHING_TO_GET_WRONG, left


def test_the_fuzz_reached_the_handlers(live_schema: Any) -> None:
    """The schema the fuzz ran on has the calls of the contract (so it is not fuzzing an
    empty document)."""
    paths = set(live_schema.raw_schema["paths"])
    assert {"/v1/registrations", "/v1/points", "/v1/plans"} <= paths

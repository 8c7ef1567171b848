"""/healthz, the OpenAPI document, and 401 for every call without a valid bearer token."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from tests.api.conftest import Service, event, new_id, point, registration

# Every call that needs a token: (method, path, body).
CALLS: list[tuple[str, str, Any]] = [
    ("POST", "/v1/points", [point("P-401")]),
    ("POST", "/v1/registrations", [registration("NOAUTH-401")]),
    ("GET", "/v1/registrations/NOAUTH-401", None),
    ("POST", "/v1/registrations/NOAUTH-401/events", event()),
]
BAD_HEADERS = {
    "none": {},
    "unknown token": {"Authorization": "Bearer pp_not-a-token"},
    "empty token": {"Authorization": "Bearer "},
    "basic scheme": {"Authorization": "Basic YWRtaW46YWRtaW4="},
    "token without scheme": {"Authorization": "pp_not-a-token"},
}


def test_healthz_answers_without_a_token(service: Service) -> None:
    """GET /healthz is 200 with no Authorization header at all."""
    response = service.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


class _DownDatabase:
    """A database whose every session fails as an unreachable server does."""

    @contextmanager
    def session(self) -> Iterator[None]:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))
        yield  # pragma: no cover


def test_healthz_is_503_when_the_database_does_not_answer(service: Service) -> None:
    """A database that does not answer makes /healthz 503, saying so plainly."""
    state = service.client.app.state  # type: ignore[attr-defined]
    database, state.db = state.db, _DownDatabase()
    try:
        response = service.client.get("/healthz")
    finally:
        state.db = database
    assert response.status_code == 503
    assert response.json() == {"detail": "the database does not answer"}


def test_openapi_document_lists_every_call_with_examples(service: Service) -> None:
    """/openapi.json (no token) has every call of the contract that exists, and examples."""
    response = service.client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert {
        "/healthz",
        "/v1/points",
        "/v1/registrations",
        "/v1/registrations/{registration_id}",
        "/v1/registrations/{registration_id}/events",
    } <= set(document["paths"])
    assert "11010519491231002X" in response.text  # the registration example
    assert "bearer" in response.text.lower()


@pytest.mark.parametrize("headers", BAD_HEADERS.values(), ids=BAD_HEADERS.keys())
@pytest.mark.parametrize(("method", "path", "body"), CALLS, ids=[f"{m} {p}" for m, p, _ in CALLS])
def test_every_call_is_401_without_a_valid_bearer_token(
    service: Service, method: str, path: str, body: Any, headers: dict[str, str]
) -> None:
    """No token, an unknown one, an empty one or another scheme: 401 asking for a bearer
    token, and nothing is written."""
    response = service.client.request(method, path, json=body, headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "token" in response.json()["detail"]
    assert service.stored("NOAUTH-401") == {}


@pytest.mark.parametrize(("method", "path", "body"), CALLS, ids=[f"{m} {p}" for m, p, _ in CALLS])
def test_a_revoked_token_is_401(service: Service, method: str, path: str, body: Any) -> None:
    """A revoked admin token opens nothing."""
    response = service.client.request(method, path, json=body, headers=service.auth("revoked"))
    assert response.status_code == 401
    assert response.json() == {"detail": "the token is not valid"}


def test_a_token_is_checked_before_the_body(service: Service) -> None:
    """An invalid body without a token is 401, not 422: nobody learns the schema's checks
    without a token."""
    response = service.client.post("/v1/registrations", json={"not": "a list"})
    assert response.status_code == 401


def test_a_valid_token_is_accepted(service: Service) -> None:
    """The same call with the admin token works (the 401s above are about the token)."""
    rid = new_id()
    response = service.post_registrations([registration(rid)])
    assert response.status_code == 200
    assert response.json() == {"accepted": 1, "rejected": []}


def test_the_openapi_document_has_readable_ids_and_typed_plans(service: Service) -> None:
    """Operation ids are the routes' names (stable for generated clients), and a plan, a trip
    and a registration are typed schemas there, not free-form objects."""
    document = service.client.get("/openapi.json").json()
    ids = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert {"post_registrations", "get_registration", "list_registrations", "post_event",
            "post_plan", "get_plan", "delete_plan", "get_trip", "post_points"} <= ids  # fmt: skip
    schemas = document["components"]["schemas"]
    assert {"Plan", "Trip", "RegistrationOut", "RegistrationSummary"} <= set(schemas)
    assert "trips" in schemas["Plan"]["properties"]
    assert schemas["TripOut"]["properties"]["trip"] == {"$ref": "#/components/schemas/Trip"}

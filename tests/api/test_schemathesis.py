"""Property-based API tests generated from the service's own OpenAPI document
(schemathesis): whatever the generated requests hold, the service never answers 5xx.

The calls carry an admin token, so they reach the handlers rather than stopping at 401; human
resources' calls run once more with an `hr` token of the region. The database is a SQLite
file holding a point, registrations (one a returnee with needs) and a job posting, so that
generated ids sometimes hit real rows and the ledger, the warnings and the reports count
something.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from pointplan.api import Settings, create_app
from pointplan.store.database import Database, migrate
from pointplan.store.tokens import add_token

_FOLDER = Path(tempfile.mkdtemp(prefix="pointplan-fuzz-"))
APP = create_app(Settings(database_url=f"sqlite:///{_FOLDER / 'service.db'}", max_time_limit=1))
TOKEN: dict[str, str] = {}
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def running_app() -> Iterator[None]:
    """The app with its lifespan entered, an admin token, a point and a registration."""
    url = f"sqlite:///{_FOLDER / 'service.db'}"
    db = Database(url)
    migrate(db.engine)
    with db.session() as session:
        TOKEN["admin"] = add_token(session, "fuzz", "admin")
        TOKEN["hr"] = add_token(session, "fuzz-hr", "hr", "15")
    with TestClient(APP) as client:
        headers = {"Authorization": f"Bearer {TOKEN['admin']}"}
        point = client.post(
            "/v1/points",
            headers=headers,
            json=[{"point_id": "P1", "name": "站", "lat": 40.7, "lon": 111.2, "adcode": "150121"}],
        )
        assert point.status_code == 200, point.text
        registration = client.post(
            "/v1/registrations",
            headers=headers,
            json=[
                {
                    "registration_id": "R1",
                    "direction": "return_to_work",
                    "origin": "150121",
                    "destination": "150203",
                    "earliest_date": "2022-11-21",
                    "latest_date": "2022-11-21",
                }
            ],
        )
        assert registration.json()["accepted"] == 1, registration.text  # ids generated may hit it
        returnee = client.post(
            "/v1/registrations",
            headers=headers,
            json=[
                {
                    "registration_id": "R2",
                    "direction": "return_home",
                    "origin": "110105",
                    "destination": "150121",
                    "earliest_date": "2022-11-21",
                    "latest_date": "2022-11-21",
                    "registered_at": "2022-11-21",
                    "return_reason": "layoff",
                    "needs": "job;rights",
                    "trade": "建筑",
                }
            ],
        )
        assert returnee.json()["accepted"] == 1, returnee.text
        job = {"job_id": "J1", "employer": "公司", "county": "150121", "openings": 1, "wage": 1}
        posted = client.post("/v1/hr/jobs", headers=headers, json=[job])
        assert posted.status_code == 200, posted.text
        yield
    db.dispose()
    shutil.rmtree(_FOLDER, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
def test_no_server_error(case: schemathesis.Case[Any]) -> None:
    """No generated request gets a 5xx."""
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN['admin']}"}, checks=[not_a_server_error]
    )


@schema.include(path_regex="^/v1/hr/").parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
def test_no_server_error_as_hr(case: schemathesis.Case[Any]) -> None:
    """No generated request to human resources' calls gets a 5xx with an hr token."""
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN['hr']}"}, checks=[not_a_server_error]
    )

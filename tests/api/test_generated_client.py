"""A registration system's client, generated from a running `pointplan serve`'s /openapi.json by
a standard generator (openapi-python-client), drives a planner's day against that server: so a
drift between the document and the service fails here. The client has typed models for a
registration, a plan and a trip."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx2 as httpx
import pytest

from tests.api.live import LIVE_TIMEOUT, free_port, fresh_database, serve, token_add

pytestmark = pytest.mark.slow
PACKAGE = "pointplan_client"


@pytest.fixture(params=["sqlite", "postgresql"])
def generated(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, str, ModuleType]]:
    """A running server on each database (its base URL and an admin token) and the client
    package generated from its /openapi.json."""
    with fresh_database(request.param, tmp_path) as url:
        yield from _generated(url, tmp_path)


def _generated(url: str, tmp_path: Path) -> Iterator[tuple[str, str, ModuleType]]:
    admin = token_add(url, "system", "--role", "admin")
    port = free_port()
    with serve(url, port, tmp_path / "serve.log"):
        base = f"http://127.0.0.1:{port}"
        document = tmp_path / "openapi.json"
        document.write_bytes(httpx.get(f"{base}/openapi.json", timeout=LIVE_TIMEOUT).content)
        tools = Path(sys.executable).parent
        subprocess.run(
            [str(tools / "openapi-python-client"), "generate", "--path", str(document),
             "--meta", "none", "--output-path", str(tmp_path / PACKAGE)],
            check=True,
            capture_output=True,
            env={**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"},
        )  # fmt: skip
        sys.path.insert(0, str(tmp_path))
        try:
            yield base, admin, importlib.import_module(PACKAGE)
        finally:
            sys.path.remove(str(tmp_path))
            for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
                del sys.modules[name]


def _module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_a_generated_client_drives_a_planners_day(generated: tuple[str, str, ModuleType]) -> None:
    """Points, a batch of registrations (one rejected, naming the field), a registration read
    back as a typed model, a plan asked for and polled until done (plan.json as the typed
    `Plan`, its trips as `Trip`), a trip with its manifest, and its first day published."""
    base, token, package = generated
    models = _module("models")
    with package.AuthenticatedClient(base_url=base, token=token, timeout=LIVE_TIMEOUT) as client:
        point = models.PointIn(point_id="BS-150121", name="土默特左旗汽车站", lat=40.73, lon=111.17,
                               adcode="150121")  # fmt: skip
        saved = _module("api.points.post_points").sync(client=client, body=[point])
        assert (saved.created, saved.updated) == (1, 0)

        def item(rid: str, **changes: Any) -> Any:
            fields = {"registration_id": rid, "direction": "return_to_work", "origin": "150121",
                      "destination": "150203", "earliest_date": "2022-11-21",
                      "latest_date": "2022-11-21", "party_size": 2, "name": "张三",
                      "id_number": "11010519491231002X", "phone": "13812345678"}  # fmt: skip
            return models.PostRegistrationsBodyItem.from_dict({**fields, **changes})

        batch = _module("api.registrations.post_registrations").sync(
            client=client, body=[item("G1"), item("G2", party_size=1), item("G3", phone="12345")]
        )
        assert batch.accepted == 2
        assert [(r.index, r.registration_id) for r in batch.rejected] == [(2, "G3")]
        assert "phone" in batch.rejected[0].reason
        one = _module("api.registrations.get_registration").sync("G1", client=client)
        assert isinstance(one, models.RegistrationOut)
        assert one.version == 1 and one.status == "registered"

        body = models.PlanIn(area="150121", date_from=dt.date(2022, 11, 21),
                             date_to=dt.date(2022, 11, 21), time_limit=2)  # fmt: skip
        accepted = _module("api.plans.post_plan").sync(client=client, body=body)
        assert isinstance(accepted, models.PlanAccepted)
        get_plan = _module("api.plans.get_plan")
        deadline = time.monotonic() + 90
        job = get_plan.sync(accepted.plan_id, client=client)
        while job.status.value in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.3)
            job = get_plan.sync(accepted.plan_id, client=client)
        assert job.status.value == "done", job
        assert isinstance(job.plan, models.Plan)
        assert job.plan.summary.served_passengers == 3
        trip = job.plan.trips[0]
        assert isinstance(trip, models.Trip)
        read = _module("api.plans.get_trip").sync(accepted.plan_id, trip.trip_id, client=client)
        assert isinstance(read, models.TripOut) and read.trip.trip_id == trip.trip_id
        assert sorted(line.registration_id for line in read.manifest) == ["G1", "G2"]
        published = _module("api.plans.publish_plan").sync(
            accepted.plan_id, client=client, body=models.PublishIn(through=trip.date)
        )
        assert isinstance(published, models.Published) and published.published_trips >= 1

"""Fixtures of the service tests: every test runs on a SQLite file and on a fresh PostgreSQL
database, through a `TestClient` whose lifespan has run (so the schema is migrated), with a
token of every role for Hohhot (1501) and Baotou (1502).

The database and the app are made once per backend; tests keep to themselves by using their
own registration ids (`new_id`) and never count rows they did not write.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql
from sqlalchemy import select

from pointplan.api import Settings, create_app
from pointplan.domain.events import CHINA_TIME
from pointplan.store import models
from pointplan.store.database import Database, migrate
from pointplan.store.sealing import new_key
from pointplan.store.tokens import add_token, revoke_tokens

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_SERVER = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/test"

HOHHOT, BAOTOU = "1501", "1502"
TUZUOQI = "150121"  # 呼和浩特市土默特左旗
XINCHENG = "150102"  # 呼和浩特市新城区
KUNDULUN = "150203"  # 包头市昆都仑区
QINGSHAN = "150204"  # 包头市青山区

NAME, OTHER_NAME = "张三丰", "李四光"
ID_NUMBER, OTHER_ID_NUMBER = "11010519491231002X", "15012119900101123X"
PHONE, OTHER_PHONE = "13812345678", "13987654321"
PERSONAL_VALUES = (NAME, OTHER_NAME, ID_NUMBER, OTHER_ID_NUMBER, PHONE, OTHER_PHONE)

ROLES = ("planner", "registrar", "viewer", "hr")
WHO = ("admin", *(f"{role}-{area}" for area in (HOHHOT, BAOTOU) for role in ROLES))
"""The token names: `admin`, and `<role>-<area>` for each role and both areas."""


def new_id(prefix: str = "R") -> str:
    """A registration id no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def registration(
    registration_id: str, origin: str = TUZUOQI, destination: str = KUNDULUN, **overrides: Any
) -> dict[str, Any]:
    """A valid registration as a registration system sends it (Tumed Left Banner -> Baotou,
    with personal data); keywords override or add keys."""
    item: dict[str, Any] = {
        "registration_id": registration_id,
        "direction": "return_to_work",
        "origin": origin,
        "destination": destination,
        "earliest_date": "2022-11-21",
        "latest_date": "2022-11-22",
        "party_size": 2,
        "name": NAME,
        "id_number": ID_NUMBER,
        "phone": PHONE,
    }
    item.update(overrides)
    return item


DATA_KEY = new_key()
"""The data key of the test services (personal data is sealed with it at rest)."""


def now_in_china(minutes: float = 0) -> str:
    """Now (plus `minutes`) in Beijing time, with its offset, as an event's time."""
    moment = dt.datetime.now(CHINA_TIME) + dt.timedelta(minutes=minutes)
    return moment.isoformat(timespec="seconds")


def event(kind: str = "boarded", **overrides: Any) -> dict[str, Any]:
    """A status event body, dated now (events may not predate the registration's receipt);
    keywords override or add keys."""
    body: dict[str, Any] = {
        "event": kind,
        "time": now_in_china(),
        "place": "土默特左旗汽车站",
        "note": "",
    }
    if kind == "health_checked":
        body["result"] = "normal"
    body.update(overrides)
    return body


def point(point_id: str, adcode: str = TUZUOQI, **overrides: Any) -> dict[str, Any]:
    """A point body (the points-file columns)."""
    body: dict[str, Any] = {
        "point_id": point_id,
        "name": "土默特左旗汽车站",
        "lat": 40.73,
        "lon": 111.17,
        "adcode": adcode,
    }
    body.update(overrides)
    return body


def locations(response: httpx.Response) -> list[list[str | int]]:
    """The `loc` of each error of a 422 answer."""
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list), detail
    return [entry["loc"] for entry in detail]


@dataclass
class Service:
    """The running app of one backend, its tokens, and a side door to its database."""

    url: str
    client: TestClient
    tokens: dict[str, str]
    db: Database

    def auth(self, who: str) -> dict[str, str]:
        """The Authorization header of token `who` (one of `WHO`, or `revoked`)."""
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def post_registrations(self, items: Any, who: str = "admin") -> httpx.Response:
        """POST /v1/registrations as `who`."""
        return self.client.post("/v1/registrations", json=items, headers=self.auth(who))

    def get_registration(self, registration_id: str, who: str = "admin") -> httpx.Response:
        """GET /v1/registrations/{id} as `who`."""
        return self.client.get(f"/v1/registrations/{registration_id}", headers=self.auth(who))

    def post_event(
        self, registration_id: str, body: dict[str, Any], who: str = "admin"
    ) -> httpx.Response:
        """POST /v1/registrations/{id}/events as `who`."""
        return self.client.post(
            f"/v1/registrations/{registration_id}/events", json=body, headers=self.auth(who)
        )

    def post_raw(self, path: str, body: str, who: str = "admin") -> httpx.Response:
        """POST `body`, JSON text as written (escapes such as a lone surrogate's `\\ud800`
        stay as they are), to `path` as `who`."""
        headers = {**self.auth(who), "Content-Type": "application/json"}
        return self.client.post(path, content=body.encode("ascii"), headers=headers)

    def post_json_ascii(self, path: str, value: Any, who: str = "admin") -> httpx.Response:
        """POST `value` as ASCII JSON (any string survives, lone surrogates included)."""
        return self.post_raw(path, json.dumps(value, ensure_ascii=True), who)

    def mark_planned(self, registration_id: str) -> None:
        """Record, as a plan would, that a registration is on a trip (a side door: no plan
        is solved)."""
        with self.db.session() as session:
            stored = session.get(models.Registration, registration_id)
            assert stored is not None
            stored.status = "planned"
            session.add(
                models.RegistrationEvent(
                    registration_id=registration_id,
                    kind="planned",
                    time=models.event_now(),
                    note="test",
                    actor="test",
                )
            )

    def solved_plan(
        self, area: str, date_from: str, date_to: str, time_limit: float = 2
    ) -> dict[str, Any]:
        """Ask for a plan as admin and wait for it (90 s at most); its plan.json, which must
        be done."""
        return self.solved(area, date_from, date_to, time_limit)[1]

    def solved(
        self, area: str, date_from: str, date_to: str, time_limit: float = 2, **body: Any
    ) -> tuple[str, dict[str, Any]]:
        """Ask for a plan as admin (more of the body in `body`) and wait for it (90 s at
        most); its id and plan.json, which must be done."""
        body.update(area=area, date_from=date_from, date_to=date_to, time_limit=time_limit)
        response = self.client.post("/v1/plans", json=body, headers=self.auth("admin"))
        assert response.status_code == 202, response.text
        plan_id: str = response.json()["plan_id"]
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            job = self.client.get(f"/v1/plans/{plan_id}", headers=self.auth("admin")).json()
            if job["status"] not in ("queued", "running"):
                assert job["status"] == "done", job
                plan: dict[str, Any] = job["plan"]
                return plan_id, plan
            time.sleep(0.3)
        raise AssertionError(f"plan {plan_id} did not finish within 90 s")

    def listed(self, who: str = "admin", **params: Any) -> tuple[set[str], int]:
        """Every registration id `who` may list with `params`, page after page, and the
        answer's status (the first that is not 200, else 200)."""
        found: set[str] = set()
        query: dict[str, Any] = {"limit": 1000, **params}
        while True:
            response = self.client.get("/v1/registrations", params=query, headers=self.auth(who))
            if response.status_code != 200:
                return found, response.status_code
            body = response.json()
            found.update(item["registration_id"] for item in body["items"])
            if body["next_cursor"] is None:
                return found, 200
            query["cursor"] = body["next_cursor"]

    def post_points(self, items: Any, who: str = "admin") -> httpx.Response:
        """POST /v1/points as `who`."""
        return self.client.post("/v1/points", json=items, headers=self.auth(who))

    def create(self, *items: dict[str, Any]) -> None:
        """Store registrations as admin; every one must be accepted."""
        response = self.post_registrations(list(items))
        assert response.status_code == 200, response.text
        assert response.json() == {"accepted": len(items), "rejected": []}

    def stored(self, prefix: str) -> dict[str, tuple[int, list[str]]]:
        """The stored registrations whose id starts with `prefix`: id -> (version, event kinds),
        read straight from the database."""
        with self.db.session() as session:
            rows = session.scalars(
                select(models.Registration).where(
                    models.Registration.registration_id.startswith(prefix)
                )
            ).all()
            events = session.scalars(
                select(models.RegistrationEvent)
                .where(models.RegistrationEvent.registration_id.startswith(prefix))
                .order_by(models.RegistrationEvent.id)
            ).all()
            kinds: dict[str, list[str]] = {row.registration_id: [] for row in rows}
            for row in events:
                kinds[row.registration_id].append(row.kind)
            return {row.registration_id: (row.version, kinds[row.registration_id]) for row in rows}


def _server_answers() -> str | None:
    """None when something listens at the PostgreSQL address, else why not."""
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=3):
            return None
    except OSError as error:
        return str(error)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for the duration of the block; dropped afterwards."""
    why = _server_answers()
    if why is not None:
        pytest.skip(f"no PostgreSQL server at {PG_HOST}:{PG_PORT}: {why}")
    name = f"pointplan_test_{secrets.token_hex(6)}"
    with psycopg.connect(PG_SERVER, autocommit=True) as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with psycopg.connect(PG_SERVER, autocommit=True) as server:
            server.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            server.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The SQLAlchemy URL of an empty database: a SQLite file, or a fresh PostgreSQL database
    (the test is skipped when no PostgreSQL server answers)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('api') / 'pointplan.db'}"
        return
    with postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def service(database_url: str) -> Iterator[Service]:
    """The app on `database_url`, its lifespan running, with the tokens of `WHO` and a
    revoked one."""
    db = Database(database_url)
    try:
        migrate(db.engine)
        tokens: dict[str, str] = {}
        with db.session() as session:
            tokens["admin"] = add_token(session, "admin", "admin")
            for who in WHO[1:]:
                role, area = who.split("-")
                tokens[who] = add_token(session, who, role, area)
            tokens["revoked"] = add_token(session, "revoked", "admin")
            session.flush()
            revoke_tokens(session, "revoked")
        app = create_app(Settings(database_url=database_url, data_keys=DATA_KEY))
        with TestClient(app) as client:
            yield Service(database_url, client, tokens, db)
    finally:
        db.dispose()


ClientFactory = Callable[..., AbstractContextManager[TestClient]]


@pytest.fixture
def client_with(service: Service) -> ClientFactory:
    """Another app on the same database with other settings:
    `with client_with(max_body_bytes=2_000) as client: ...`. Batches are validated in a
    thread unless `validation_processes` says otherwise (a worker process takes a second to
    start)."""

    @contextmanager
    def make(raise_server_exceptions: bool = True, **settings: Any) -> Iterator[TestClient]:
        settings.setdefault("validation_processes", 0)
        settings.setdefault("data_keys", DATA_KEY)
        app = create_app(Settings(database_url=service.url, **settings))
        with TestClient(app, raise_server_exceptions=raise_server_exceptions) as client:
            yield client

    return make

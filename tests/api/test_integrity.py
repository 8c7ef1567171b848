"""Nothing lost, nothing twice; every write recorded with who; no personal data in the logs."""

from __future__ import annotations

import json
import logging
import random
import threading
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

import pointplan.store.registrations as store_registrations
from pointplan.store import models
from tests.api.conftest import (
    OTHER_ID_NUMBER,
    OTHER_NAME,
    OTHER_PHONE,
    PERSONAL_VALUES,
    ClientFactory,
    Service,
    event,
    new_id,
    point,
    registration,
)


def test_nothing_lost_nothing_twice(service: Service) -> None:
    """New registrations, identical resends, changed resends and bad items, shuffled into
    batches of 7: every item is either accepted or rejected with a reason, and the database
    holds exactly the distinct accepted ids, each registered once, each at version 1 + the
    number of accepted sends that changed it (replayed here from the answers)."""
    prefix = new_id("N")
    rng = random.Random(5)
    ids = [f"{prefix}-{n:03d}" for n in range(60)]
    sends: list[dict[str, Any]] = [registration(rid) for rid in ids]
    sends += [registration(rid) for rid in rng.sample(ids, 20)]
    sends += [registration(rid, party_size=rng.randint(1, 4)) for rid in rng.sample(ids, 25)]
    sends += [registration(f"{prefix}-bad-{n}", phone="123") for n in range(10)]
    rng.shuffle(sends)

    party_size: dict[str, int] = {}  # what the database should hold, replayed
    version: dict[str, int] = {}
    accepted = repeats = 0
    for start in range(0, len(sends), 7):
        batch = sends[start : start + 7]
        body = service.post_registrations(batch, who="registrar-1501").json()
        accepted += body["accepted"]
        rejected = {r["index"]: r["reason"] for r in body["rejected"]}
        for index, item in enumerate(batch):
            rid = item["registration_id"]
            if index in rejected:
                earlier = [i["registration_id"] for i in batch[:index]]
                field = "registration_id" if rid in earlier else "phone"
                repeats += rid in earlier
                assert rejected[index].startswith(f"{field}:"), (rid, rejected[index])
                continue
            if rid not in version:
                version[rid] = 1
            elif party_size[rid] != item["party_size"]:
                version[rid] += 1
            party_size[rid] = item["party_size"]
        assert body["accepted"] + len(rejected) == len(batch)

    assert set(version) == set(ids)
    assert accepted == sum(1 for item in sends if "-bad-" not in item["registration_id"]) - repeats
    stored = service.stored(prefix)
    assert set(stored) == set(ids)
    for rid, (stored_version, kinds) in stored.items():
        assert stored_version == version[rid], rid
        assert kinds == ["registered"] + ["updated"] * (version[rid] - 1), rid


def test_concurrent_batches_of_distinct_ids_all_land(
    service: Service, client_with: ClientFactory
) -> None:
    """Four clients posting at once, each its own ids: every one is stored, none twice."""
    prefix = new_id("C")
    answers: list[httpx.Response] = []
    with client_with(raise_server_exceptions=False) as client:

        def post(worker: int) -> None:
            items = [registration(f"{prefix}-{worker}-{n}") for n in range(25)]
            answers.append(
                client.post("/v1/registrations", json=items, headers=service.auth("admin"))
            )

        threads = [threading.Thread(target=post, args=(worker,)) for worker in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
    assert sum(a.json()["accepted"] for a in answers) == 100
    assert len(service.stored(prefix)) == 100


def _post_at_once(
    service: Service,
    client_with: ClientFactory,
    monkeypatch: pytest.MonkeyPatch,
    batches: list[list[dict[str, Any]]],
) -> list[httpx.Response]:
    """Post two batches from two threads, each held after it read the stored registrations
    and before it writes, until both got there (so that the race is certain; a retry is not
    held)."""
    barrier, lock, held = threading.Barrier(2, timeout=10), threading.Lock(), [0]
    refusal = store_registrations._refusal

    def held_refusal(*args: Any, **kwargs: Any) -> Any:
        with lock:
            held[0] += 1
            hold = held[0] <= 2
        if hold:
            barrier.wait()
        return refusal(*args, **kwargs)

    monkeypatch.setattr(store_registrations, "_refusal", held_refusal)
    answers: list[httpx.Response] = []
    with client_with(raise_server_exceptions=False) as client:

        def post(batch: list[dict[str, Any]]) -> None:
            answers.append(
                client.post("/v1/registrations", json=batch, headers=service.auth("admin"))
            )

        threads = [threading.Thread(target=post, args=(batch,)) for batch in batches]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return answers


def test_two_updates_at_once_both_land(
    service: Service, client_with: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two re-sends of one registration, each changing another key, both read version 1
    before either writes: the second to write finds the version moved, reads again and
    writes on top. Both changes are there, version 3: no update is lost, though the last
    writer would have won before."""
    rid = new_id("race")
    service.create(registration(rid))
    batches: list[list[dict[str, Any]]] = [
        [{"registration_id": rid, "party_size": 3}],
        [{"registration_id": rid, "phone": None}],
    ]
    answers = _post_at_once(service, client_with, monkeypatch, batches)
    assert [a.json() for a in answers] == [{"accepted": 1, "rejected": []}] * 2
    stored = service.get_registration(rid).json()
    assert stored["version"] == 3
    assert stored["fields"]["party_size"] == 3 and "phone" not in stored["fields"]


def test_the_same_new_id_sent_twice_at_once_is_stored_once_without_error(
    service: Service, client_with: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests with the same new registration (a retry racing the original), both
    held after they looked the id up and before they write it: both are answered 200 and
    it is stored once."""
    rid = new_id("race")
    batch: list[dict[str, Any]] = [registration(rid)]
    answers = _post_at_once(service, client_with, monkeypatch, [batch, batch])
    assert service.stored(rid) == {rid: (1, ["registered"])}
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]


def test_every_write_is_audited_with_who(service: Service) -> None:
    """Registrations, events and points each leave an audit entry naming the token."""
    rid = new_id()

    def entries() -> dict[str, int]:
        with service.db.session() as session:
            rows = session.execute(
                select(models.AuditEntry.action, func.count())
                .where(models.AuditEntry.actor == "planner-1502")
                .group_by(models.AuditEntry.action)
            ).all()
            return {action: count for action, count in rows}

    before = entries()
    service.create(registration(rid))
    assert service.post_registrations([registration(rid)], who="planner-1502").status_code == 200
    service.mark_planned(rid)
    assert service.post_event(rid, event("confirmed"), who="planner-1502").status_code == 201
    baotou = point(new_id("P"), adcode="150203", name="包头站", lat=40.6, lon=109.8)
    assert service.post_points([baotou], who="planner-1502").status_code == 200
    after = entries()
    grew = {
        action: n - before.get(action, 0)
        for action, n in after.items()
        if n > before.get(action, 0)
    }
    assert grew == {"registrations.save": 1, "registrations.event.confirmed": 1, "points.save": 1}
    with service.db.session() as session:
        target = session.scalars(
            select(models.AuditEntry.target).where(
                models.AuditEntry.action == "registrations.event.confirmed",
                models.AuditEntry.actor == "planner-1502",
            )
        ).all()
    assert rid in target


BAD_ID_NUMBER, BAD_PHONE = "11010519491231002Y", "1381234567"
SECRETS = (*PERSONAL_VALUES, BAD_ID_NUMBER, BAD_PHONE)


def _write_and_read_personal_data(service: Service) -> None:
    """A batch with a good item, items whose id number or phone is bad, an unknown column
    and a duplicate; a resend changing every personal field; a read; an event."""
    prefix = new_id("log")
    batch = [
        registration(f"{prefix}-1"),
        registration(f"{prefix}-2", id_number=BAD_ID_NUMBER),
        registration(f"{prefix}-3", phone=BAD_PHONE),
        registration(f"{prefix}-4", mobile=OTHER_PHONE),
        registration(f"{prefix}-1", name=OTHER_NAME),
    ]
    first = service.post_registrations(batch, who="registrar-1501")
    resend = registration(
        f"{prefix}-1", name=OTHER_NAME, id_number=OTHER_ID_NUMBER, phone=OTHER_PHONE
    )
    second = service.post_registrations([resend], who="registrar-1501")
    read = service.get_registration(f"{prefix}-1", who="registrar-1501")
    recorded = service.post_event(f"{prefix}-1", event("health_checked"), who="registrar-1501")
    assert (first.status_code, second.status_code, read.status_code) == (200, 200, 200)
    assert recorded.status_code == 201
    assert first.json()["accepted"] == 1


def _leaks(records: list[logging.LogRecord]) -> list[str]:
    """The messages of `records` holding a name, id number or phone, as they are or escaped
    as JSON escapes them."""
    forms = {form for value in SECRETS for form in (value, json.dumps(value)[1:-1])}
    return [
        record.getMessage()[:300]
        for record in records
        if any(form in f"{record.getMessage()} {record.args!r}" for form in forms)
    ]


@pytest.mark.parametrize("validation", ["process", "thread"])
def test_no_personal_data_in_any_log_record(
    service: Service,
    client_with: ClientFactory,
    caplog: pytest.LogCaptureFixture,
    validation: str,
) -> None:
    """With logging at DEBUG, no name, id number or phone (good or bad) appears in any log
    record while registrations are written, read and given events. Batches are validated in
    a worker process by default, whose records caplog cannot see, so once more with the
    validation in a thread of this process."""
    with caplog.at_level(logging.DEBUG):
        if validation == "process":
            _write_and_read_personal_data(service)
        else:
            with client_with(validation_processes=0) as client:
                _write_and_read_personal_data(
                    Service(service.url, client, service.tokens, service.db)
                )
    assert caplog.records, "the requests were logged (so the capture works)"
    assert _leaks(caplog.records) == []


def test_no_personal_data_in_the_sql_log(
    service: Service, caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest
) -> None:
    """With SQLAlchemy's SQL logging on (the sqlalchemy.engine logger at INFO, what echo=True
    does, as an operator turns it on to find a slow query) no personal data is logged either.
    (At DEBUG SQLAlchemy also logs the rows it reads, which no engine option hides.)"""
    with caplog.at_level(logging.INFO, logger="sqlalchemy.engine"):
        _write_and_read_personal_data(service)
    assert any(r.name.startswith("sqlalchemy.engine") for r in caplog.records)
    assert _leaks(caplog.records) == []


def test_a_batch_worker_that_dies_loses_no_batch(
    service: Service, client_with: ClientFactory
) -> None:
    """When the batch worker process dies (killed here), the next batches are still saved,
    from a thread while a new worker starts, and every one is stored once."""
    prefix = new_id("W")
    headers = service.auth("admin")
    with client_with(validation_processes=1) as client:
        workers = client.app.state.batch_writer._pool._processes  # type: ignore[attr-defined]

        def post(n: int) -> dict[str, Any]:
            response = client.post(
                "/v1/registrations", json=[registration(f"{prefix}-{n}")], headers=headers
            )
            assert response.status_code == 200, response.text
            return dict(response.json())

        assert post(0) == {"accepted": 1, "rejected": []}  # the worker is up
        for process in list(workers.values()):
            process.kill()
            process.join()
        assert [post(n) for n in (1, 2, 3)] == [{"accepted": 1, "rejected": []}] * 3
    stored = service.stored(prefix)
    assert sorted(stored) == [f"{prefix}-{n}" for n in range(4)]
    assert all(kinds == ["registered"] for _, kinds in stored.values())

"""The service, hardened: each finding of an outside tester's probe of `pointplan serve` (issue
12), as a regression test on SQLite and PostgreSQL. Nothing one caller sends may stall, break
or overrule another, and personal data is guarded at rest.
"""

from __future__ import annotations

import datetime as dt
import json
import stat
import time

import pytest
from sqlalchemy import delete, select

from pointplan.api.jobs import PlanRunner, _Running
from pointplan.cli import main
from pointplan.domain.personal import mask_name
from pointplan.store import models
from pointplan.store.database import sqlite_path
from pointplan.store.models import JobState
from pointplan.store.plans import add_job
from pointplan.store.sealing import Sealer
from pointplan.store.tokens import add_token, token_hash
from tests.api.conftest import (
    BAOTOU,
    DATA_KEY,
    HOHHOT,
    ID_NUMBER,
    KUNDULUN,
    NAME,
    PHONE,
    QINGSHAN,
    TUZUOQI,
    Service,
    event,
    locations,
    new_id,
    now_in_china,
    point,
    registration,
)

# --- one registration stalls all planning -------------------------------------------------


def test_a_window_longer_than_the_setting_is_refused_at_write_time(service: Service) -> None:
    """A window of 61 days is rejected naming latest_date (default limit 60 days); 60 days
    are accepted."""
    long_id, ok_id = new_id("W"), new_id("W")
    items = [
        registration(long_id, earliest_date="2022-11-01", latest_date="2022-12-31"),
        registration(ok_id, earliest_date="2022-11-01", latest_date="2022-12-30"),
    ]
    body = service.post_registrations(items).json()
    assert body["accepted"] == 1
    [rejected] = body["rejected"]
    assert rejected["registration_id"] == long_id
    assert rejected["reason"].startswith("latest_date:") and "60 days" in rejected["reason"]


def _store_directly(service: Service, rid: str, earliest: dt.date, latest: dt.date) -> None:
    """A registration stored as the service stored it before windows had a limit."""
    with service.db.session() as session:
        session.add(
            models.Registration(
                registration_id=rid,
                fields={
                    **registration(rid, name=None, id_number=None, phone=None),
                    "earliest_date": earliest.isoformat(),
                    "latest_date": latest.isoformat(),
                },
                direction="return_to_work",
                origin_adcode=TUZUOQI,
                destination_adcode=KUNDULUN,
                earliest_date=earliest,
                latest_date=latest,
                party_size=2,
            )
        )


def _wait_finished(service: Service, plan_id: str, seconds: float) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body: dict[str, object] = service.client.get(
            f"/v1/plans/{plan_id}", headers=service.auth("admin")
        ).json()
        if body["status"] in ("done", "failed", "cancelled"):
            return body
        time.sleep(0.3)
    raise AssertionError(f"plan {plan_id} did not finish within {seconds:.0f} s")


def test_a_window_to_2099_stored_before_the_limit_stalls_nothing(service: Service) -> None:
    """A registration of 2022-11-21..2099-12-31 stored before the limit existed: a plan of its
    area finishes within its time limit plus the margin (its window is clipped to the plan's
    dates), and the plan queued behind it runs too."""
    rid = new_id("W2099")
    _store_directly(service, rid, dt.date(2022, 11, 21), dt.date(2099, 12, 31))
    body = {"area": TUZUOQI, "date_from": "2022-11-21", "date_to": "2022-11-27", "time_limit": 2}
    started = time.monotonic()
    first = service.client.post("/v1/plans", json=body, headers=service.auth("admin"))
    second = service.client.post("/v1/plans", json=body, headers=service.auth("admin"))
    assert first.status_code == second.status_code == 202
    done = _wait_finished(service, first.json()["plan_id"], 2 + 60)
    assert done["status"] == "done", done["error"]
    assert time.monotonic() - started < 2 + 60
    plan = done["plan"]
    assert isinstance(plan, dict)
    riding = [
        t for t in plan["trips"] if rid in {r for s in t["stops"] for r in s["registrations"]}
    ]
    assert [t["date"] for t in riding] and all(
        "2022-11-21" <= t["date"] <= "2022-11-27" for t in riding
    )
    assert _wait_finished(service, second.json()["plan_id"], 2 + 60)["status"] == "done"


def test_the_runner_stops_a_job_past_its_wall_clock_limit(service: Service) -> None:
    """A job whose process runs past its limit is killed and failed with the reason, and its
    slot is free for the next one."""
    runner = PlanRunner(service.db, 1, Sealer([DATA_KEY]))
    day = dt.date(2022, 11, 21)
    with service.db.session() as session:
        job = add_job(session, "15", day, day, None, None, 1, "test")
        job.status = JobState.RUNNING  # claimed at once: the service's own runner never sees it
    process = runner._context.Process(target=time.sleep, args=(600,), daemon=True)
    process.start()
    runner.running[job.plan_id] = _Running(process, time.monotonic() - 1, 5)
    runner._reap()
    process.join(timeout=10)
    assert not process.is_alive()
    assert job.plan_id not in runner.running
    with service.db.session() as session:
        stored = session.get(models.PlanJob, job.plan_id)
        assert stored is not None
        assert stored.status == "failed"
        assert "wall-clock limit of 5 s" in stored.error


# --- a planner can overwrite another area's points ----------------------------------------


def test_a_planner_cannot_take_over_a_point_of_another_area(service: Service) -> None:
    """A Baotou point re-posted by a Hohhot planner with a Hohhot adcode: 403, the point
    stays as it was."""
    point_id = new_id("PT")
    assert service.post_points([point(point_id, adcode=KUNDULUN)]).status_code == 200
    response = service.post_points([point(point_id, adcode=TUZUOQI, name="改")], "planner-1501")
    assert response.status_code == 403, response.text
    with service.db.session() as session:
        stored = session.get(models.Point, point_id)
        assert stored is not None and (stored.adcode, stored.name) == (KUNDULUN, "土默特左旗汽车站")


# --- lone surrogates, control characters, ids ---------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "\ud800x"),
        ("name", "张\x00三"),
        ("name", "张\u202e三"),
        ("origin", "\ud800"),
        ("phone", "\udfff"),
    ],
)
def test_bad_text_rejects_its_item_and_keeps_the_good_ones(
    service: Service, field: str, value: str
) -> None:
    """A lone surrogate, a NUL or a right-to-left override in any field: that item is
    rejected naming the field, the good items are saved, and both read back."""
    bad_id, good_id = new_id("T"), new_id("T")
    items = [registration(bad_id, **{field: value}), registration(good_id)]
    response = service.post_json_ascii("/v1/registrations", items)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == 1
    [rejected] = body["rejected"]
    assert (rejected["index"], rejected["registration_id"]) == (0, bad_id)
    assert rejected["reason"].startswith(f"{field}:")
    assert service.get_registration(good_id).status_code == 200
    assert service.get_registration(bad_id).status_code == 404


@pytest.mark.parametrize(
    "bad_id", ["\ud800", "R\x00", "R\u202e1", "R" * 101, "R" * 100_000, "R 1", "张三"]
)
def test_a_bad_id_rejects_its_item_without_repeating_it(service: Service, bad_id: str) -> None:
    """Ids are 1 to 100 of A-Z a-z 0-9 . _ -: another is rejected with registration_id null
    (so the answer never carries it), and the good items are saved."""
    good_id = new_id("T")
    response = service.post_json_ascii(
        "/v1/registrations", [registration(bad_id), registration(good_id)]
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == 1
    assert body["rejected"] == [
        {"index": 0, "registration_id": None, "reason": body["rejected"][0]["reason"]}
    ]
    assert body["rejected"][0]["reason"].startswith("registration_id:")
    assert service.stored(good_id) == {good_id: (1, ["registered"])}


def test_a_bad_key_or_value_rejects_only_its_item(service: Service) -> None:
    """An unknown key with a surrogate, a nested value, a list instead of an object: each is
    rejected on its own, naming what is wrong; never a 500, never a 422 for the batch."""
    good_id = new_id("T")
    items = [
        {**registration(new_id("T")), "\ud800": 1},
        {**registration(new_id("T")), "party_size": {"n": 2}},
        ["not", "an", "object"],
        {},
        {"name": ""},
        registration(good_id),
    ]
    response = service.post_json_ascii("/v1/registrations", items)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == 1
    reasons = [r["reason"] for r in body["rejected"]]
    assert [r["index"] for r in body["rejected"]] == [0, 1, 2, 3, 4]
    assert reasons[0].startswith("unknown field(s): \\ud800")
    assert reasons[1].startswith("party_size:")
    assert "object" in reasons[2]
    assert reasons[3:] == ["an item with no values"] * 2


@pytest.mark.parametrize(
    ("path", "body", "where"),
    [
        ("/v1/points", [point("P1", name="站\ud800")], ["body", 0, "name"]),
        ("/v1/points", [point("P\x001")], ["body", 0, "point_id"]),
    ],
)
def test_bad_text_in_points_is_422_naming_the_field(
    service: Service, path: str, body: object, where: list[str | int]
) -> None:
    """Points are refused whole with 422 naming the field."""
    assert where in locations(service.post_json_ascii(path, body))


@pytest.mark.parametrize("field", ["place", "note"])
def test_bad_text_in_an_event_is_422_naming_the_field(service: Service, field: str) -> None:
    """An event's place or note with a lone surrogate or NUL: 422 naming it."""
    rid = new_id()
    service.create(registration(rid))
    for value in ("\ud800", "a\x00b"):
        response = service.post_json_ascii(
            f"/v1/registrations/{rid}/events", event("health_checked", **{field: value})
        )
        assert ["body", field] in locations(response)


@pytest.mark.parametrize("bad_id", ["R%00", "%E2%80%AE", "R" * 101])
def test_a_bad_id_in_the_path_is_422(service: Service, bad_id: str) -> None:
    """A path id of the wrong shape is 422 naming the path, never a 500."""
    response = service.client.get(f"/v1/registrations/{bad_id}", headers=service.auth("admin"))
    assert ["path", "registration_id"] in locations(response)


# --- the status machine -------------------------------------------------------------------


def test_nothing_follows_a_cancellation(service: Service) -> None:
    """cancelled then boarded: 409 with the reason; the status stays cancelled."""
    rid = new_id()
    service.create(registration(rid))
    assert service.post_event(rid, event("cancelled")).status_code == 201
    response = service.post_event(rid, event("boarded"))
    assert response.status_code == 409
    assert "cancelled" in response.json()["detail"]
    assert service.get_registration(rid).json()["status"] == "cancelled"


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        (["boarded"], "boarded cannot follow registered"),
        (["confirmed"], "confirmed cannot follow registered"),
        (["planned", "handed_over"], "handed_over cannot follow planned"),
        (["planned", "boarded", "cancelled"], "cancelled cannot follow boarded"),
        (["planned", "boarded", "handed_over", "boarded"], "boarded cannot follow handed_over"),
    ],
)
def test_events_out_of_order_are_409(service: Service, steps: list[str], refused: str) -> None:
    """Boarding needs a plan, a handover a boarding; nothing after boarding withdraws it."""
    rid = new_id()
    service.create(registration(rid))
    for kind in steps[:-1]:
        if kind == "planned":
            service.mark_planned(rid)
        else:
            assert service.post_event(rid, event(kind)).status_code == 201
    response = service.post_event(rid, event(steps[-1]))
    assert response.status_code == 409, response.text
    assert response.json()["detail"] == refused


def test_a_health_check_dated_before_a_handover_leaves_it_handed_over(service: Service) -> None:
    """The pre-trip check recorded late, dated before the boarding: it joins the history in
    its place, and the status stays handed_over. A follow-up check after the handover is
    allowed too. The history is in the order of event times."""
    rid = new_id()
    service.create(registration(rid))
    service.mark_planned(rid)
    assert service.post_event(rid, event("boarded", time=now_in_china(2))).status_code == 201
    assert service.post_event(rid, event("handed_over", time=now_in_china(3))).status_code == 201
    late = event("health_checked", time=now_in_china(1))
    assert service.post_event(rid, late).status_code == 201
    follow_up = event("health_checked", time=now_in_china(4), result="abnormal")
    assert service.post_event(rid, follow_up).status_code == 201
    stored = service.get_registration(rid).json()
    assert stored["status"] == "handed_over"
    kinds = [h["kind"] for h in stored["history"]]
    assert kinds == [
        "registered",
        "planned",
        "health_checked",
        "boarded",
        "handed_over",
        "health_checked",
    ]


@pytest.mark.parametrize(
    "when", ["1970-01-01T00:00:00+08:00", "2099-12-31T00:00:00+08:00", "9999-12-31T23:59:59-12:00"]
)
def test_event_times_out_of_bounds_are_422(service: Service, when: str) -> None:
    """Before the registration was received, far in the future, or past the calendar's end
    with an offset: 422 naming the time, never a 500; nothing recorded."""
    rid = new_id()
    service.create(registration(rid))
    response = service.post_event(rid, event("health_checked", time=when))
    assert ["body", "time"] in locations(response)
    assert service.stored(rid) == {rid: (1, ["registered"])}


# --- one end cannot move a record out of the other end's area -----------------------------


def test_a_caller_of_one_end_cannot_move_the_other_end(service: Service) -> None:
    """A Baotou planner re-posts a Tumed Left Banner -> Kundulun registration with a Baotou
    origin: rejected (403 in its reason), and the Hohhot registrar still has it."""
    rid = new_id()
    service.create(registration(rid))
    moved = registration(rid, origin="150202")
    body = service.post_registrations([moved], who="planner-1502").json()
    assert body["accepted"] == 0
    [rejected] = body["rejected"]
    assert rejected["reason"].startswith("origin:") and "(403)" in rejected["reason"]
    stored = service.get_registration(rid, who="registrar-1501")
    assert stored.status_code == 200
    assert stored.json()["origin_adcode"] == TUZUOQI


def test_a_caller_may_change_its_own_end_within_its_area(service: Service) -> None:
    """A Baotou planner moves the destination from Kundulun to Qingshan (both Baotou)."""
    rid = new_id()
    service.create(registration(rid))
    body = service.post_registrations(
        [{"registration_id": rid, "destination": QINGSHAN}], who="planner-1502"
    ).json()
    assert body == {"accepted": 1, "rejected": []}
    assert service.get_registration(rid).json()["destination_adcode"] == QINGSHAN


def test_a_resend_changes_only_the_keys_it_carries(service: Service) -> None:
    """A re-send of just the party size keeps the name, id number and phone; null removes a
    field; the history records each change."""
    rid = new_id()
    service.create(registration(rid))
    assert service.post_registrations([{"registration_id": rid, "party_size": 3}]).json() == {
        "accepted": 1,
        "rejected": [],
    }
    fields = service.get_registration(rid).json()["fields"]
    assert (fields["name"], fields["id_number"], fields["phone"], fields["party_size"]) == (
        NAME,
        ID_NUMBER,
        PHONE,
        3,
    )
    service.create({"registration_id": rid, "phone": None})
    stored = service.get_registration(rid).json()
    assert "phone" not in stored["fields"] and stored["fields"]["name"] == NAME
    assert [h["changes"] for h in stored["history"][1:]] == [
        {"party_size": {"from": 2, "to": 3}},
        {"phone": "changed"},
    ]
    assert stored["version"] == 3


def test_a_stale_version_is_rejected_as_409(service: Service) -> None:
    """Two writers read version 1; the first update wins (version 2), the second is rejected
    `stale (409)` and changes nothing; sent with the version it now reads, it goes in."""
    rid = new_id()
    service.create(registration(rid))
    first = service.post_registrations([{"registration_id": rid, "party_size": 3, "version": 1}])
    assert first.json() == {"accepted": 1, "rejected": []}
    second = service.post_registrations([{"registration_id": rid, "party_size": 4, "version": 1}])
    assert second.json()["rejected"] == [
        {"index": 0, "registration_id": rid, "reason": "stale (409)"}
    ]
    assert service.get_registration(rid).json()["fields"]["party_size"] == 3
    third = service.post_registrations([{"registration_id": rid, "party_size": 4, "version": 2}])
    assert third.json() == {"accepted": 1, "rejected": []}


# --- tokens without an area ---------------------------------------------------------------


def test_a_non_admin_token_needs_an_area(service: Service) -> None:
    """Making one is refused; one stored before that rule opens nothing (401)."""
    with service.db.session() as session, pytest.raises(ValueError, match="needs an area"):
        add_token(session, "no-area", "planner", "")
    secret = "pp_legacy_" + new_id()
    with service.db.session() as session:
        session.add(
            models.Token(name="legacy", role="registrar", area="", token_hash=token_hash(secret))
        )
    response = service.client.get("/v1/plans/abc", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert "needs an area" in response.json()["detail"]


# --- at rest ------------------------------------------------------------------------------


def test_the_database_file_is_its_owners_only_and_holds_no_id_number(service: Service) -> None:
    """The SQLite file and its WAL are 0600; the stored row holds neither the id number nor
    the phone in clear, and reads give them back."""
    rid = new_id()
    service.create(registration(rid))
    with service.db.session() as session:
        stored = session.get(models.Registration, rid)
        assert stored is not None
        raw = json.dumps(stored.fields, ensure_ascii=False)
    assert ID_NUMBER not in raw and PHONE not in raw
    assert service.get_registration(rid).json()["fields"]["id_number"] == ID_NUMBER
    path = sqlite_path(service.url)
    if path is None:
        return  # PostgreSQL: its files are the server's
    for file in (path, path.with_name(path.name + "-wal")):
        assert file.exists()
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
        assert ID_NUMBER.encode() not in file.read_bytes()


def test_reads_of_personal_data_are_audited_and_answers_not_cached(service: Service) -> None:
    """GET of a registration (unmasked) leaves an audit entry naming the reader; every
    answer says no-store and nosniff."""
    rid = new_id()
    service.create(registration(rid))
    response = service.get_registration(rid, who="registrar-1501")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    with service.db.session() as session:
        readers = session.scalars(
            select(models.AuditEntry.actor).where(
                models.AuditEntry.action == "registrations.read", models.AuditEntry.target == rid
            )
        ).all()
    assert readers == ["registrar-1501"]
    assert service.client.get("/healthz").headers["cache-control"] == "no-store"


def test_an_id_outside_the_area_answers_as_an_unknown_one(service: Service) -> None:
    """A Hohhot registrar asking for a Baotou registration gets the same 404 as for an id
    that does not exist: nobody learns which ids exist elsewhere."""
    rid = new_id()
    service.create(registration(rid, origin=KUNDULUN, destination=QINGSHAN))
    elsewhere = service.get_registration(rid, who="registrar-1501")
    assert elsewhere.status_code == 404
    assert elsewhere.json() == {"detail": f"no registration {rid!r}"}
    event_elsewhere = service.post_event(rid, event("confirmed"), who=f"registrar-{HOHHOT}")
    assert event_elsewhere.status_code == 404
    assert service.get_registration(rid, who=f"registrar-{BAOTOU}").status_code == 200


def test_json_sent_as_text_plain_is_415(service: Service) -> None:
    """A body that does not say it is JSON is refused, never parsed."""
    response = service.client.post(
        "/v1/registrations",
        content=json.dumps([registration(new_id())]),
        headers={**service.auth("admin"), "Content-Type": "text/plain"},
    )
    assert response.status_code == 415


def test_reasons_name_the_field_and_rule_without_the_value(service: Service) -> None:
    """Places, points, dates: the reason never repeats what was sent."""
    values = {
        "origin": "火星村甲号",
        "pickup_point": "PT-nowhere-42",
        "earliest_date": "2022-1x-01",
    }
    items = [registration(new_id(), **{field: value}) for field, value in values.items()]
    body = service.post_registrations(items).json()
    text = json.dumps(body, ensure_ascii=False)
    assert len(body["rejected"]) == 3
    assert not [value for value in values.values() if value in text]


def test_a_one_character_name_is_masked() -> None:
    """张 is shown to viewers as *, never as itself."""
    assert mask_name("张") == "*"
    assert mask_name("张三") == "张*"


def test_a_name_with_a_surrogate_stored_before_the_checks_breaks_no_read(
    service: Service, capsys: pytest.CaptureFixture[str]
) -> None:
    """A lone surrogate stored before text was checked (the JSON column of either database
    holds it as an escape): reading the registration answers 200, the character as its JSON
    escape, and `pointplan db check` lists the field to mend."""
    rid = new_id()
    service.create(registration(rid))
    with service.db.session() as session:
        stored = session.get(models.Registration, rid)
        assert stored is not None
        stored.fields = {**stored.fields, "name": "\ud800x"}
    try:
        response = service.get_registration(rid)
        assert response.status_code == 200
        assert b'"name":"\\ud800x"' in response.content
        assert main(["db", "check", "--db", service.url]) == 2
        assert f"registrations\t{rid}\tname" in capsys.readouterr().out
    finally:  # the shared database's plans should not meet it
        with service.db.session() as session:
            session.execute(
                delete(models.Registration).where(models.Registration.registration_id == rid)
            )


def test_a_stored_id_of_a_bad_shape_is_listed_by_the_check_command(service: Service) -> None:
    """`pointplan db check` lists a stored id the checks now refuse, and drops nothing."""
    rid = "R 1/" + new_id()  # a space and a slash: stored before ids were checked
    _store_directly(service, rid, dt.date(2022, 11, 21), dt.date(2022, 11, 22))
    try:
        assert main(["db", "check", "--db", service.url]) == 2
        with service.db.session() as session:
            assert session.get(models.Registration, rid) is not None
    finally:  # the shared database's plans should not meet it
        with service.db.session() as session:
            session.execute(
                delete(models.Registration).where(models.Registration.registration_id == rid)
            )

"""POST /v1/registrations, GET /v1/registrations/{id} and POST /v1/registrations/{id}/events:
every answer and every error code they have."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pointplan.domain.events import CHINA_TIME
from tests.api.conftest import (
    ID_NUMBER,
    KUNDULUN,
    NAME,
    OTHER_ID_NUMBER,
    OTHER_NAME,
    OTHER_PHONE,
    PERSONAL_VALUES,
    PHONE,
    QINGSHAN,
    ClientFactory,
    Service,
    event,
    locations,
    new_id,
    now_in_china,
    registration,
)

# --- POST /v1/registrations -------------------------------------------------------------


def test_a_batch_is_accepted_and_stored_once_each(service: Service) -> None:
    """Three new registrations: accepted 3, each stored at version 1 with one `registered`
    event recorded by the caller."""
    prefix = new_id("B")
    ids = [f"{prefix}-{n}" for n in range(3)]
    response = service.post_registrations([registration(rid) for rid in ids], who="registrar-1501")
    assert response.status_code == 200
    assert response.json() == {"accepted": 3, "rejected": []}
    assert service.stored(prefix) == {rid: (1, ["registered"]) for rid in ids}
    history = service.get_registration(ids[0]).json()["history"]
    assert [(h["kind"], h["actor"]) for h in history] == [("registered", "registrar-1501")]


def test_an_empty_batch_accepts_nothing(service: Service) -> None:
    """[] is a valid batch of nothing."""
    response = service.post_registrations([])
    assert response.status_code == 200
    assert response.json() == {"accepted": 0, "rejected": []}


# Each bad item of a mixed batch, and the field its reason must start with.
BAD_ITEMS: list[tuple[dict[str, Any], str]] = [
    (registration("{id}-phone", phone="1381234567"), "phone"),
    (registration("{id}-idnum", id_number="11010519491231002Y"), "id_number"),
    (registration("{id}-date", earliest_date="2022-13-01"), "earliest_date"),
    (registration("{id}-order", earliest_date="2022-11-23"), "earliest_date"),
    (registration("{id}-dir", direction="sideways"), "direction"),
    (registration("{id}-origin", origin=""), "origin"),
    (registration("{id}-party", party_size=0), "party_size"),
    (registration("{id}-pickup", pickup_point="no-such-point"), "pickup_point"),
]


def _with_id(item: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {**item, "registration_id": item["registration_id"].format(id=prefix)}


def test_a_mixed_batch_accepts_the_good_and_lists_each_bad_with_its_field(
    service: Service,
) -> None:
    """Good items around bad ones: the good are stored; each bad one is listed with its
    index, its registration_id and a reason naming the field, never repeating personal
    data; nothing of a bad one is stored."""
    prefix = new_id("M")
    good = [registration(f"{prefix}-good-{n}") for n in range(2)]
    bad = [_with_id(item, prefix) for item, _ in BAD_ITEMS]
    items = [good[0], *bad, good[1]]
    response = service.post_registrations(items)
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 2
    rejected = body["rejected"]
    assert [r["index"] for r in rejected] == list(range(1, len(bad) + 1))
    assert [r["registration_id"] for r in rejected] == [item["registration_id"] for item in bad]
    for entry, (_, field) in zip(rejected, BAD_ITEMS, strict=True):
        assert entry["reason"].startswith(f"{field}:"), entry
    text = json.dumps(body, ensure_ascii=False)
    assert not [value for value in (*PERSONAL_VALUES, "1381234567") if value in text]
    assert set(service.stored(prefix)) == {item["registration_id"] for item in good}


def test_an_item_without_registration_id_is_listed_with_null_id(service: Service) -> None:
    """An item lacking its id and required fields is rejected with registration_id null and
    a reason naming every missing field."""
    response = service.post_registrations([{"direction": "return_home"}])
    body = response.json()
    assert body["accepted"] == 0
    [entry] = body["rejected"]
    assert entry["index"] == 0
    assert entry["registration_id"] is None
    for field in ("registration_id", "origin", "destination", "earliest_date", "latest_date"):
        assert f"{field}:" in entry["reason"]


def test_unknown_keys_reject_the_item_naming_them(service: Service) -> None:
    """Keys that are not registration columns reject that item (a misspelt column is not
    silently ignored), naming each unknown key; the rest of the batch is accepted."""
    prefix = new_id("U")
    items = [
        registration(f"{prefix}-a", telephone=PHONE, shoe_size=42),
        registration(f"{prefix}-b"),
    ]
    body = service.post_registrations(items).json()
    assert body["accepted"] == 1
    assert body["rejected"] == [
        {
            "index": 0,
            "registration_id": f"{prefix}-a",
            "reason": "unknown field(s): shoe_size, telephone",
        }
    ]
    assert set(service.stored(prefix)) == {f"{prefix}-b"}


def test_chinese_keys_are_the_columns_they_name(service: Service) -> None:
    """An item keyed in Chinese (the contract's aliases, 返乡原因 and 服务需求 too) is stored
    under the columns' names; an item giving one column twice is rejected naming both keys."""
    prefix = new_id("Z")
    chinese = {"编号": f"{prefix}-a", "方向": "返乡", "出发地": KUNDULUN, "目的地": "150121",
               "最早日期": "2022/11/21", "最晚日期": "2022年11月23日", "人数": 2,
               "报名时间": "2022-11-18 08:30", "用人单位": "包钢", "工种": "焊工",
               "返乡原因": "裁员", "服务需求": "就业、培训"}  # fmt: skip
    twice = registration(f"{prefix}-b", **{"编号": f"{prefix}-b"})
    body = service.post_registrations([chinese, twice]).json()
    assert body["accepted"] == 1
    assert body["rejected"] == [
        {
            "index": 1,
            "registration_id": f"{prefix}-b",
            "reason": "keys registration_id and 编号 are both registration_id; send one",
        }
    ]
    fields = service.get_registration(f"{prefix}-a").json()["fields"]
    assert fields["direction"] == "返乡" and fields["return_reason"] == "裁员"
    assert fields["employer"] == "包钢" and fields["needs"] == "就业、培训"
    assert "编号" not in fields


def test_the_richer_record_is_validated_like_the_rest(service: Service) -> None:
    """registered_at, return_reason and needs out of their domain reject the item naming
    the field; a return_to_work item may not carry a return reason."""
    prefix = new_id("V")
    items = [
        registration(f"{prefix}-a", registered_at="yesterday"),
        registration(f"{prefix}-b", return_reason="layoff"),
        registration(f"{prefix}-c", direction="return_home", needs="money"),
        registration(f"{prefix}-d", employer="包钢", trade="焊工", registered_at="2022-11-18"),
    ]
    body = service.post_registrations(items).json()
    assert body["accepted"] == 1
    assert [(r["index"], r["reason"].split(":")[0]) for r in body["rejected"]] == [
        (0, "registered_at"),
        (1, "return_reason"),
        (2, "needs"),
    ]


def test_an_id_twice_in_one_batch_keeps_the_first(service: Service) -> None:
    """The second item with the same registration_id is rejected as a duplicate naming the
    first; the first is stored, once, with its own values."""
    rid = new_id("D")
    items = [registration(rid, party_size=1), registration(rid, party_size=5)]
    body = service.post_registrations(items).json()
    assert body["accepted"] == 1
    [entry] = body["rejected"]
    assert (entry["index"], entry["registration_id"]) == (1, rid)
    assert entry["reason"].startswith("registration_id:")
    assert "duplicate" in entry["reason"]
    assert service.stored(rid) == {rid: (1, ["registered"])}
    assert service.get_registration(rid).json()["fields"]["party_size"] == 1


def test_a_resend_updates_and_records_what_changed(service: Service) -> None:
    """The same id again with other values: version 2, the new values, and an `updated`
    event listing each change; personal fields only as "changed", never their values."""
    rid = new_id()
    service.create(registration(rid))
    changed = registration(
        rid,
        party_size=3,
        latest_date="2022-11-23",
        name=OTHER_NAME,
        id_number=OTHER_ID_NUMBER,
        phone=OTHER_PHONE,
    )
    response = service.post_registrations([changed], who="registrar-1501")
    assert response.json() == {"accepted": 1, "rejected": []}

    stored = service.get_registration(rid).json()
    assert stored["version"] == 2
    assert stored["fields"]["name"] == OTHER_NAME
    assert stored["fields"]["party_size"] == 3
    assert [h["kind"] for h in stored["history"]] == ["registered", "updated"]
    update = stored["history"][1]
    assert update["actor"] == "registrar-1501"
    assert update["changes"] == {
        "id_number": "changed",
        "latest_date": {"from": "2022-11-22", "to": "2022-11-23"},
        "name": "changed",
        "party_size": {"from": 2, "to": 3},
        "phone": "changed",
    }
    history = json.dumps(stored["history"], ensure_ascii=False)
    assert not [value for value in PERSONAL_VALUES if value in history]


def test_a_personal_field_sent_as_null_is_removed_and_recorded_as_changed(
    service: Service,
) -> None:
    """A resend with the phone as null removes it, recorded as "changed"."""
    rid = new_id()
    service.create(registration(rid))
    service.create(registration(rid, phone=None))
    stored = service.get_registration(rid).json()
    assert "phone" not in stored["fields"]
    assert stored["history"][-1]["changes"] == {"phone": "changed"}


def test_an_identical_resend_records_nothing(service: Service) -> None:
    """Sending a registration again unchanged (keys in another order, an empty optional
    field as null) is accepted and records nothing: still version 1, one event."""
    rid = new_id()
    service.create(registration(rid))
    again = dict(reversed(registration(rid, pickup_point=None, dropoff_point="").items()))
    response = service.post_registrations([again], who="registrar-1501")
    assert response.json() == {"accepted": 1, "rejected": []}
    assert service.stored(rid) == {rid: (1, ["registered"])}


def test_a_resend_with_numbers_as_text_records_nothing(service: Service) -> None:
    """A registration system that sends CSV cells as text ("2" for 2) sends the same
    registration: nothing may be recorded."""
    rid = new_id()
    service.create(registration(rid, party_size=2))
    service.create(registration(rid, party_size="2"))
    assert service.stored(rid) == {rid: (1, ["registered"])}


@pytest.mark.parametrize("who", ["viewer-1501", "viewer-1502"])
def test_a_viewer_may_not_write_registrations(service: Service, who: str) -> None:
    """Viewers read plans only: 403, nothing stored."""
    rid = new_id()
    response = service.post_registrations([registration(rid)], who=who)
    assert response.status_code == 403
    assert service.stored(rid) == {}


BAD_BODIES: dict[str, Any] = {
    "an object": {"registration_id": "R"},
    "a string": "R1",
    "null": None,
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_a_body_that_is_not_a_list_is_422(service: Service, body: Any) -> None:
    """A body that is not a JSON list is 422 at the body."""
    response = service.client.post(
        "/v1/registrations",
        content=json.dumps(body),
        headers={**service.auth("admin"), "Content-Type": "application/json"},
    )
    assert locations(response) == [["body"]]


def test_items_that_are_not_objects_are_rejected_one_by_one(service: Service) -> None:
    """A list holding scalars and lists beside a good item: the good one is saved, each
    other one is rejected on its own with its index (a batch never fails whole for one
    bad item)."""
    rid = new_id("ok")
    body = service.post_registrations([1, registration(rid), "R1", []]).json()
    assert body["accepted"] == 1
    assert [(r["index"], r["registration_id"]) for r in body["rejected"]] == [
        (0, None),
        (2, None),
        (3, None),
    ]
    assert all("not an object" in r["reason"] for r in body["rejected"])
    assert set(service.stored(rid)) == {rid}


def test_a_nested_value_rejects_its_item_naming_the_key(service: Service) -> None:
    """Values are scalars: an object as a value rejects that item, naming the key; the good
    item beside it is saved."""
    rid = new_id("nested")
    body = [registration(rid), registration(f"{rid}-2", name={"family": "张"})]
    answer = service.post_registrations(body).json()
    assert answer["accepted"] == 1
    assert [(r["index"], r["reason"].split(":")[0]) for r in answer["rejected"]] == [(1, "name")]
    assert set(service.stored(rid)) == {rid}


def test_a_body_that_is_not_json_is_422(service: Service) -> None:
    """Broken JSON is 422 (json_invalid), not a server error."""
    response = service.client.post(
        "/v1/registrations",
        content=b'[{"registration_id": "R1",',
        headers={**service.auth("admin"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_a_non_finite_number_is_refused_naming_the_field(
    service: Service, client_with: ClientFactory
) -> None:
    """NaN is not JSON, yet pandas' to_dict + json.dumps send it for an empty cell: the
    item must be refused (422 or rejected) naming the field, never stored nor a 500."""
    rid = new_id("NaN")
    body = json.dumps([registration(rid, name=float("nan"))])
    with client_with(raise_server_exceptions=False) as client:
        response = client.post(
            "/v1/registrations",
            content=body,
            headers={**service.auth("admin"), "Content-Type": "application/json"},
        )
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert any("name" in loc for loc in locations(response))
    else:
        rejected = response.json()["rejected"]
        assert [entry["reason"].split(":")[0] for entry in rejected] == ["name"], response.text
    assert service.stored(rid) == {}


def test_a_body_over_the_limit_with_content_length_is_413(
    service: Service, client_with: ClientFactory
) -> None:
    """A body whose Content-Length passes max_body_bytes is refused with 413 before it is
    read; a body within the limit on the same app is accepted."""
    prefix = new_id("L")
    big = [registration(f"{prefix}-{n}") for n in range(30)]
    with client_with(max_body_bytes=2_000) as client:
        refused = client.post("/v1/registrations", json=big, headers=service.auth("admin"))
        small = client.post("/v1/registrations", json=big[:1], headers=service.auth("admin"))
    assert refused.status_code == 413
    assert refused.json() == {"detail": "the request body is larger than 2000 bytes"}
    assert small.json() == {"accepted": 1, "rejected": []}
    assert set(service.stored(prefix)) == {f"{prefix}-0"}


def test_a_chunked_body_over_the_limit_is_413(service: Service, client_with: ClientFactory) -> None:
    """A body sent chunked (no Content-Length) is refused with 413 once it passes the limit."""
    prefix = new_id("L")
    data = json.dumps([registration(f"{prefix}-{n}") for n in range(30)]).encode()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(data), 500):
            yield data[start : start + 500]

    with client_with(max_body_bytes=2_000) as client:
        response = client.post(
            "/v1/registrations",
            content=chunks(),
            headers={**service.auth("admin"), "Content-Type": "application/json"},
        )
    assert service.stored(prefix) == {}
    assert response.status_code == 413, response.text


def test_a_chunked_body_within_the_limit_is_read(
    service: Service, client_with: ClientFactory
) -> None:
    """Chunked bodies under the limit pass the limit check and are read whole."""
    rid = new_id("L")
    data = json.dumps([registration(rid)]).encode()

    def chunks() -> Iterator[bytes]:
        yield data[:100]
        yield data[100:]

    with client_with(max_body_bytes=2_000) as client:
        response = client.post(
            "/v1/registrations",
            content=chunks(),
            headers={**service.auth("admin"), "Content-Type": "application/json"},
        )
    assert response.json() == {"accepted": 1, "rejected": []}


def test_more_than_max_batch_items_is_422_and_stores_nothing(
    service: Service, client_with: ClientFactory
) -> None:
    """max_batch + 1 items: 422 saying the limit, nothing stored; max_batch items pass."""
    prefix = new_id("X")
    items = [registration(f"{prefix}-{n}") for n in range(4)]
    with client_with(max_batch=3) as client:
        refused = client.post("/v1/registrations", json=items, headers=service.auth("admin"))
        assert refused.status_code == 422
        assert "at most 3" in refused.json()["detail"]
        assert service.stored(prefix) == {}
        accepted = client.post("/v1/registrations", json=items[:3], headers=service.auth("admin"))
    assert accepted.json() == {"accepted": 3, "rejected": []}


# --- GET /v1/registrations/{id} ---------------------------------------------------------


def test_get_answers_the_registration_with_its_history(service: Service) -> None:
    """200 with the fields as sent (personal data visible to a registrar of the area), the
    ends' adcodes, status, version and the history."""
    rid = new_id()
    service.create(registration(rid))
    response = service.get_registration(rid, who="registrar-1501")
    assert response.status_code == 200
    body = response.json()
    assert body["registration_id"] == rid
    assert (body["status"], body["version"]) == ("registered", 1)
    assert (body["origin_adcode"], body["destination_adcode"]) == ("150121", KUNDULUN)
    assert body["fields"] == registration(rid)
    assert body["fields"]["name"] == NAME
    assert body["fields"]["id_number"] == ID_NUMBER
    assert [h["kind"] for h in body["history"]] == ["registered"]


def test_get_an_unknown_id_is_404(service: Service) -> None:
    """An id nobody sent: 404 naming it."""
    rid = new_id("none")
    response = service.get_registration(rid, who="registrar-1501")
    assert response.status_code == 404
    assert rid in response.json()["detail"]


def test_get_outside_the_area_is_404(service: Service) -> None:
    """A Hohhot registrar may not read a registration wholly in Baotou: for it, there is
    none."""
    rid = new_id()
    service.create(registration(rid, origin=KUNDULUN, destination=QINGSHAN))
    response = service.get_registration(rid, who="registrar-1501")
    assert response.status_code == 404
    assert response.json() == {"detail": f"no registration {rid!r}"}


def test_get_an_overlong_id_is_422(service: Service) -> None:
    """Ids are at most 100 characters: a longer one in the path is 422 naming the path."""
    response = service.get_registration("R" * 101)
    assert ["path", "registration_id"] in locations(response)


# --- POST /v1/registrations/{id}/events -------------------------------------------------


def test_events_move_the_status_and_join_the_history(service: Service) -> None:
    """Each event is 201 with what was recorded; the registration's status follows; the
    history lists them in order with their actor; times with an offset end up in Beijing
    time; a cancellation without reason gets its own kind as reason."""
    rid, other = new_id(), new_id()
    service.create(registration(rid), registration(other))
    utc_now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    steps: list[Callable[[], dict[str, Any]]] = [
        lambda: event("health_checked", result="abnormal", place="土左旗卫生院"),
        lambda: event("confirmed"),
        lambda: event("boarded", time=(utc_now + dt.timedelta(minutes=1)).isoformat()),
        lambda: event("handed_over", note="gate 3", time=now_in_china(2)),
    ]
    for make in steps:
        step = make()  # dated when it is sent, after the plan marked before it
        response = service.post_event(rid, step, who="registrar-1501")
        assert response.status_code == 201, response.text
        recorded = response.json()
        assert recorded["kind"] == step["event"]
        assert recorded["actor"] == "registrar-1501"
        status = service.get_registration(rid).json()["status"]
        assert status == step["event"]
        if step["event"] == "health_checked":
            service.mark_planned(rid)

    history = service.get_registration(rid).json()["history"]
    kinds = [h["kind"] for h in history]
    assert kinds == [
        "registered",
        "health_checked",
        "planned",
        "confirmed",
        "boarded",
        "handed_over",
    ]
    check, boarded, handed_over = history[1], history[4], history[5]
    assert (check["result"], check["place"]) == ("abnormal", "土左旗卫生院")
    in_china = (utc_now + dt.timedelta(minutes=1)).astimezone(CHINA_TIME)
    assert boarded["time"] == in_china.isoformat()  # with its offset, +08:00
    assert handed_over["note"] == "gate 3"

    for step in (event("rescheduled", reason="health"), event("cancelled")):
        assert service.post_event(other, step).status_code == 201
        assert service.get_registration(other).json()["status"] == step["event"]
    rescheduled, cancelled = service.get_registration(other).json()["history"][1:]
    assert rescheduled["reason"] == "health"
    assert cancelled["reason"] == "cancelled"


def test_a_planner_records_events_in_its_area(service: Service) -> None:
    """Planners record events too."""
    rid = new_id()
    service.create(registration(rid))
    response = service.post_event(rid, event("health_checked"), who="planner-1501")
    assert response.status_code == 201


def test_an_event_for_an_unknown_id_is_404(service: Service) -> None:
    """No registration, no event: 404."""
    rid = new_id("none")
    response = service.post_event(rid, event(), who="registrar-1501")
    assert response.status_code == 404
    assert rid in response.json()["detail"]
    assert service.stored(rid) == {}


def test_an_event_outside_the_area_is_404(service: Service) -> None:
    """A Hohhot registrar may not record an event on a Baotou registration (for it, there is
    none); nothing is recorded."""
    rid = new_id()
    service.create(registration(rid, origin=KUNDULUN, destination=QINGSHAN))
    response = service.post_event(rid, event(), who="registrar-1501")
    assert response.status_code == 404
    assert service.stored(rid) == {rid: (1, ["registered"])}


BAD_EVENTS: dict[str, tuple[dict[str, Any], list[str | int]]] = {
    "health check without result": (
        {k: v for k, v in event("health_checked").items() if k != "result"},
        ["body", "result"],
    ),
    "reason on a boarded event": (event("boarded", reason="health"), ["body", "reason"]),
    "result on a confirmed event": (event("confirmed", result="normal"), ["body", "result"]),
    "unknown event kind": (event("teleported"), ["body", "event"]),
    "unknown reason": (event("cancelled", reason="bored"), ["body", "reason"]),
    "unknown result": (event("health_checked", result="fine"), ["body", "result"]),
    "no time": ({k: v for k, v in event().items() if k != "time"}, ["body", "time"]),
    "time not a time": (event(time="after lunch"), ["body", "time"]),
    "place too long": (event(place="站" * 201), ["body", "place"]),
    "unknown key": (event(vehicle="蒙A12345"), ["body", "vehicle"]),
}


@pytest.mark.parametrize(("body", "loc"), BAD_EVENTS.values(), ids=BAD_EVENTS.keys())
def test_a_bad_event_is_422_naming_the_field(
    service: Service, body: dict[str, Any], loc: list[str | int]
) -> None:
    """Every malformed event is 422 with the location of the bad field; the registration
    keeps its status and history."""
    rid = new_id()
    service.create(registration(rid))
    response = service.post_event(rid, body, who="registrar-1501")
    assert loc in locations(response)
    assert service.stored(rid) == {rid: (1, ["registered"])}

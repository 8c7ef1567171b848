"""The access matrix: every role and area against every call on registrations and points
inside and outside its area, with the answer the contract gives (interchange.md, "HTTP API").

`admin` may do everything. A `planner` or `registrar` reads and writes registrations whose
origin or destination lies in its area; a `viewer` reads plans only, never registrations;
`hr` makes human resources' calls (tests/api/test_hr.py) and none of these.
Points are written by admins and by planners, for points in their area. A registration
outside the caller's area is read and evented as if it did not exist (404), is not listed
and is not found by the hotline's lookup; a write of one is rejected, saying why.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from tests.api.conftest import (
    KUNDULUN,
    QINGSHAN,
    TUZUOQI,
    XINCHENG,
    Service,
    event,
    new_id,
    point,
    registration,
)

# The registrations' ends: wholly in Hohhot, Hohhot -> Baotou, wholly in Baotou.
ENDS = {
    "in-1501": (TUZUOQI, XINCHENG),
    "1501-to-1502": (TUZUOQI, KUNDULUN),
    "in-1502": (KUNDULUN, QINGSHAN),
}
POINT_ADCODES = {"point-1501": TUZUOQI, "point-1502": KUNDULUN}
TARGETS = (*ENDS, *POINT_ADCODES)

# ok: allowed; area: refused because the target lies outside the token's area; role: the
# role may not make this call at all.
#                     in-1501 1501-to-1502 in-1502 point-1501 point-1502
ACCESS: dict[str, tuple[str, str, str, str, str]] = {
    "admin": ("ok", "ok", "ok", "ok", "ok"),
    "planner-1501": ("ok", "ok", "area", "ok", "area"),
    "registrar-1501": ("ok", "ok", "area", "role", "role"),
    "viewer-1501": ("role", "role", "role", "role", "role"),
    "planner-1502": ("area", "ok", "ok", "area", "ok"),
    "registrar-1502": ("area", "ok", "ok", "role", "role"),
    "viewer-1502": ("role", "role", "role", "role", "role"),
    # hr records the follow-up and the ledger's steps only (tests/api/test_hr.py), not the
    # journey's events such as this matrix's health check
    "hr-1501": ("role", "role", "role", "role", "role"),
    "hr-1502": ("role", "role", "role", "role", "role"),
}
REGISTRATION_CALLS = ("read", "write", "event", "list", "lookup")


def _cases() -> list[Any]:
    cases = []
    for who, row in ACCESS.items():
        for target, expected in zip(TARGETS, row, strict=True):
            calls = REGISTRATION_CALLS if target in ENDS else ("write",)
            for call in calls:
                cases.append(pytest.param(who, call, target, expected, id=f"{who}-{call}-{target}"))
    return cases


def _point_call(service: Service, who: str, target: str, expected: str) -> None:
    response = service.post_points([point(new_id("P"), adcode=POINT_ADCODES[target])], who=who)
    if expected == "ok":
        assert response.status_code == 200, response.text
        assert response.json() == {"created": 1, "updated": 0}
    else:
        assert response.status_code == 403, response.text
        assert ("role" if expected == "role" else "area") in response.json()["detail"]


def _registration_call(service: Service, who: str, call: str, target: str, expected: str) -> None:
    origin, destination = ENDS[target]
    rid = new_id()
    if call == "write":
        response = service.post_registrations([registration(rid, origin, destination)], who=who)
        if expected == "role":
            assert response.status_code == 403, response.text
        else:
            # A batch answers 200; an item outside the area is rejected, saying so.
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["accepted"] == (expected == "ok"), body
            assert ["area" in r["reason"] for r in body["rejected"]] == (
                [] if expected == "ok" else [True]
            )
        assert bool(service.stored(rid)) == (expected == "ok")
        return
    phone = f"137{uuid.uuid4().int % 10**8:08d}"  # one no other registration has
    service.create(registration(rid, origin, destination, phone=phone))
    if call == "lookup":
        response = service.client.post(
            "/v1/registrations/lookup", json={"phone": phone}, headers=service.auth(who)
        )
        assert response.status_code == (403 if expected == "role" else 200), response.text
        if expected != "role":
            found = [m["registration"]["registration_id"] for m in response.json()["matches"]]
            assert found == ([rid] if expected == "ok" else [])
        return
    if call == "list":
        listed, status_code = service.listed(who)
        assert status_code == (403 if expected == "role" else 200)
        assert (rid in listed) == (expected == "ok")
        return
    if call == "read":
        response = service.get_registration(rid, who=who)
        ok_status = 200
    else:
        response = service.post_event(rid, event("health_checked"), who=who)
        ok_status = 201
    refused = {"role": 403, "area": 404}
    assert response.status_code == refused.get(expected, ok_status), response.text
    if call == "event":
        kinds = service.stored(rid)[rid][1]
        assert kinds == (["registered", "health_checked"] if expected == "ok" else ["registered"])


@pytest.mark.parametrize(("who", "call", "target", "expected"), _cases())
def test_access(service: Service, who: str, call: str, target: str, expected: str) -> None:
    """Each (token, call, target) gets the contract's answer, and a refused call leaves the
    database as it was."""
    if target in POINT_ADCODES:
        _point_call(service, who, target, expected)
    else:
        _registration_call(service, who, call, target, expected)


@pytest.mark.parametrize("who", ["registrar-1501", "planner-1501"])
def test_a_registration_outside_the_area_cannot_be_taken_over_by_its_id(
    service: Service, who: str
) -> None:
    """Resending the id of a Baotou registration with Hohhot ends (which would pass the area
    check of the new values) is rejected; the stored registration is unchanged."""
    rid = new_id()
    service.create(registration(rid, KUNDULUN, QINGSHAN))
    response = service.post_registrations([registration(rid, TUZUOQI, XINCHENG)], who=who)
    body = response.json()
    assert body["accepted"] == 0
    assert [
        (r["registration_id"], "outside your area" in r["reason"]) for r in body["rejected"]
    ] == [(rid, True)]
    stored = service.get_registration(rid).json()
    assert (stored["origin_adcode"], stored["version"]) == (KUNDULUN, 1)


def test_a_registrar_may_not_move_a_registration_out_of_its_area(service: Service) -> None:
    """A Hohhot registrar resending a Hohhot registration with both ends in Baotou is
    rejected: it could not read it afterwards."""
    rid = new_id()
    service.create(registration(rid, TUZUOQI, XINCHENG))
    body = service.post_registrations(
        [registration(rid, KUNDULUN, QINGSHAN)], who="registrar-1501"
    ).json()
    assert body["accepted"] == 0
    assert service.get_registration(rid).json()["destination_adcode"] == XINCHENG


def test_the_matrix_covers_every_token(service: Service) -> None:
    """Every token of the fixtures has a row in the matrix (a new role gets one too)."""
    assert set(ACCESS) == set(service.tokens) - {"revoked"}


# The calls on a done, published plan of area 1501 (ok; role: 403; area: 404, as for an id
# that does not exist).
#                         publish answer changes trip document
PLAN_ACCESS: dict[str, tuple[str, str, str, str, str]] = {
    "admin": ("ok", "ok", "ok", "ok", "ok"),
    "planner-1501": ("ok", "ok", "ok", "ok", "ok"),
    "registrar-1501": ("role", "role", "ok", "role", "role"),
    "viewer-1501": ("role", "role", "role", "ok", "ok"),
    "planner-1502": ("area", "area", "area", "area", "area"),
    "registrar-1502": ("role", "role", "area", "role", "role"),
    "viewer-1502": ("role", "role", "role", "area", "area"),
    "hr-1501": ("role", "role", "role", "role", "role"),
    "hr-1502": ("role", "role", "role", "role", "role"),
}
PLAN_CALLS = ("publish", "answer", "changes", "trip", "document")
CREW = {
    "plate": "蒙A12345",
    "operator": "公交集团",
    "drivers": [{"name": "王师傅", "phone": "13912345678"}],
}


@pytest.fixture(scope="module")
def published(service: Service) -> tuple[str, str]:
    """A done plan of area 1501 published through its first day, and one of its trips."""
    service.create(registration(new_id("acc"), TUZUOQI, XINCHENG))
    plan_id, plan = service.solved("1501", "2022-11-21", "2022-11-22")
    first = min(t["date"] for t in plan["trips"])
    answer = service.client.post(
        f"/v1/plans/{plan_id}/publish", json={"through": first}, headers=service.auth("admin")
    )
    assert answer.status_code == 200, answer.text
    trip = next(t for t in plan["trips"] if t["date"] == first)
    return plan_id, trip["trip_id"]


@pytest.mark.parametrize(
    ("who", "call", "expected"),
    [
        pytest.param(who, call, expected, id=f"{who}-{call}")
        for who, row in PLAN_ACCESS.items()
        for call, expected in zip(PLAN_CALLS, row, strict=True)
    ],
)
def test_plan_access(
    service: Service, published: tuple[str, str], who: str, call: str, expected: str
) -> None:
    """Each token on each call of a published plan gets the contract's answer: publishing a
    later date, transport's answer, the changes to tell, a trip with its manifest, a trip's
    page."""
    plan_id, trip_id = published
    headers = service.auth(who)
    if call == "publish":  # a later date each time, so that an allowed call succeeds
        job = service.client.get(f"/v1/plans/{plan_id}", headers=service.auth("admin")).json()
        later = str(dt.date.fromisoformat(job["published_through"]) + dt.timedelta(days=1))
        response = service.client.post(
            f"/v1/plans/{plan_id}/publish", json={"through": later}, headers=headers
        )
    elif call == "answer":
        response = service.client.put(
            f"/v1/plans/{plan_id}/trips/{trip_id}/answer", json=CREW, headers=headers
        )
    elif call == "changes":
        response = service.client.get(f"/v1/plans/{plan_id}/changes", headers=headers)
    elif call == "document":
        path = f"/v1/plans/{plan_id}/documents/trips/{trip_id}.html"
        response = service.client.get(path, headers=headers)
    else:
        response = service.client.get(f"/v1/plans/{plan_id}/trips/{trip_id}", headers=headers)
    refused = {"role": 403, "area": 404}
    assert response.status_code == refused.get(expected, 200), response.text

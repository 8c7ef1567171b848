"""POST /v1/registrations/lookup: the hotline finds a person by id number or phone through a
keyed hash ("which bus am I on?"), answered masked and audited, within the caller's area; the
hashes of rows stored before them are made when the service starts, follow a key rotation,
and go with an erasure. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select, update

from pointplan.domain.personal import resident_id_check_char
from pointplan.store import models
from pointplan.store.lookup import find_registrations, hash_unhashed
from pointplan.store.maintenance import erase_personal_data, rotate_keys
from pointplan.store.sealing import Sealer, new_key
from tests.api.conftest import (
    DATA_KEY,
    XINCHENG,
    ClientFactory,
    Service,
    new_id,
    registration,
)

SAIHAN = "150105"  # 呼和浩特市赛罕区: no other test plans it
LOOKUP = "/v1/registrations/lookup"


def a_phone() -> str:
    """A mobile number no other test uses."""
    return f"139{uuid.uuid4().int % 10**8:08d}"


def an_id_number() -> str:
    """A valid resident id no other test uses (born in 1990 in 赛罕区)."""
    first17 = f"{SAIHAN}1990{uuid.uuid4().int % 10**7:07d}"[:17]
    first17 = first17[:10] + "0101" + first17[14:]
    return first17 + resident_id_check_char(first17)


def test_a_phone_finds_the_family_masked_and_audited(service: Service) -> None:
    """Two registrations with one phone (a family) and another person: the phone finds the
    two, masked even for a registrar; the id number, written with spaces and a lower-case x
    where it has one, finds its person; the audit says which field and how many, never the
    value."""
    phone, id_number = a_phone(), an_id_number()
    family = [new_id("hot"), new_id("hot")]
    other = new_id("hot")
    service.create(
        *(registration(rid, origin=SAIHAN, phone=phone) for rid in family),
        registration(other, origin=SAIHAN, phone=a_phone(), id_number=id_number),
    )
    answer = service.client.post(
        LOOKUP, json={"phone": phone}, headers=service.auth("registrar-1501")
    )
    assert answer.status_code == 200, answer.text
    matches = answer.json()["matches"]
    assert sorted(m["registration"]["registration_id"] for m in matches) == sorted(family)
    shown = matches[0]["registration"]["fields"]
    assert shown["phone"] == f"{phone[:3]}****{phone[-4:]}" and "*" in shown["name"]
    assert phone not in answer.text and all(m["trip"] is None for m in matches)

    spaced = f"{id_number[:6]} {id_number[6:14]} {id_number[14:]}".lower()
    by_id = service.client.post(
        LOOKUP, json={"id_number": spaced}, headers=service.auth("planner-1501")
    )
    assert [m["registration"]["registration_id"] for m in by_id.json()["matches"]] == [other]
    assert id_number not in by_id.text
    with service.db.session() as session:
        entries = session.scalars(
            select(models.AuditEntry.target).where(
                models.AuditEntry.action == "registrations.lookup"
            )
        ).all()
    assert "by phone: 2 found" in entries and "by id_number: 1 found" in entries
    assert not any(phone in entry or id_number in entry for entry in entries)


def test_outside_the_area_nobody_is_found_and_viewers_may_not_look(service: Service) -> None:
    """Baotou's registrar finds nobody going from Hohhot to Hohhot (an empty answer, not
    403, so that it learns nothing); a viewer is 403; no field, both fields, or a value that
    is no phone or id number is 422 naming the field without repeating the value."""
    phone = a_phone()
    rid = new_id("hot")
    service.create(registration(rid, origin=SAIHAN, destination=XINCHENG, phone=phone))
    elsewhere = service.client.post(
        LOOKUP, json={"phone": phone}, headers=service.auth("registrar-1502")
    )
    assert elsewhere.status_code == 200 and elsewhere.json() == {"matches": []}
    viewer = service.client.post(LOOKUP, json={"phone": phone}, headers=service.auth("viewer-1501"))
    assert viewer.status_code == 403
    for body, field in (
        ({}, "id_number"),
        ({"phone": phone, "id_number": an_id_number()}, "id_number"),
        ({"phone": "1391234"}, "phone"),
        ({"id_number": "150105199001011234"}, "id_number"),
        ({"phone": phone, "name": "张三"}, "name"),
    ):
        response = service.client.post(LOOKUP, json=body, headers=service.auth("admin"))
        assert response.status_code == 422, (body, response.text)
        assert response.json()["detail"][0]["loc"][-1] == field
        assert "1391234" not in response.text and "150105199001011234" not in response.text


def test_the_trip_is_told_and_published_once_it_is(service: Service) -> None:
    """After a plan, the lookup answers the person's trip (id, date, where it boards and
    when, with its offset, seats), not published; after publishing, published."""
    phone = a_phone()
    rid = new_id("hot")
    service.create(registration(rid, origin=SAIHAN, phone=phone, party_size=2))
    plan_id, plan = service.solved(SAIHAN, "2022-11-21", "2022-11-22")
    (trip,) = [
        t for t in plan["trips"] if rid in {r for s in t["stops"] for r in s["registrations"]}
    ]

    def told() -> dict[str, Any]:
        answer = service.client.post(
            LOOKUP, json={"phone": phone}, headers=service.auth("registrar-1501")
        )
        (match,) = answer.json()["matches"]
        assert match["trip"] is not None, answer.text
        return dict(match["trip"])

    first = told()
    assert (first["plan_id"], first["trip_id"], first["date"]) == (
        plan_id,
        trip["trip_id"],
        trip["date"],
    )
    assert len(first["seats"]) == 2 and first["published"] is False and first["plate"] is None
    assert str(first["boarding_time"]).endswith("+08:00")
    published = service.client.post(
        f"/v1/plans/{plan_id}/publish",
        json={"through": trip["date"]},
        headers=service.auth("admin"),
    )
    assert published.status_code == 200, published.text
    assert told()["published"] is True


def test_rows_without_hashes_are_hashed_when_the_service_starts(
    service: Service, client_with: ClientFactory
) -> None:
    """A row stored before the hashes were kept (NULL columns, as migration 0005 leaves
    them) is found once a service has started on the database."""
    phone = a_phone()
    rid = new_id("hot")
    service.create(registration(rid, origin=SAIHAN, phone=phone))
    with service.db.session() as session:
        session.execute(
            update(models.Registration)
            .where(models.Registration.registration_id == rid)
            .values(id_number_hash=None, phone_hash=None)
        )
    nobody = service.client.post(LOOKUP, json={"phone": phone}, headers=service.auth("admin"))
    assert nobody.json() == {"matches": []}
    with client_with() as client:
        found = client.post(LOOKUP, json={"phone": phone}, headers=service.auth("admin"))
    assert [m["registration"]["registration_id"] for m in found.json()["matches"]] == [rid]


def test_hashes_follow_rotation_and_go_with_erasure(service: Service) -> None:
    """With a new key in front, a row is still found (by its old key's hash) before the
    rotation and by the new key's after it; erased personal data is found no more."""
    phone = a_phone()
    rid = new_id("hot")
    long_ago = {"earliest_date": "2001-01-01", "latest_date": "2001-01-02"}
    service.create(registration(rid, origin=SAIHAN, phone=phone, **long_ago))
    front = new_key()
    old, rotated, back = Sealer([DATA_KEY]), Sealer([front, DATA_KEY]), Sealer([DATA_KEY, front])
    with service.db.session() as session:
        assert hash_unhashed(session, rotated) == 0
        found = find_registrations(session, rotated, "phone", phone, "")
        assert [r.registration_id for r in found] == [rid]
        before = session.get(models.Registration, rid)
        assert before is not None and before.phone_hash == old.lookup_hash("phone", phone)
    with service.db.session() as session:
        rotate_keys(session, rotated, "test")
    with service.db.session() as session:
        after = session.get(models.Registration, rid)
        assert after is not None and after.phone_hash == rotated.lookup_hash("phone", phone)
        assert find_registrations(session, old, "phone", phone, "") == []
    with service.db.session() as session:
        rotate_keys(session, back, "test")  # as the service's key had it, for the other tests
    with service.db.session() as session:
        erase_personal_data(session, dt.date(2001, 2, 1), "test")
    with service.db.session() as session:
        assert find_registrations(session, old, "phone", phone, "") == []
        erased = session.get(models.Registration, rid)
        assert erased is not None and (erased.phone_hash, erased.id_number_hash) == ("", "")

"""Publishing and re-planning through the service (issue 13): a plan published through a
date, once per date and never withdrawn; a plan from that base keeps every published trip as
it is apart from people who left it and people put into its free seats; everyone else keeps
their trip where that costs nothing; the registrar gets its list of people to tell. On SQLite
and PostgreSQL."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import NAME, Service, event, new_id, registration

QINGSHUIHE = "150124"  # 呼和浩特市清水河县: no other test plans it
WEEK = ("2022-11-21", "2022-11-27")


def _trips(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {trip["trip_id"]: trip for trip in plan["trips"]}


def _riders(trip: dict[str, Any]) -> set[str]:
    return {
        rid for stop in trip["stops"] if stop["kind"] == "pickup" for rid in stop["registrations"]
    }


def _published_part(trip: dict[str, Any]) -> tuple[Any, ...]:
    """What a published trip keeps: its id, vehicle, date and stops (places and times)."""
    stops = tuple(
        (s["kind"], s["place"], s["point_id"], s["arrival"], s["departure"]) for s in trip["stops"]
    )
    return trip["trip_id"], trip["vehicle_type"], trip["date"], stops


def test_publish_then_replan_from_the_published_plan(service: Service) -> None:
    """Publish through the first day (a second time, or an earlier day: 409; viewers and
    registrars: 403); then a boarded, a cancelled, an abnormal and a late registration, and a
    plan from the base: published trips kept, the boarded person on its trip, the abnormal one
    unassigned, the late one planned, each in `changes`, and the registrar's list to tell."""
    first = [new_id("pub") for _ in range(6)]
    later = [new_id("pub") for _ in range(6)]
    service.create(
        *(registration(rid, origin=QINGSHUIHE, party_size=1) for rid in first),
        *(
            registration(
                rid,
                origin=QINGSHUIHE,
                party_size=1,
                earliest_date="2022-11-24",
                latest_date="2022-11-25",
            )
            for rid in later
        ),
    )
    base_id, base = service.solved(QINGSHUIHE, *WEEK)
    published = [t for t in base["trips"] if t["date"] <= "2022-11-22"]
    assert published, base["trips"]
    through = max(t["date"] for t in published)

    publish = f"/v1/plans/{base_id}/publish"
    for who in ("viewer-1501", "registrar-1501"):
        response = service.client.post(
            publish, json={"through": through}, headers=service.auth(who)
        )
        assert response.status_code == 403, response.text
    answer = service.client.post(
        publish, json={"through": through}, headers=service.auth("planner-1501")
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["published_trips"] == len(published)
    assert answer.json()["published_at"].endswith("+08:00")
    for again in (through, "2022-11-20"):
        response = service.client.post(
            publish, json={"through": again}, headers=service.auth("admin")
        )
        assert response.status_code == 409, response.text
    assert (
        service.client.get(f"/v1/plans/{base_id}", headers=service.auth("admin")).json()[
            "published_through"
        ]
        == through
    )

    answered = published[0]
    answer_path = f"/v1/plans/{base_id}/trips/{answered['trip_id']}/answer"
    crew = {
        "plate": "蒙A12345",
        "operator": "清水河县客运公司",
        "drivers": [{"name": "王师傅", "phone": "13912345678"}],
        "escort": {"name": "李医生", "phone": "13712345678"},
    }
    bigger = "coach-53" if answered["vehicle_type"] != "coach-53" else answered["vehicle_type"]
    put = service.client.put(
        answer_path, json={**crew, "vehicle_type": bigger}, headers=service.auth("planner-1501")
    )
    assert put.status_code == 200, put.text
    assert put.json()["drivers"] == crew["drivers"] and put.json()["vehicle_type"] == bigger
    for bad, field in (
        ({**crew, "drivers": [{"name": "王师傅", "phone": "12345"}]}, "drivers"),
        ({**crew, "vehicle_type": "no-such-type"}, "vehicle_type"),
    ):
        response = service.client.put(answer_path, json=bad, headers=service.auth("admin"))
        assert response.status_code == 422 and response.json()["detail"][0]["loc"][1] == field
        assert "12345" not in response.text
    seen = service.client.get(
        f"/v1/plans/{base_id}/trips/{answered['trip_id']}", headers=service.auth("viewer-1501")
    ).json()
    assert seen["trip"]["vehicle_type"] == bigger
    assert seen["answer"]["drivers"][0]["phone"] == "139****5678"
    assert seen["answer"]["escort"]["name"] == "李**"
    page_path = f"/v1/plans/{base_id}/documents/trips/{answered['trip_id']}.html"
    page = service.client.get(page_path, headers=service.auth("planner-1501")).text
    assert "蒙A12345" in page and "王师傅 13912345678" in page and "李医生" in page
    masked = service.client.get(page_path, headers=service.auth("viewer-1501")).text
    assert "蒙A12345" in masked and "王** 139****5678" in masked and "王师傅" not in masked
    unpublished = [t for t in base["trips"] if t["date"] > through]
    if unpublished:
        response = service.client.put(
            f"/v1/plans/{base_id}/trips/{unpublished[0]['trip_id']}/answer",
            json=crew,
            headers=service.auth("admin"),
        )
        assert response.status_code == 409, response.text

    on_published = sorted(rid for t in published for rid in _riders(t))
    boarded, cancelled = on_published[0], on_published[1]
    abnormal = later[0]
    assert service.post_event(boarded, event("boarded")).status_code == 201
    assert service.post_event(cancelled, event("cancelled")).status_code == 201
    sick = event("health_checked", result="abnormal")
    assert service.post_event(abnormal, sick).status_code == 201
    late = new_id("pub")
    service.create(
        registration(
            late,
            origin=QINGSHUIHE,
            party_size=1,
            earliest_date="2022-11-24",
            latest_date="2022-11-25",
        )
    )

    plan_id, plan = service.solved(QINGSHUIHE, *WEEK, base_plan_id=base_id)
    assert plan["base_plan"] == base_id and plan["frozen_through"] == through
    now = _trips(plan)
    for trip in published:
        kept = now[trip["trip_id"]]
        if trip["trip_id"] == answered["trip_id"]:  # on the vehicle transport swapped in
            assert kept["vehicle_type"] == bigger
            trip = {**trip, "vehicle_type": bigger}
        assert _published_part(kept) == _published_part(trip)
        assert _riders(kept) - _riders(trip) <= {late}
        assert _riders(trip) - _riders(kept) <= {cancelled}
    assert boarded in {rid for t in plan["trips"] for rid in _riders(t)}
    assert abnormal in {u["registration_id"] for u in plan["unassigned"]}
    changes = {c["registration_id"]: c for c in plan["changes"]}
    assert set(changes) >= set(first) | set(later) | {late}
    assert changes[cancelled]["change"] == "removed"
    assert changes[abnormal]["change"] == "removed" and "abnormal" in changes[abnormal]["reason"]
    assert changes[late]["change"] == "added"
    assert changes[boarded]["change"] == "kept"
    job = service.client.get(f"/v1/plans/{plan_id}", headers=service.auth("admin")).json()
    assert job["base_plan_id"] == base_id and job["published_through"] == through
    carried = service.client.get(
        f"/v1/plans/{plan_id}/trips/{answered['trip_id']}", headers=service.auth("admin")
    ).json()
    assert carried["answer"]["plate"] == "蒙A12345"

    to_tell = service.client.get(
        f"/v1/plans/{plan_id}/changes", headers=service.auth("registrar-1501")
    )
    assert to_tell.status_code == 200, to_tell.text
    items = {item["registration_id"]: item for item in to_tell.json()["items"]}
    assert {cancelled, abnormal, late} <= set(items)
    assert boarded not in items  # kept: nobody to tell
    assert items[late]["name"] == NAME
    for who in ("viewer-1501", "registrar-1502"):
        response = service.client.get(f"/v1/plans/{plan_id}/changes", headers=service.auth(who))
        assert response.status_code in (403, 404), (who, response.text)


def test_a_base_plan_must_be_a_done_plan_of_the_same_area(service: Service) -> None:
    """422 naming base_plan_id for a plan of another area or one that does not exist."""
    base_id, _ = service.solved(QINGSHUIHE, *WEEK)
    for area, base in (("150121", base_id), (QINGSHUIHE, "no-such-plan")):
        body = {"area": area, "date_from": WEEK[0], "date_to": WEEK[1], "base_plan_id": base}
        response = service.client.post("/v1/plans", json=body, headers=service.auth("admin"))
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"] == ["body", "base_plan_id"]

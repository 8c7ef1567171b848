"""The calls the console needs, added to the API: the list of plans, the registrations'
destination and employer filters, and scenario plans (what-ifs that change nothing)."""

from __future__ import annotations

from tests.api.conftest import BAOTOU, HOHHOT, KUNDULUN, QINGSHAN, Service, new_id, registration


def test_a_scenario_plan_changes_no_registration_and_is_never_published(
    service: Service,
) -> None:
    ids = [new_id("SCN") for _ in range(3)]
    service.create(*(registration(rid) for rid in ids))
    plan_id, plan = service.solved(
        HOHHOT, "2022-11-21", "2022-11-22", scenario="±1 day", date_flexibility_days=1
    )
    riding = {
        rid for trip in plan["trips"] for seat in trip["seats"] for rid in [seat["registration_id"]]
    }
    assert set(ids) <= riding
    stored = service.stored("SCN")
    assert set(ids) <= set(stored)
    assert not [rid for rid in ids if "planned" in stored[rid][1]]
    job = service.client.get(f"/v1/plans/{plan_id}", headers=service.auth("admin")).json()
    assert (job["scenario"], job["date_flexibility_days"]) == ("±1 day", 1)
    published = service.client.post(
        f"/v1/plans/{plan_id}/publish",
        json={"through": "2022-11-21"},
        headers=service.auth("admin"),
    )
    assert published.status_code == 409
    assert "what-if" in published.json()["detail"]
    based = service.client.post(
        "/v1/plans",
        json={
            "area": HOHHOT,
            "date_from": "2022-11-21",
            "date_to": "2022-11-22",
            "base_plan_id": plan_id,
        },
        headers=service.auth("admin"),
    )
    assert based.status_code == 422
    assert based.json()["detail"][0]["loc"] == ["body", "base_plan_id"]


def test_days_either_side_belong_to_a_scenario(service: Service) -> None:
    body = {"area": HOHHOT, "date_from": "2022-11-21", "date_to": "2022-11-22"}
    answer = service.client.post(
        "/v1/plans", json={**body, "date_flexibility_days": 1}, headers=service.auth("admin")
    )
    assert answer.status_code == 422
    assert "scenario" in answer.text


def test_the_list_of_plans_keeps_to_the_callers_area(service: Service) -> None:
    baotou_id, _ = service.solved(BAOTOU, "2022-11-21", "2022-11-21", time_limit=1)
    for who, sees in (("planner-1502", True), ("viewer-1502", True), ("planner-1501", False)):
        answer = service.client.get("/v1/plans", params={"limit": 500}, headers=service.auth(who))
        assert answer.status_code == 200, answer.text
        listed = {item["plan_id"] for item in answer.json()["items"]}
        assert (baotou_id in listed) is sees, who
        assert all("plan" not in item for item in answer.json()["items"])
    assert service.client.get("/v1/plans", headers=service.auth("hr-1502")).status_code == 403


def test_registrations_filter_by_destination_and_employer(service: Service) -> None:
    to_kundulun, to_qingshan = new_id("DST"), new_id("DST")
    service.create(
        registration(to_kundulun, destination=KUNDULUN, employer="包钢集团 100%_"),
        registration(to_qingshan, destination=QINGSHAN, employer="北方重工"),
    )
    found, status = service.listed(destination=KUNDULUN)
    assert status == 200
    assert to_kundulun in found and to_qingshan not in found
    found, _ = service.listed(employer="100%_")
    assert found & {to_kundulun, to_qingshan} == {to_kundulun}
    found, _ = service.listed(employer="%")  # a wildcard is a character like any other
    assert to_qingshan not in found
    _, status = service.listed(destination="15020")
    assert status == 422
    _, status = service.listed(employer="\x1a\x00")  # PostgreSQL cannot hold a NUL
    assert status == 422

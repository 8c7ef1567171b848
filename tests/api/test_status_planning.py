"""Plans that know what has happened (issue 13, status-aware planning): boarded and handed-over
people never get a new trip, cancelled ones are left out, an abnormal latest health check
keeps a person off every trip (unassigned, the reason naming the check), and a reschedule's
new window is the one planned. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from tests.api.conftest import Service, event, new_id, now_in_china, registration

WUCHUAN = "150125"  # 呼和浩特市武川县: no other test plans it


def _riders(plan: dict[str, Any]) -> dict[str, str]:
    """Registration id -> the date of its trip."""
    return {
        rid: trip["date"]
        for trip in plan["trips"]
        for stop in trip["stops"]
        for rid in stop["registrations"]
    }


def test_a_plan_takes_each_registrations_status_into_account(service: Service) -> None:
    """Five people of one county: one boarded, one handed over, one cancelled, one whose
    latest health check was abnormal, one rescheduled to the next two days. The plan puts
    none of the first three anywhere, the fourth in `unassigned` naming the check, the fifth
    on a trip in its new window; a normal check after an abnormal one brings a person back."""
    ids = {name: new_id(name) for name in ("boarded", "arrived", "cancel", "sick", "moved", "ok")}
    service.create(*(registration(rid, origin=WUCHUAN) for rid in ids.values()))
    for name in ("boarded", "arrived"):
        service.mark_planned(ids[name])
        assert service.post_event(ids[name], event("boarded")).status_code == 201
    assert service.post_event(ids["arrived"], event("handed_over")).status_code == 201
    assert service.post_event(ids["cancel"], event("cancelled")).status_code == 201
    abnormal = event("health_checked", result="abnormal")
    assert service.post_event(ids["sick"], abnormal).status_code == 201
    new_window = event(
        "rescheduled", reason="job_changed", earliest_date="2022-11-23", latest_date="2022-11-24"
    )
    assert service.post_event(ids["moved"], new_window).status_code == 201
    stored = service.get_registration(ids["moved"]).json()
    assert (stored["fields"]["earliest_date"], stored["fields"]["latest_date"]) == (
        "2022-11-23",
        "2022-11-24",
    )
    assert stored["history"][-1]["changes"]["earliest_date"] == {
        "from": "2022-11-21",
        "to": "2022-11-23",
    }

    plan = service.solved_plan(WUCHUAN, "2022-11-21", "2022-11-27")
    riders = _riders(plan)
    unassigned = {u["registration_id"]: u["reason"] for u in plan["unassigned"]}
    everywhere = set(riders) | set(unassigned) | {r["registration_id"] for r in plan["rejected"]}
    for name in ("boarded", "arrived", "cancel"):
        assert ids[name] not in everywhere
    assert "health check abnormal" in unassigned[ids["sick"]]
    assert ids["sick"] not in riders
    assert "2022-11-23" <= riders[ids["moved"]] <= "2022-11-24"
    assert ids["ok"] in riders

    normal = event("health_checked", result="normal", time=now_in_china(1))
    assert service.post_event(ids["sick"], normal).status_code == 201
    assert ids["sick"] in _riders(service.solved_plan(WUCHUAN, "2022-11-21", "2022-11-27"))


def test_a_new_window_belongs_to_a_reschedule_only(service: Service) -> None:
    """A window on another kind of event, half a window, or one out of order: 422 naming it."""
    rid = new_id()
    service.create(registration(rid))
    bad = {
        "earliest_date": event("confirmed", earliest_date="2022-11-23", latest_date="2022-11-24"),
        "latest_date": event("rescheduled", earliest_date="2022-11-23"),
    }
    for field, body in bad.items():
        response = service.post_event(rid, body)
        assert response.status_code == 422, response.text
        assert ["body", field] in [e["loc"] for e in response.json()["detail"]]
    backwards = event("rescheduled", earliest_date="2022-11-24", latest_date="2022-11-23")
    assert service.post_event(rid, backwards).status_code == 422


_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _date_times(value: Any) -> list[str]:
    """Every string of an answer that is a date-time."""
    if isinstance(value, str):
        return [value] if _DATE_TIME.match(value) else []
    if isinstance(value, dict):
        return [t for item in value.values() for t in _date_times(item)]
    if isinstance(value, list):
        return [t for item in value for t in _date_times(item)]
    return []


def test_every_date_time_of_an_answer_carries_its_offset(service: Service) -> None:
    """A registration with its history (record times and event times alike) and a plan's
    status part: each date-time ends with +08:00, Beijing time, one zone in one answer."""
    rid = new_id()
    service.create(registration(rid))
    assert service.post_event(rid, event("health_checked")).status_code == 201
    answer = service.get_registration(rid).json()
    times = _date_times(answer)
    assert len(times) >= 5  # created_at, updated_at, two events' time and recorded_at
    assert all(t.endswith("+08:00") for t in times), times
    body = {"area": WUCHUAN, "date_from": "2022-11-21", "date_to": "2022-11-21", "time_limit": 1}
    plan_id = service.client.post("/v1/plans", json=body, headers=service.auth("admin")).json()[
        "plan_id"
    ]
    status = service.client.get(f"/v1/plans/{plan_id}", headers=service.auth("admin")).json()
    times = _date_times({k: v for k, v in status.items() if k != "plan"})
    assert times and all(t.endswith("+08:00") for t in times), times

"""Areas that are right (issue 13): the same person posted with a place code, with coordinates
alone and with both is read by the registrar of the county each time, and the county's plan
includes all three; the answer says when the county came from coordinates. On SQLite and
PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

from pointplan.geo import default_gazetteer
from tests.api.conftest import Service, new_id, registration

TOGTOH = "150122"  # 呼和浩特市托克托县: no other test plans it


def test_a_code_coordinates_or_both_all_reach_the_countys_registrar_and_plan(
    service: Service,
) -> None:
    """Three posts of one person in Togtoh county: each stored with origin 150122, readable
    by the Hohhot registrar, and all three in the plan of the county; the one with
    coordinates alone has a note naming the county."""
    seat = default_gazetteer().resolve(TOGTOH)
    by_code, by_coordinates, by_both = (new_id(kind) for kind in ("code", "coords", "both"))
    items = [
        registration(by_code, origin=TOGTOH),
        registration(by_coordinates, origin="", origin_lat=seat.lat + 0.02, origin_lon=seat.lon),
        registration(by_both, origin=TOGTOH, origin_lat=seat.lat + 0.3, origin_lon=seat.lon),
    ]
    answer = service.post_registrations(items).json()
    assert (answer["accepted"], answer["rejected"]) == (3, [])
    assert [(n["registration_id"], n["note"].split(" from")[0]) for n in answer["notes"]] == [
        (by_coordinates, f"origin: county {TOGTOH}")
    ]
    for rid in (by_code, by_coordinates, by_both):
        read = service.get_registration(rid, who="registrar-1501")
        assert read.status_code == 200, read.text
        assert read.json()["origin_adcode"] == TOGTOH
    plan = _plan(service, TOGTOH)
    riding = {rid for t in plan["trips"] for s in t["stops"] for rid in s["registrations"]}
    assert {by_code, by_coordinates, by_both} <= riding


def _plan(service: Service, area: str) -> dict[str, Any]:
    body = {"area": area, "date_from": "2022-11-21", "date_to": "2022-11-22", "time_limit": 2}
    plan_id = service.client.post("/v1/plans", json=body, headers=service.auth("admin")).json()[
        "plan_id"
    ]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job = service.client.get(f"/v1/plans/{plan_id}", headers=service.auth("admin")).json()
        if job["status"] == "done":
            plan: dict[str, Any] = job["plan"]
            return plan
        assert job["status"] in ("queued", "running"), job
        time.sleep(0.3)
    raise AssertionError("the plan did not finish")

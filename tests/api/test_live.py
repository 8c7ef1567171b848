"""The whole HTTP contract against a running `pointplan serve`, started as the README says:
a token from `pointplan token add`, then every call of interchange.md in a planner's day."""

from __future__ import annotations

import time
from pathlib import Path

import httpx2 as httpx

from tests.api.conftest import now_in_china
from tests.api.live import LIVE_TIMEOUT, free_port, serve, token_add

HOHHOT_POINT = {"point_id": "BS-150121", "name": "土默特左旗汽车站", "lat": 40.73, "lon": 111.17,
                "adcode": "150121"}  # fmt: skip


def _registration(rid: str, **changes: object) -> dict[str, object]:
    registration: dict[str, object] = {
        "registration_id": rid,
        "direction": "return_to_work",
        "origin": "150121",
        "destination": "150203",
        "earliest_date": "2022-11-21",
        "latest_date": "2022-11-21",
        "party_size": 2,
        "name": "张三",
        "id_number": "11010519491231002X",
        "phone": "13812345678",
    }
    return {**registration, **changes}


def test_the_contract_on_a_running_server(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pointplan.db'}"
    admin = token_add(url, "office", "--role", "admin")
    registrar = token_add(url, "tumed-left", "--role", "registrar", "--area", "150121")
    viewer = token_add(url, "league", "--role", "viewer", "--area", "1501")
    assert admin.startswith("pp_") and admin != registrar
    port = free_port()
    with serve(url, port, tmp_path / "serve.log"):
        api = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=LIVE_TIMEOUT)
        as_admin = {"Authorization": f"Bearer {admin}"}
        as_registrar = {"Authorization": f"Bearer {registrar}"}
        as_viewer = {"Authorization": f"Bearer {viewer}"}

        assert api.get("/healthz").json() == {"status": "ok"}
        assert api.get("/openapi.json").json()["info"]["title"] == "pointplan"
        assert api.post("/v1/points", json=[HOHHOT_POINT]).status_code == 401
        assert api.post("/v1/points", headers=as_admin, json=[HOHHOT_POINT]).json() == {
            "created": 1,
            "updated": 0,
        }

        batch = [
            _registration("L1", pickup_point="BS-150121"),
            _registration("L2", party_size=1),
            _registration("L3", phone="12345"),
        ]
        answer = api.post("/v1/registrations", headers=as_registrar, json=batch).json()
        assert answer["accepted"] == 2
        assert [(r["index"], r["registration_id"]) for r in answer["rejected"]] == [(2, "L3")]
        assert "phone" in answer["rejected"][0]["reason"]
        again = api.post("/v1/registrations", headers=as_registrar, json=[_registration("L2")])
        assert again.json() == {"accepted": 1, "rejected": []}
        one = api.get("/v1/registrations/L2", headers=as_registrar).json()
        assert one["version"] == 2 and [e["kind"] for e in one["history"]] == [
            "registered",
            "updated",
        ]
        event = {"event": "health_checked", "time": now_in_china(), "result": "normal"}
        assert (
            api.post("/v1/registrations/L1/events", headers=as_registrar, json=event).status_code
            == 201
        )
        assert api.get("/v1/registrations/L1", headers=as_viewer).status_code == 403

        asked = api.post(
            "/v1/plans",
            headers=as_admin,
            json={"area": "1501", "date_from": "2022-11-21", "date_to": "2022-11-21",
                  "time_limit": 5},
        )  # fmt: skip
        assert asked.status_code == 202
        plan_id = asked.json()["plan_id"]
        deadline = time.monotonic() + 90
        while (job := api.get(f"/v1/plans/{plan_id}", headers=as_viewer).json())["status"] in (
            "queued",
            "running",
        ):
            assert time.monotonic() < deadline, job
            time.sleep(0.3)
        assert job["status"] == "done", job
        trips = job["plan"]["trips"]
        assert sorted(rid for t in trips for s in t["stops"] if s["kind"] == "pickup"
                      for rid in s["registrations"]) == ["L1", "L2"]  # fmt: skip
        trip = api.get(f"/v1/plans/{plan_id}/trips/{trips[0]['trip_id']}", headers=as_viewer)
        manifest = trip.json()["manifest"]
        assert manifest and all(line["name"] == "张*" for line in manifest)
        assert all(line["phone"] == "138****5678" for line in manifest)
        assert api.delete(f"/v1/plans/{plan_id}", headers=as_admin).status_code == 409
        planned = api.get("/v1/registrations/L1", headers=as_admin).json()
        assert planned["status"] == "planned" and planned["history"][-1]["kind"] == "planned"

        second = api.post(
            "/v1/plans",
            headers=as_admin,
            json={"area": "15", "date_from": "2022-11-01", "date_to": "2022-11-30",
                  "time_limit": 600},
        ).json()["plan_id"]  # fmt: skip
        assert api.delete(f"/v1/plans/{second}", headers=as_admin).json()["status"] == "cancelled"
        assert api.get(f"/v1/plans/{second}", headers=as_admin).json()["status"] == "cancelled"
        api.close()

"""Policies through the service: a plan asked for with overrides has every trip under them,
named in plan.json; a bad override is 422 naming where, and so is rail without transfers;
rail with transfers puts a big flow on a train between stored stations; transfers are
planned, not re-planned. On SQLite and PostgreSQL."""

from __future__ import annotations

from pointplan.io.config import default_fleet
from tests.api.conftest import Service, new_id, point, registration

SAIHAN = "150105"  # 呼和浩特市赛罕区; these dates (2022-12-01/02) no other test uses
DATES = {"earliest_date": "2022-12-01", "latest_date": "2022-12-02"}


def test_a_plan_under_an_override_names_it_on_every_trip(service: Service) -> None:
    """The region at a 30% load cap: every trip has `overrides` [0] and its value."""
    service.create(*(registration(new_id("ovr"), origin=SAIHAN, **DATES) for _ in range(4)))
    policy = {"overrides": [{"area": "15", "from": "2022-12-01", "max_load_factor": 0.3}]}
    _, plan = service.solved(SAIHAN, "2022-12-01", "2022-12-02", policy=policy)
    assert plan["trips"]
    for trip in plan["trips"]:
        assert trip["overrides"] == [0] and trip["rules"] == {"max_load_factor": 0.3}
        assert trip["passengers"] <= trip["capacity"]


def test_a_bad_override_is_422_naming_where(service: Service) -> None:
    """A key an override may not set is refused before any job is made."""
    body = {"area": SAIHAN, "date_from": "2022-12-01", "date_to": "2022-12-02",
            "policy": {"overrides": [{"area": "15", "departure_time": "09:00"}]}}  # fmt: skip
    response = service.client.post("/v1/plans", json=body, headers=service.auth("admin"))
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][:4] == ["body", "policy", "overrides", 0]
    assert "departure_time" in response.json()["detail"][0]["msg"]


def test_a_replan_under_an_override_holds_its_trips_to_it(service: Service) -> None:
    """A base plan under the default rules, then a re-plan from it under a 30% cap: every
    trip is under the override, naming it, and every registration has one change."""
    ids = [new_id("ovr") for _ in range(6)]
    service.create(*(registration(rid, origin=SAIHAN, **DATES) for rid in ids))
    base_id, base = service.solved(SAIHAN, "2022-12-01", "2022-12-02")
    assert base["trips"] and not any("overrides" in t for t in base["trips"])
    policy = {"overrides": [{"area": "15", "max_load_factor": 0.3}]}
    _, plan = service.solved(
        SAIHAN, "2022-12-01", "2022-12-02", policy=policy, base_plan_id=base_id
    )
    assert plan["base_plan"] == base_id and plan["trips"]
    for trip in plan["trips"]:
        assert trip["overrides"] == [0] and trip["rules"] == {"max_load_factor": 0.3}
        assert trip["passengers"] <= trip["capacity"]
    changed = [c["registration_id"] for c in plan["changes"]]
    assert set(ids) <= set(changed) and len(changed) == len(set(changed))
    riding = {rid for t in plan["trips"] for s in t["stops"] for rid in s["registrations"]}
    assert set(ids) <= riding | {u["registration_id"] for u in plan["unassigned"]}


def test_rail_is_422_naming_the_key(service: Service) -> None:
    """A policy asking for rail without transfers (the legs a rail journey rides) is refused
    before any job."""
    body = {"area": SAIHAN, "date_from": "2022-12-01", "date_to": "2022-12-02",
            "policy": {"rail": True}}  # fmt: skip
    response = service.client.post("/v1/plans", json=body, headers=service.auth("admin"))
    assert response.status_code == 422, response.text
    assert "rail" in response.json()["detail"][0]["msg"]


def test_transfers_are_planned_and_not_re_planned(service: Service) -> None:
    """A plan with `transfers` is made (each person counted once); a re-plan with them is
    422 saying why, before any job."""
    ids = [new_id("net") for _ in range(3)]
    service.create(*(registration(rid, origin=SAIHAN, **DATES) for rid in ids))
    policy = {"transfers": True}
    base_id, plan = service.solved(SAIHAN, "2022-12-01", "2022-12-02", policy=policy)
    riding = {s["registration_id"] for t in plan["trips"] for s in t["seats"]}
    assert set(ids) <= riding
    assert plan["summary"]["cost_per_person"] > 0
    body = {"area": SAIHAN, "date_from": "2022-12-01", "date_to": "2022-12-02",
            "policy": policy, "base_plan_id": base_id}  # fmt: skip
    response = service.client.post("/v1/plans", json=body, headers=service.auth("admin"))
    assert response.status_code == 422, response.text
    assert "re-plan with transfers" in response.json()["detail"][0]["msg"]


def test_a_network_plan_gathers_at_a_stored_hub_and_its_pages_say_where(service: Service) -> None:
    """A hub stored with POST /v1/points (kind `hub`) gathers four lone travellers from
    Hohhot's counties bound for Beijing: two feeders and one trunk, every person once, and
    the trunk's page, served by the documents call, names the feeders its people come from."""
    hub = point("GH-1501", adcode="1501", name="呼和浩特市集中转运点", lat=40.84, lon=111.70,
                kind="hub")  # fmt: skip
    assert service.post_points([hub]).status_code == 200
    ids = [new_id("hub") for _ in range(4)]
    day = {"earliest_date": "2022-12-07", "latest_date": "2022-12-07", "party_size": 1}
    origins = ("150125", "150124", "150121", "150123")
    service.create(
        *(
            registration(rid, origin=o, destination="110105", **day)
            for rid, o in zip(ids, origins, strict=True)
        )
    )
    plan_id, plan = service.solved("1501", "2022-12-07", "2022-12-07", time_limit=5,
                                   policy={"transfers": True})  # fmt: skip
    mine = [t for t in plan["trips"] if set(ids) & {s["registration_id"] for s in t["seats"]}]
    assert sorted(t.get("leg", "direct") for t in mine) == ["feeder", "feeder", "trunk"]
    assert plan["summary"]["served_registrations"] >= 4 and plan["summary"]["legs"] >= 3
    (trunk,) = [t for t in mine if t.get("leg") == "trunk"]
    page = service.client.get(
        f"/v1/plans/{plan_id}/documents/trips/{trunk['trip_id']}.html",
        headers=service.auth("admin"),
    )
    assert page.status_code == 200
    for feeder in (t for t in mine if t.get("leg") == "feeder"):
        assert f"join from {feeder['trip_id']} (feeder" in page.text


def test_a_big_flow_rides_a_train_between_stored_stations(service: Service) -> None:
    """Stations stored with POST /v1/points (kind `station`) and a fleet with rail cars: 100
    people from Hohhot for Beijing ride feeders to Hohhot's station, two rail cars of one
    train (each with an escort seat) and the receiving side's coaches; every person once,
    and the car's page says which train it is."""
    stations = [
        point("RS-API-HHHT", adcode="150102", name="呼和浩特东站", lat=40.86, lon=111.72,
              kind="station"),
        point("RS-API-BJ", adcode="110101", name="北京站", lat=39.903, lon=116.427,
              kind="station"),
    ]  # fmt: skip
    assert service.post_points(stations).status_code == 200
    ids = [new_id("rail") for _ in range(25)]
    day = {"earliest_date": "2022-12-14", "latest_date": "2022-12-14", "party_size": 4}
    service.create(
        *(registration(rid, origin="150102", destination="110105", **day) for rid in ids)
    )
    fleet = default_fleet().model_dump(mode="json")
    for vehicle_type in fleet["vehicle_types"]:
        if vehicle_type["name"].startswith("rail"):
            vehicle_type["count"] = 10
    rail = {"transfers": True, "rail": True}
    plan_id, plan = service.solved(
        "1501", "2022-12-14", "2022-12-14", time_limit=10, policy=rail, fleet=fleet
    )
    mine = [t for t in plan["trips"] if set(ids) & {s["registration_id"] for s in t["seats"]}]
    cars = [t for t in mine if t.get("mode") == "rail"]
    assert len(cars) == 2 and {t["leg"] for t in cars} == {"trunk"}
    assert {t["train"] for t in cars} == {"L001"} and {t["train_cars"] for t in cars} == {2}
    assert all(len(t["escort_seats"]) == 1 for t in cars)
    assert [t["stops"][0]["point_id"] for t in cars] == ["RS-API-HHHT"] * 2
    assert sum(t["passengers"] for t in cars) == 100
    assert {t.get("leg") for t in mine} == {"feeder", "trunk", "distribution"}
    page = service.client.get(
        f"/v1/plans/{plan_id}/documents/trips/{cars[0]['trip_id']}.html",
        headers=service.auth("admin"),
    )
    assert page.status_code == 200
    assert "L001: 2 节车厢 cars" in page.text and "isolate" in page.text

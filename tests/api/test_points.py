"""POST /v1/points: created and updated counts, who may write which points, bad bodies."""

from __future__ import annotations

from typing import Any

import pytest

from pointplan.store import models
from tests.api.conftest import KUNDULUN, Service, locations, new_id, point, registration


def stored_point(service: Service, point_id: str) -> models.Point | None:
    """The stored point `point_id`, straight from the database."""
    with service.db.session() as session:
        return session.get(models.Point, point_id)


def test_points_are_created_then_updated_by_id(service: Service) -> None:
    """New ids are created; an id sent again is updated in place, with who did it."""
    first, second, third = new_id("P"), new_id("P"), new_id("P")
    response = service.post_points([point(first), point(second)])
    assert response.status_code == 200
    assert response.json() == {"created": 2, "updated": 0}

    response = service.post_points([point(second, name="土左旗客运站", lat=40.74), point(third)])
    assert response.json() == {"created": 1, "updated": 1}
    moved = stored_point(service, second)
    assert moved is not None
    assert (moved.name, moved.lat, moved.updated_by) == ("土左旗客运站", 40.74, "admin")
    assert stored_point(service, third) is not None


def test_a_point_keeps_its_kind(service: Service) -> None:
    """A point is a stop unless posted as a hub or a station; another kind is 422."""
    stop, hub = new_id("P"), new_id("P")
    response = service.post_points([point(stop), {**point(hub), "kind": "hub"}])
    assert response.status_code == 200, response.text
    kinds = [getattr(stored_point(service, i), "kind", None) for i in (stop, hub)]
    assert kinds == ["stop", "hub"]
    response = service.post_points([{**point(new_id("P")), "kind": "depot"}])
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "kind"


def test_an_empty_list_changes_nothing(service: Service) -> None:
    """An empty list is a valid body: nothing created, nothing updated."""
    response = service.post_points([])
    assert response.status_code == 200
    assert response.json() == {"created": 0, "updated": 0}


def test_a_new_point_is_known_to_the_next_registration(service: Service) -> None:
    """A registration naming a point is rejected (the reason naming pickup_point) before the
    point is posted, and accepted right after: the points the batches are checked against
    (read once per change, in the batch worker) are never stale."""
    point_id, rid, unknown = new_id("P"), new_id(), new_id()
    before = service.post_registrations([registration(rid, pickup_point=point_id)]).json()
    assert before["accepted"] == 0
    assert before["rejected"][0]["reason"].startswith("pickup_point:")
    assert service.post_points([point(point_id)]).status_code == 200
    response = service.post_registrations(
        [
            registration(rid, pickup_point=point_id),
            registration(unknown, pickup_point="no-such-point"),
        ]
    )
    body = response.json()
    assert body["accepted"] == 1
    assert [(r["index"], r["registration_id"]) for r in body["rejected"]] == [(1, unknown)]
    assert body["rejected"][0]["reason"].startswith("pickup_point:")


def test_a_planner_writes_points_of_its_area(service: Service) -> None:
    """A Hohhot planner may write a point in Hohhot."""
    response = service.post_points([point(new_id("P"))], who="planner-1501")
    assert response.status_code == 200
    assert response.json() == {"created": 1, "updated": 0}


def test_a_planner_may_not_write_points_outside_its_area(service: Service) -> None:
    """One point outside the planner's area refuses the whole list (403); nothing is saved,
    not even the point inside it."""
    inside, outside = new_id("P"), new_id("P")
    response = service.post_points(
        [point(inside), point(outside, adcode=KUNDULUN)], who="planner-1501"
    )
    assert response.status_code == 403
    assert "1501" in response.json()["detail"]
    assert stored_point(service, inside) is None
    assert stored_point(service, outside) is None


def test_a_planner_may_not_write_a_point_without_adcode(service: Service) -> None:
    """A point with no adcode lies in no planner's area."""
    response = service.post_points([point(new_id("P"), adcode="")], who="planner-1501")
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["registrar-1501", "registrar-1502", "viewer-1501", "viewer-1502"])
def test_registrars_and_viewers_may_not_write_points(service: Service, who: str) -> None:
    """Only admins and planners write points."""
    point_id = new_id("P")
    response = service.post_points([point(point_id)], who=who)
    assert response.status_code == 403
    assert "role" in response.json()["detail"]
    assert stored_point(service, point_id) is None


def _without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != key}


BAD_POINTS: dict[str, tuple[Any, list[str | int]]] = {
    "not a list": (point("P-bad"), ["body"]),
    "not an object": (["P-bad"], ["body", 0]),
    "no name": ([_without(point("P-bad"), "name")], ["body", 0, "name"]),
    "no point_id": ([_without(point("P-bad"), "point_id")], ["body", 0, "point_id"]),
    "empty point_id": ([point("")], ["body", 0, "point_id"]),
    "latitude past 90": ([point("P-bad", lat=91)], ["body", 0, "lat"]),
    "longitude as text": ([point("P-bad", lon="east")], ["body", 0, "lon"]),
    "adcode of 3 digits": ([point("P-bad", adcode="150")], ["body", 0, "adcode"]),
    "unknown key": ([point("P-bad", colour="red")], ["body", 0, "colour"]),
    "second item": ([point("P-good"), point("P-bad", lat=None)], ["body", 1, "lat"]),
}


@pytest.mark.parametrize(("body", "loc"), BAD_POINTS.values(), ids=BAD_POINTS.keys())
def test_a_bad_point_body_is_422_naming_the_field(
    service: Service, body: Any, loc: list[str | int]
) -> None:
    """Every malformed body is 422 with the location of the bad field; nothing is saved."""
    response = service.post_points(body)
    assert loc in locations(response)
    assert stored_point(service, "P-bad") is None
    assert stored_point(service, "P-good") is None

"""GET /v1/registrations (issue 13, reading what is stored): the registrations the caller may
see, filtered by area, status and dates, a page at a time with a cursor; viewers may not
list; an area outside the caller's is 403. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import (
    ID_NUMBER,
    KUNDULUN,
    QINGSHAN,
    Service,
    event,
    locations,
    new_id,
    registration,
)

HELINGE = "150123"  # 呼和浩特市和林格尔县: no other test lists or plans it


def _list(service: Service, who: str = "admin", **params: Any) -> Any:
    response = service.client.get("/v1/registrations", params=params, headers=service.auth(who))
    return response


def test_pages_follow_one_another_and_cover_every_registration_once(service: Service) -> None:
    """Five registrations of one county, two a page: three pages, in id order, each once,
    with personal data for the registrar; the last page has no next cursor."""
    prefix = new_id("list")
    ids = [f"{prefix}-{n}" for n in range(5)]
    service.create(*(registration(rid, origin=HELINGE) for rid in ids))
    seen: list[str] = []
    cursor = None
    for _ in range(4):
        params: dict[str, Any] = {"area": HELINGE, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = _list(service, "registrar-1501", **params)
        assert page.status_code == 200, page.text
        body = page.json()
        seen.extend(item["registration_id"] for item in body["items"])
        assert all(item["fields"]["id_number"] == ID_NUMBER for item in body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert [rid for rid in seen if rid.startswith(prefix)] == ids


def test_filters_by_status_and_dates(service: Service) -> None:
    """Of three in the county, the cancelled one is listed by status=cancelled only; the one
    of December only by dates meeting December."""
    prefix = new_id("filter")
    plain, cancelled, december = (f"{prefix}-{n}" for n in ("a", "b", "c"))
    service.create(
        registration(plain, origin=HELINGE),
        registration(cancelled, origin=HELINGE),
        registration(
            december, origin=HELINGE, earliest_date="2022-12-10", latest_date="2022-12-11"
        ),
    )
    assert service.post_event(cancelled, event("cancelled")).status_code == 201

    def listed(**params: Any) -> set[str]:
        body = _list(service, area=HELINGE, limit=1000, **params).json()
        return {
            i["registration_id"] for i in body["items"] if i["registration_id"].startswith(prefix)
        }

    assert listed(status="cancelled") == {cancelled}
    assert listed(date_from="2022-12-01", date_to="2022-12-31") == {december}
    assert listed(date_to="2022-11-30") == {plain, cancelled}


def test_each_caller_lists_its_own_area_only(service: Service) -> None:
    """A Baotou registration is listed for Baotou's registrar and planner, not for Hohhot's
    (an area filter of Baotou is 403 for them); viewers may not list at all."""
    rid = new_id("baotou")
    service.create(registration(rid, origin=KUNDULUN, destination=QINGSHAN))

    def ids(who: str) -> set[str]:
        body = _list(service, who, area="1502", limit=1000).json()
        return {item["registration_id"] for item in body["items"]}

    assert rid in ids("registrar-1502") and rid in ids("planner-1502") and rid in ids("admin")
    hohhot = {
        i["registration_id"] for i in _list(service, "registrar-1501", limit=1000).json()["items"]
    }
    assert rid not in hohhot
    assert _list(service, "registrar-1501", area="1502").status_code == 403
    for who in ("viewer-1501", "viewer-1502"):
        assert _list(service, who).status_code == 403


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGFuIGlkIQ"])
def test_a_cursor_that_is_not_one_is_422(service: Service, cursor: str) -> None:
    """A cursor this list did not give (not base64, or not an id inside): 422 at the query."""
    assert ["query", "cursor"] in locations(_list(service, cursor=cursor))

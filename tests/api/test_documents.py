"""A plan's documents through the service (issue 13, point 5): plan.xlsx, plan.geojson,
map.html and each trip's page as HTML and PDF, masked by role as the manifests are, for the
roles and areas that may read the plan. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from tests.api.conftest import NAME, Service, new_id, registration

YUQUAN = "150104"  # 呼和浩特市玉泉区: no other test plans it


@pytest.fixture(scope="module")
def plan(service: Service) -> tuple[str, str]:
    """A done plan of 玉泉区 and one of its trips."""
    service.create(*(registration(new_id("doc"), origin=YUQUAN) for _ in range(3)))
    plan_id, body = service.solved(YUQUAN, "2022-11-21", "2022-11-22")
    return plan_id, body["trips"][0]["trip_id"]


def test_every_document_opens_and_is_masked_for_viewers(
    service: Service, plan: tuple[str, str]
) -> None:
    """The planner gets names in full, the viewer masked, in plan.xlsx and the trip pages;
    plan.geojson and map.html need no personal data."""
    plan_id, trip_id = plan
    base = f"/v1/plans/{plan_id}/documents"
    masked = NAME[0] + "*" * (len(NAME) - 1)
    for who, shown in (("planner-1501", NAME), ("viewer-1501", masked)):
        book = service.client.get(f"{base}/plan.xlsx", headers=service.auth(who))
        assert book.status_code == 200, book.text
        sheet = openpyxl.load_workbook(io.BytesIO(book.content), read_only=True)["boarding"]
        names = {row[7] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert names == {shown}, (who, names)
        page = service.client.get(f"{base}/trips/{trip_id}.html", headers=service.auth(who))
        assert page.status_code == 200 and trip_id in page.text and shown in page.text
        assert (NAME in page.text) == (who == "planner-1501")
        pdf = service.client.get(f"{base}/trips/{trip_id}.pdf", headers=service.auth(who))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    geojson = service.client.get(f"{base}/plan.geojson", headers=service.auth("viewer-1501"))
    assert json.loads(geojson.content)["type"] == "FeatureCollection"
    page = service.client.get(f"{base}/map.html", headers=service.auth("viewer-1501"))
    assert page.status_code == 200 and "<html" in page.text.lower()
    font = service.client.get(
        f"{base}/trips/PointplanSans.ttf", headers=service.auth("viewer-1501")
    )
    assert font.status_code == 200 and len(font.content) > 10_000


@pytest.mark.parametrize(
    ("who", "name", "status_code"),
    [
        ("viewer-1502", "plan.xlsx", 404),  # outside its area: as if there were no such plan
        ("planner-1502", "plan.geojson", 404),
        ("registrar-1501", "plan.xlsx", 403),  # registrars read registrations, not plans
        ("admin", "trips/no-such-trip.pdf", 404),
        ("admin", "plan.json.exe", 422),
    ],
)
def test_documents_refused(
    service: Service, plan: tuple[str, str], who: str, name: str, status_code: int
) -> None:
    """Roles and areas that may not read the plan, unknown trips and names."""
    plan_id, _ = plan
    response = service.client.get(
        f"/v1/plans/{plan_id}/documents/{name}", headers=service.auth(who)
    )
    assert response.status_code == status_code, response.text

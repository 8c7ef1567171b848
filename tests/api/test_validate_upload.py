"""A validate-only upload (issue 13, point 5): a JSON batch, a CSV or an XLSX file checked as a
save would check it, answering what would be saved and rejected, saving nothing. On SQLite and
PostgreSQL."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl

from tests.api.conftest import Service, new_id, registration

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = "编号,方向,出发地,目的地,最早日期,最晚日期,人数,电话"


def _validate(
    service: Service, body: bytes, media: str, who: str = "registrar-1501"
) -> dict[str, Any]:
    headers = {**service.auth(who), "Content-Type": media}
    response = service.client.post("/v1/registrations/validate", content=body, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_a_csv_file_is_checked_and_nothing_is_saved(service: Service) -> None:
    """Rows with Chinese headers: one good, one with a bad phone (rejected naming the field and
    its row, never the value), one outside the registrar's area; nothing stored."""
    good, bad, away = new_id("val"), new_id("val"), new_id("val")
    lines = [
        HEADER,
        f"{good},返岗,150121,150203,2022/11/21,2022/11/22,1,13812345678",
        f"{bad},返岗,150121,150203,2022-11-21,2022-11-22,1,12345",
        f"{away},返岗,150203,150204,2022-11-21,2022-11-22,1,13812345678",
    ]
    answer = _validate(service, "\n".join(lines).encode(), "text/csv")
    assert answer["would_save"] == 1
    reasons = {r["registration_id"]: (r["row"], r["reason"]) for r in answer["rejected"]}
    assert reasons[bad][0] == 3 and "phone" in reasons[bad][1] and "12345" not in reasons[bad][1]
    assert reasons[away][0] == 4 and "area" in reasons[away][1]
    assert not set(service.stored("val")) & {good, bad, away}


def test_a_json_batch_and_an_xlsx_file_are_checked_like_a_save(service: Service) -> None:
    """A stored registration sent again with a stale version is rejected as a save would
    reject it; an XLSX file reads like a CSV; nothing is stored or changed."""
    rid = new_id("val")
    service.create(registration(rid))
    stale = [registration(rid, version=7), registration(new_id("val"))]
    answer = _validate(service, json.dumps(stale).encode(), "application/json")
    assert answer["would_save"] == 1
    assert [(r["index"], "stale (409)" in r["reason"]) for r in answer["rejected"]] == [(0, True)]
    assert service.stored(rid)[rid][0] == 1  # version unchanged

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append([new_id("val"), "返岗", "150121", "150203", "2022-11-21", "2022-11-22", 1, ""])
    data = io.BytesIO()
    book.save(data)
    assert _validate(service, data.getvalue(), XLSX)["would_save"] == 1


def test_an_unreadable_upload_is_422_and_viewers_403(service: Service) -> None:
    """A CSV missing every column, a body that is not a list; a viewer may not validate."""
    headers = {**service.auth("registrar-1501"), "Content-Type": "text/csv"}
    response = service.client.post(
        "/v1/registrations/validate", content=b"a,b\n1,2\n", headers=headers
    )
    assert response.status_code == 422 and "missing column" in response.text
    headers["Content-Type"] = "application/json"
    response = service.client.post(
        "/v1/registrations/validate", content=b'{"a": 1}', headers=headers
    )
    assert response.status_code == 422
    headers = {**service.auth("viewer-1501"), "Content-Type": "application/json"}
    response = service.client.post("/v1/registrations/validate", content=b"[]", headers=headers)
    assert response.status_code == 403

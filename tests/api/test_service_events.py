"""The follow-up after a handover and the ledger's steps over HTTP: recorded with their need,
refused where they do not fit, the status never moved (domain rules: tests/hr)."""

from __future__ import annotations

from tests.api.conftest import Service, event, new_id, registration


def test_the_service_records_the_steps_and_refuses_them_out_of_place(service: Service) -> None:
    rid = new_id()
    service.create(registration(rid))
    served = service.post_event(rid, event("need_served", need="job"), who="registrar-1501")
    assert served.status_code == 201, served.text
    assert served.json()["changes"] == {"need": "job"}
    assert service.post_event(rid, event("need_served")).status_code == 422  # no need
    assert service.post_event(rid, event("quarantined")).status_code == 409  # not handed over
    assert service.get_registration(rid).json()["status"] == "registered"

"""Areas that are right (issue 13): the same person posted with a place code, with coordinates
alone and with both is read by the registrar of the county each time, and the county's plan
includes all three; the answer says when the county came from coordinates. On SQLite and
PostgreSQL."""

from __future__ import annotations

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
    plan = service.solved_plan(TOGTOH, "2022-11-21", "2022-11-22")
    riding = {rid for t in plan["trips"] for s in t["stops"] for rid in s["registrations"]}
    assert {by_code, by_coordinates, by_both} <= riding

"""POST /v1/plans, GET /v1/plans/{id}, DELETE /v1/plans/{id} and
GET /v1/plans/{id}/trips/{trip_id}: every answer and every error code they have, and who may
make which call (interchange.md, "HTTP API").

Solving is slow (each plan runs in a spawned process), so each backend solves two plans once,
in the module-scoped `solved` fixture: one for Hohhot (1501) asked by its planner and one for
Baotou (1502) asked by its planner, over registrations on dates no other test uses. They are
asked for at once, so with the default `plan_workers=1` the fixture also watches the second
wait for the first. The other tests read these plans, or make plans they cancel at once
(one more is solved, with its own fleet and policy).

Each plan is also checked against the database where the API cannot show it (the `planned`
events it wrote, the jobs a refused request must not have queued).
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import select

from pointplan.domain.personal import mask_id_number, mask_name, mask_phone
from pointplan.domain.plan import Plan
from pointplan.store import models
from pointplan.store.tokens import add_token
from tests.api.conftest import (
    BAOTOU,
    HOHHOT,
    ID_NUMBER,
    KUNDULUN,
    NAME,
    PERSONAL_VALUES,
    QINGSHAN,
    TUZUOQI,
    XINCHENG,
    ClientFactory,
    Service,
    event,
    locations,
    new_id,
    registration,
)

DATE_FROM, DATE_TO = "2023-03-06", "2023-03-07"
"""The plans' dates; no other test stores registrations on or near them."""
TIME_LIMIT = 1.0
POLL_SECONDS = 0.2
SOLVE_TIMEOUT = 60.0
FINISHED = ("done", "failed", "cancelled")


def _phone(n: int) -> str:
    return f"139{n:08d}"


@dataclass(frozen=True)
class Case:
    """One registration of the module: its ends, window, party and whether it is cancelled;
    `in_plan` says whether a plan of an area over `DATE_FROM`..`DATE_TO` must take it."""

    origin: str
    destination: str
    earliest: str = DATE_FROM
    latest: str = DATE_TO
    party_size: int = 3
    cancelled: bool = False
    direction: str = "return_to_work"

    def touches(self, area: str) -> bool:
        return self.origin.startswith(area) or self.destination.startswith(area)

    def meets_dates(self) -> bool:
        return self.earliest <= DATE_TO and self.latest >= DATE_FROM

    def in_plan(self, area: str) -> bool:
        return self.touches(area) and self.meets_dates() and not self.cancelled


CASES: dict[str, Case] = {
    # 8 x 3 people in Hohhot, more than one coach takes: the solver searches that part (and
    # so reports progress).
    **{f"in-hohhot-{n}": Case(TUZUOQI, XINCHENG) for n in range(8)},
    "to-baotou-0": Case(TUZUOQI, KUNDULUN, party_size=2),
    "to-baotou-1": Case(TUZUOQI, KUNDULUN, party_size=1),
    "from-baotou": Case(KUNDULUN, TUZUOQI, party_size=2, direction="return_home"),
    "starts-before": Case(TUZUOQI, XINCHENG, earliest="2023-03-01", latest=DATE_FROM, party_size=1),
    "ends-after": Case(TUZUOQI, XINCHENG, earliest=DATE_TO, latest="2023-03-12", party_size=1),
    "only-baotou": Case(KUNDULUN, QINGSHAN, party_size=2),
    "too-early": Case(TUZUOQI, KUNDULUN, earliest="2023-03-01", latest="2023-03-05"),
    "too-late": Case(TUZUOQI, XINCHENG, earliest="2023-03-08", latest="2023-03-09"),
    "cancelled": Case(TUZUOQI, KUNDULUN, cancelled=True),
}


@dataclass
class Solved:
    """The module's registrations and the two solved plans of one backend."""

    ids: dict[str, str]
    """Case name -> registration id."""
    hohhot: dict[str, Any]
    baotou: dict[str, Any]
    """GET /v1/plans/{id} of each plan, once done."""
    polls: list[tuple[str, str]]
    """(status of the Hohhot plan, status of the Baotou plan) at each poll."""

    def expected(self, area: str) -> set[str]:
        return {self.ids[name] for name, case in CASES.items() if case.in_plan(area)}


def _plan_body(area: str = HOHHOT, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "area": area,
        "date_from": DATE_FROM,
        "date_to": DATE_TO,
        "time_limit": TIME_LIMIT,
    }
    body.update(overrides)
    return body


def _post_plan(service: Service, body: Any, who: str = "admin") -> httpx.Response:
    return service.client.post("/v1/plans", json=body, headers=service.auth(who))


def _get_plan(service: Service, plan_id: str, who: str = "admin") -> httpx.Response:
    return service.client.get(f"/v1/plans/{plan_id}", headers=service.auth(who))


def _delete_plan(service: Service, plan_id: str, who: str = "admin") -> httpx.Response:
    return service.client.delete(f"/v1/plans/{plan_id}", headers=service.auth(who))


def _get_trip(service: Service, plan_id: str, trip_id: str, who: str = "admin") -> httpx.Response:
    return service.client.get(f"/v1/plans/{plan_id}/trips/{trip_id}", headers=service.auth(who))


def _accepted(response: httpx.Response) -> str:
    """The plan id of a 202 answer."""
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "queued"
    assert set(body) == {"plan_id", "status"}
    return str(body["plan_id"])


def _planned_notes(service: Service, plan_id: str) -> list[str]:
    """The ids of registrations given a `planned` event by plan `plan_id`."""
    with service.db.session() as session:
        rows = session.scalars(
            select(models.RegistrationEvent).where(
                models.RegistrationEvent.kind == "planned",
                models.RegistrationEvent.note.contains(plan_id),
            )
        ).all()
        return [row.registration_id for row in rows]


@pytest.fixture(scope="module")
def solved(service: Service) -> Solved:
    """The registrations of `CASES` stored (one then cancelled), and a Hohhot and a Baotou
    plan asked for at once by their planners and polled every 0.2 s until both are done."""
    prefix = new_id("PLAN")
    ids = {name: f"{prefix}-{name}" for name in CASES}
    items = [
        registration(
            ids[name],
            case.origin,
            case.destination,
            direction=case.direction,
            earliest_date=case.earliest,
            latest_date=case.latest,
            party_size=case.party_size,
            phone=_phone(n),
        )
        for n, (name, case) in enumerate(CASES.items())
    ]
    service.create(*items)
    for name, case in CASES.items():
        if case.cancelled:
            response = service.post_event(ids[name], event("cancelled"))
            assert response.status_code == 201, response.text

    hohhot_id = _accepted(_post_plan(service, _plan_body(HOHHOT), who=f"planner-{HOHHOT}"))
    baotou_id = _accepted(_post_plan(service, _plan_body(BAOTOU), who=f"planner-{BAOTOU}"))
    polls: list[tuple[str, str]] = []
    deadline = time.monotonic() + 2 * SOLVE_TIMEOUT
    while True:
        hohhot, baotou = (_get_plan(service, pid).json() for pid in (hohhot_id, baotou_id))
        polls.append((hohhot["status"], baotou["status"]))
        if hohhot["status"] in FINISHED and baotou["status"] in FINISHED:
            break
        assert time.monotonic() < deadline, f"the plans are not done: {polls[-1]}"
        time.sleep(POLL_SECONDS)
    for plan in (hohhot, baotou):
        assert plan["status"] == "done", plan
    return Solved(ids, hohhot, baotou, polls)


def _wait(service: Service, plan_id: str, until: tuple[str, ...]) -> dict[str, Any]:
    """Poll GET /v1/plans/{id} until its status is one of `until`."""
    deadline = time.monotonic() + SOLVE_TIMEOUT
    while True:
        body: dict[str, Any] = _get_plan(service, plan_id).json()
        if body["status"] in until:
            return body
        assert time.monotonic() < deadline, body
        time.sleep(POLL_SECONDS)


@pytest.fixture
def unsolved(service: Service, solved: Solved) -> Iterator[list[str]]:
    """A list for the ids of plans a test asks for and means to leave unfinished: any still
    queued or running afterwards is cancelled (so no later test waits for it, and no other
    app on the database finds it running). Asks for `solved` first, so the runner is free."""
    plan_ids: list[str] = []
    yield plan_ids
    for plan_id in plan_ids:
        if _get_plan(service, plan_id).json()["status"] not in FINISHED:
            _delete_plan(service, plan_id)


@dataclass(frozen=True)
class OwnAdmin:
    """An admin token made for this module, so the plans it asks for are found by
    `created_by`."""

    name: str
    headers: dict[str, str]


@pytest.fixture(scope="module")
def own_admin(service: Service) -> OwnAdmin:
    """A fresh admin token on the service's database."""
    name = f"plans-admin-{uuid.uuid4().hex[:8]}"
    with service.db.session() as session:
        token = add_token(session, name, "admin")
    return OwnAdmin(name, {"Authorization": f"Bearer {token}"})


def _jobs_by(service: Service, who: str) -> list[str]:
    with service.db.session() as session:
        return list(
            session.scalars(
                select(models.PlanJob.plan_id).where(models.PlanJob.created_by == who)
            ).all()
        )


# --- POST /v1/plans and GET /v1/plans/{id} ----------------------------------------------


def test_a_done_plan_answers_its_status_and_plan_json(solved: Solved) -> None:
    """Both plans are done: the job's own fields, who asked, the times in order, no error,
    and `plan` is plan.json (summary, trips, unassigned, rejected) as the domain reads it."""
    for plan, area, who in (
        (solved.hohhot, HOHHOT, f"planner-{HOHHOT}"),
        (solved.baotou, BAOTOU, f"planner-{BAOTOU}"),
    ):
        assert plan["status"] == "done"
        assert (plan["area"], plan["date_from"], plan["date_to"]) == (area, DATE_FROM, DATE_TO)
        assert (plan["created_by"], plan["error"]) == (who, "")
        created, started, finished = (
            dt.datetime.fromisoformat(plan[key])
            for key in ("created_at", "started_at", "finished_at")
        )
        assert created <= started <= finished
        assert set(plan["plan"]) == {"summary", "trips", "unassigned", "rejected"}
        parsed = Plan.model_validate(plan["plan"])
        assert parsed.summary.registrations == len(solved.expected(area))
        assert parsed.summary.vehicles == len(parsed.trips) > 0


@pytest.mark.parametrize("area", [HOHHOT, BAOTOU])
def test_every_registration_of_the_area_and_dates_appears_exactly_once(
    solved: Solved, area: str
) -> None:
    """Each registration touching the area whose window meets the dates and that is not
    cancelled is on exactly one trip, or unassigned, or rejected; no other registration is
    in the plan (other areas, other dates, the cancelled one)."""
    plan = (solved.hohhot if area == HOHHOT else solved.baotou)["plan"]
    listed = [rid for trip in Plan.model_validate(plan).trips for rid in trip.registration_ids()]
    listed += [entry["registration_id"] for entry in plan["unassigned"]]
    listed += [entry["registration_id"] for entry in plan["rejected"]]
    assert sorted(listed) == sorted(solved.expected(area))
    assert len(listed) == len(set(listed))


def test_a_plan_takes_only_its_area_dates_and_live_registrations(solved: Solved) -> None:
    """What each plan takes and leaves, case by case: a Baotou -> Hohhot trip is in both
    plans; one wholly in Baotou only in Baotou's; windows ending on the first day or starting
    on the last day are in; windows wholly before or after are out; the cancelled one is in
    neither."""
    taken = {
        area: {
            rid
            for trip in Plan.model_validate(body["plan"]).trips
            for rid in trip.registration_ids()
        }
        | {entry["registration_id"] for entry in body["plan"]["unassigned"]}
        for area, body in ((HOHHOT, solved.hohhot), (BAOTOU, solved.baotou))
    }
    found = {
        name: (solved.ids[name] in taken[HOHHOT], solved.ids[name] in taken[BAOTOU])
        for name in CASES
        if not name.startswith("in-hohhot-")
    }
    assert found == {
        "to-baotou-0": (True, True),
        "to-baotou-1": (True, True),
        "from-baotou": (True, True),
        "starts-before": (True, False),
        "ends-after": (True, False),
        "only-baotou": (False, True),
        "too-early": (False, False),
        "too-late": (False, False),
        "cancelled": (False, False),
    }


def test_a_done_plan_has_its_progress(solved: Solved) -> None:
    """The Hohhot plan (one part needs more than one coach, so it is searched) reports its
    progress: every part searched, its vehicles and lower bound."""
    progress = solved.hohhot["progress"]
    assert progress is not None
    assert set(progress) == {"parts_done", "parts_total", "vehicles", "lower_bound"}
    assert progress["parts_done"] == progress["parts_total"] >= 1
    summary = solved.hohhot["plan"]["summary"]
    assert progress["vehicles"] == summary["vehicles"]
    assert progress["lower_bound"] <= progress["vehicles"]


def test_every_done_plan_has_its_progress(solved: Solved) -> None:
    """The Baotou plan's parts each fit one vehicle, so nothing is searched; a done plan
    should still say how far it got (all parts done, its vehicles)."""
    progress = solved.baotou["progress"]
    assert progress is not None
    assert progress["parts_done"] == progress["parts_total"]
    assert progress["vehicles"] == solved.baotou["plan"]["summary"]["vehicles"]


def test_registrations_on_trips_are_planned_with_an_event(service: Service, solved: Solved) -> None:
    """Every registration on a trip of the Hohhot plan is `planned`, with a `planned` event
    naming the plan, its trip and its seats; registrations the plan did not take got no
    event from it, and the cancelled one stays cancelled."""
    plan_id = solved.hohhot["plan_id"]
    trips = Plan.model_validate(solved.hohhot["plan"]).trips
    on_trips = {rid: trip for trip in trips for rid in trip.registration_ids()}
    for rid, trip in on_trips.items():
        body = service.get_registration(rid).json()
        assert body["status"] == "planned", body
        notes = [h["note"] for h in body["history"] if h["kind"] == "planned"]
        seats = " ".join(f"{s.row}{s.seat}" for s in trip.seats if s.registration_id == rid)
        mine = [note for note in notes if plan_id in note]
        assert len(mine) == 1, notes
        assert f"trip {trip.trip_id} on {trip.date}" in mine[0]
        assert mine[0].endswith(f"seats {seats}")
    assert sorted(_planned_notes(service, plan_id)) == sorted(on_trips)
    cancelled = service.get_registration(solved.ids["cancelled"]).json()
    assert cancelled["status"] == "cancelled"
    assert [h["kind"] for h in cancelled["history"]] == ["registered", "cancelled"]


def test_a_planned_event_names_who_asked_for_the_plan(service: Service, solved: Solved) -> None:
    """Every write is recorded with who did it: the `planned` events of a plan name the
    token that asked for it, as every other event names its caller."""
    plan_id = solved.hohhot["plan_id"]
    rid = Plan.model_validate(solved.hohhot["plan"]).trips[0].registration_ids()[0]
    history = service.get_registration(rid).json()["history"]
    actors = {h["actor"] for h in history if h["kind"] == "planned" and plan_id in h["note"]}
    assert actors == {f"planner-{HOHHOT}"}


def test_plans_are_solved_one_at_a_time(solved: Solved) -> None:
    """With plan_workers=1 the second plan waits: at some poll the first runs while the
    second is queued, at no poll do both run, and the second starts only once the first has
    finished."""
    assert ("running", "running") not in solved.polls
    assert ("running", "queued") in solved.polls
    first_finished = dt.datetime.fromisoformat(solved.hohhot["finished_at"])
    second_started = dt.datetime.fromisoformat(solved.baotou["started_at"])
    assert second_started >= first_finished


def test_a_viewer_reads_the_plan_of_its_area_without_personal_data(
    service: Service, solved: Solved
) -> None:
    """A viewer of Hohhot gets the same plan as admin; plan.json holds no names, id numbers
    or phones for anyone."""
    plan_id = solved.hohhot["plan_id"]
    response = _get_plan(service, plan_id, who=f"viewer-{HOHHOT}")
    assert response.status_code == 200
    assert response.json() == solved.hohhot
    phones = [_phone(n) for n in range(len(CASES))]
    assert not [v for v in (*PERSONAL_VALUES, *phones) if v in response.text]


def test_get_an_unknown_plan_is_404(service: Service) -> None:
    """An id no plan has: 404 naming it."""
    plan_id = uuid.uuid4().hex
    response = _get_plan(service, plan_id)
    assert response.status_code == 404
    assert plan_id in response.json()["detail"]


def test_an_overlong_plan_id_is_422(service: Service) -> None:
    """Plan ids are at most 40 characters: a longer one is 422 naming the path."""
    for response in (
        _get_plan(service, "p" * 41),
        _delete_plan(service, "p" * 41),
        _get_trip(service, "p" * 41, "T0001"),
    ):
        assert ["path", "plan_id"] in locations(response)


VAN_FLEET = {
    "vehicle_types": [
        {"name": "van-15", "layout": ["AB|C"] * 5, "rated_seats": 15, "cost_per_km": 3.0}
    ]
}
FULL_LOAD = {"max_load_factor": 1.0, "alternate_seating": False, "reserved_rear_rows": 0}


def test_a_plan_uses_the_fleet_and_policy_it_is_given(service: Service, solved: Solved) -> None:
    """A Baotou plan with its own fleet (15-seat vans) and policy (every seat may be taken):
    the job keeps them as given, and every trip of its plan is a van carrying at most 15,
    with the same registrations as the Baotou plan of the default fleet."""
    body = _plan_body(BAOTOU, fleet=VAN_FLEET, policy=FULL_LOAD)
    plan_id = _accepted(_post_plan(service, body, who=f"planner-{BAOTOU}"))
    with service.db.session() as session:
        job = session.get(models.PlanJob, plan_id)
        assert job is not None
        assert job.fleet is not None and job.policy is not None
        assert [vt["name"] for vt in job.fleet["vehicle_types"]] == ["van-15"]
        assert {key: job.policy[key] for key in FULL_LOAD} == FULL_LOAD
    done = _wait(service, plan_id, FINISHED)
    assert done["status"] == "done", done
    plan = Plan.model_validate(done["plan"])
    assert plan.trips
    assert {trip.vehicle_type for trip in plan.trips} == {"van-15"}
    assert max(trip.passengers for trip in plan.trips) <= 15
    served = {rid for trip in plan.trips for rid in trip.registration_ids()}
    assert served | {u.registration_id for u in plan.unassigned} == solved.expected(BAOTOU)


# --- GET /v1/plans/{id}/trips/{trip_id} -------------------------------------------------


def _personal(solved: Solved, rid: str) -> dict[str, str]:
    name = next(n for n, r in solved.ids.items() if r == rid)
    return {"name": NAME, "id_number": ID_NUMBER, "phone": _phone(list(CASES).index(name))}


def _masked(values: dict[str, str]) -> dict[str, str]:
    return {
        "name": mask_name(values["name"]),
        "id_number": mask_id_number(values["id_number"]),
        "phone": mask_phone(values["phone"]),
    }


@pytest.mark.parametrize("who", ["admin", f"planner-{HOHHOT}", f"viewer-{HOHHOT}"])
def test_a_trip_answers_with_its_manifest(service: Service, solved: Solved, who: str) -> None:
    """Each trip of the Hohhot plan: the trip as in plan.json and one manifest line per
    registration on it, in boarding order, with its seats (one per person), pickup and
    drop-off; names, id numbers and phones in full for admin and planner, masked for a
    viewer (张**, 110105********002X, 139****0003)."""
    plan_id = solved.hohhot["plan_id"]
    party = {solved.ids[name]: case.party_size for name, case in CASES.items()}
    trips = Plan.model_validate(solved.hohhot["plan"]).trips
    for trip, trip_json in zip(trips, solved.hohhot["plan"]["trips"], strict=True):
        response = _get_trip(service, plan_id, trip.trip_id, who=who)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["trip"] == trip_json
        manifest = body["manifest"]
        assert [line["registration_id"] for line in manifest] == trip.registration_ids()
        pickup = {rid: s.place for s in trip.stops if s.kind == "pickup" for rid in s.registrations}
        dropoff = {
            rid: s.place for s in trip.stops if s.kind == "dropoff" for rid in s.registrations
        }
        for line in manifest:
            rid = line["registration_id"]
            seats = [f"{s.row}{s.seat}" for s in trip.seats if s.registration_id == rid]
            assert line["seats"] == seats
            assert len(seats) == party[rid]
            assert (line["pickup"], line["dropoff"]) == (pickup[rid], dropoff[rid])
            personal = _personal(solved, rid)
            expected = _masked(personal) if who.startswith("viewer") else personal
            assert {key: line[key] for key in expected} == expected
        if who.startswith("viewer"):
            assert not [v for v in (*PERSONAL_VALUES, _phone(0)) if v in response.text]


def test_a_masked_manifest_keeps_the_family_name_and_the_phone_ends(
    service: Service, solved: Solved
) -> None:
    """The viewer's masks, spelt out: 张三丰 -> 张**, 13900000003 -> 139****0003."""
    plan_id = solved.hohhot["plan_id"]
    trip = Plan.model_validate(solved.hohhot["plan"]).trips[0]
    line = _get_trip(service, plan_id, trip.trip_id, who=f"viewer-{HOHHOT}").json()["manifest"][0]
    phone = _personal(solved, line["registration_id"])["phone"]
    assert line["name"] == "张**"
    assert line["id_number"] == "110105********002X"
    assert line["phone"] == f"139****{phone[-4:]}"


def test_an_unknown_trip_is_404(service: Service, solved: Solved) -> None:
    """A trip id the plan does not have: 404 naming it."""
    response = _get_trip(service, solved.hohhot["plan_id"], "T9999")
    assert response.status_code == 404
    assert "T9999" in response.json()["detail"]


def test_a_trip_of_an_unknown_plan_is_404(service: Service) -> None:
    """No plan, no trip: 404 naming the plan."""
    plan_id = uuid.uuid4().hex
    response = _get_trip(service, plan_id, "T0001")
    assert response.status_code == 404
    assert plan_id in response.json()["detail"]


def test_a_trip_of_a_plan_not_done_is_404(service: Service, unsolved: list[str]) -> None:
    """A queued or running plan has no trips yet: 404 saying its status; after cancelling,
    still 404."""
    plan_id = _accepted(_post_plan(service, _plan_body(time_limit=120)))
    unsolved.append(plan_id)
    response = _get_trip(service, plan_id, "T0001")
    assert response.status_code == 404
    status = _get_plan(service, plan_id).json()["status"]
    assert status in ("queued", "running")
    assert "not done" in response.json()["detail"]
    assert _delete_plan(service, plan_id).status_code == 200
    response = _get_trip(service, plan_id, "T0001")
    assert response.status_code == 404
    assert "cancelled" in response.json()["detail"]


# --- DELETE /v1/plans/{id} --------------------------------------------------------------


def test_delete_cancels_a_running_and_a_queued_plan(service: Service, unsolved: list[str]) -> None:
    """Two plans asked for at once: the first runs, the second waits. Cancelling the queued
    one leaves it cancelled and never started; cancelling the running one stops its solver
    process. Neither is ever done, nor plans anybody; each answers 409 to a second DELETE."""
    body = _plan_body(time_limit=120)
    running = _accepted(_post_plan(service, body))
    unsolved.append(running)
    queued = _accepted(_post_plan(service, body))
    unsolved.append(queued)
    assert _wait(service, running, ("running", *FINISHED))["status"] == "running"
    assert _get_plan(service, queued).json()["status"] == "queued"
    runner = service.client.app.state.runner  # type: ignore[attr-defined]
    deadline = time.monotonic() + 10
    while running not in runner.running:  # marked running just before its process starts
        assert time.monotonic() < deadline, "the running plan has no process"
        time.sleep(0.05)
    process = runner.running[running].process
    assert process.is_alive()

    for plan_id in (queued, running):
        response = _delete_plan(service, plan_id)
        assert response.status_code == 200, response.text
        assert response.json() == {"plan_id": plan_id, "status": "cancelled"}
    assert not process.is_alive()
    assert running not in runner.running

    time.sleep(1.0)  # a runner would have claimed the queued plan by now
    for plan_id in (queued, running):
        plan = _get_plan(service, plan_id).json()
        assert (plan["status"], plan["plan"], plan["finished_at"] is None) == (
            "cancelled",
            None,
            False,
        )
        again = _delete_plan(service, plan_id)
        assert again.status_code == 409
        assert "cancelled already" in again.json()["detail"]
        assert _planned_notes(service, plan_id) == []
    assert _get_plan(service, queued).json()["started_at"] is None


def test_delete_right_after_post_cancels(service: Service, unsolved: list[str]) -> None:
    """Cancelled before its process has even started, a plan stays cancelled."""
    plan_id = _accepted(_post_plan(service, _plan_body()))
    unsolved.append(plan_id)
    assert _delete_plan(service, plan_id).json() == {"plan_id": plan_id, "status": "cancelled"}
    time.sleep(2.5)  # about how long the plan takes to solve
    assert _get_plan(service, plan_id).json()["status"] == "cancelled"
    assert _planned_notes(service, plan_id) == []


def test_delete_a_done_plan_is_409(service: Service, solved: Solved) -> None:
    """A done plan cannot be cancelled: 409 saying so; it stays done with its plan."""
    plan_id = solved.hohhot["plan_id"]
    response = _delete_plan(service, plan_id)
    assert response.status_code == 409
    assert response.json()["detail"] == "the plan is done already"
    assert _get_plan(service, plan_id).json() == solved.hohhot


def test_delete_an_unknown_plan_is_404(service: Service) -> None:
    """An id no plan has: 404 naming it."""
    plan_id = uuid.uuid4().hex
    response = _delete_plan(service, plan_id)
    assert response.status_code == 404
    assert plan_id in response.json()["detail"]


# --- 422 ----------------------------------------------------------------------------------

TINY_FLEET = {"vehicle_types": [{"name": "tiny", "layout": ["AB", "AB"], "rated_seats": 4}]}
"""Two rows: the two reserved rear rows leave no seat."""
PARKED_FLEET = {
    "vehicle_types": [{"name": "coach", "layout": ["AB|CD"] * 10, "rated_seats": 40, "count": 0}]
}
"""A good coach, but none of it on the road."""

# Each bad request: its body, the location its 422 must name, and words its message holds.
BAD_PLANS: dict[str, tuple[Any, list[str | int], str]] = {
    "area of 3 digits": (_plan_body(area="150"), ["body", "area"], "pattern"),
    "area of 5 digits": (_plan_body(area="15012"), ["body", "area"], "pattern"),
    "area of 12 digits": (_plan_body(area="150121000000"), ["body", "area"], "pattern"),
    "area not digits": (_plan_body(area="hohhot"), ["body", "area"], "pattern"),
    "empty area": (_plan_body(area=""), ["body", "area"], "pattern"),
    "area a number": (_plan_body(area=1501), ["body", "area"], "string"),  # type: ignore[arg-type]
    "no area": (
        {k: v for k, v in _plan_body().items() if k != "area"},
        ["body", "area"],
        "required",
    ),
    "date not a date": (_plan_body(date_from="2023-02-30"), ["body", "date_from"], "date"),
    "no date_to": (
        {k: v for k, v in _plan_body().items() if k != "date_to"},
        ["body", "date_to"],
        "required",
    ),
    "time_limit 0": (_plan_body(time_limit=0), ["body", "time_limit"], "greater than 0"),
    "time_limit not a number": (_plan_body(time_limit="long"), ["body", "time_limit"], "number"),
    "time_limit above the default max": (
        _plan_body(time_limit=601),
        ["body", "time_limit"],
        "at most 600 seconds",
    ),
    "unknown policy key": (
        _plan_body(policy={"max_load_factr": 0.4}),
        ["body", "policy", "max_load_factr"],
        "not permitted",
    ),
    "bad policy value": (
        _plan_body(policy={"max_load_factor": 2}),
        ["body", "policy", "max_load_factor"],
        "less than or equal to 1",
    ),
    "fleet without vehicle types": (
        _plan_body(fleet={}),
        ["body", "fleet", "vehicle_types"],
        "required",
    ),
    "fleet with a bad layout": (
        _plan_body(fleet={"vehicle_types": [{"name": "c", "layout": ["ab"], "rated_seats": 1}]}),
        ["body", "fleet", "vehicle_types", 0, "layout"],
        "seat letters",
    ),
    "fleet that seats nobody": (
        _plan_body(fleet=TINY_FLEET),
        ["body", "fleet"],
        "no vehicle type can carry a passenger",
    ),
    "fleet of parked vehicles": (_plan_body(fleet=PARKED_FLEET), ["body", "fleet"], "count 0"),
    "policy leaving no seat": (
        _plan_body(policy={"reserved_rear_rows": 30}),
        ["body", "fleet"],
        "no vehicle type can carry a passenger",
    ),
    "extra top-level key": (_plan_body(solver="greedy"), ["body", "solver"], "not permitted"),
    "not an object": ([_plan_body()], ["body"], "valid dictionary"),
    "null": (None, ["body"], "valid dictionary"),
}


@pytest.mark.parametrize(("body", "loc", "words"), BAD_PLANS.values(), ids=BAD_PLANS.keys())
def test_a_bad_plan_request_is_422_naming_the_field(
    service: Service, own_admin: OwnAdmin, body: Any, loc: list[str | int], words: str
) -> None:
    """Every malformed request is 422 with the location of the bad field (an unknown key by
    its name) and a message saying what is wrong; no plan is queued."""
    response = service.client.post(
        "/v1/plans",
        content=json.dumps(body),
        headers={**own_admin.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert loc in locations(response), detail
    assert words in next(entry["msg"] for entry in detail if entry["loc"] == loc), detail
    assert _jobs_by(service, own_admin.name) == []


def test_dates_out_of_order_are_422_naming_date_to(service: Service, own_admin: OwnAdmin) -> None:
    """date_to before date_from: 422 whose message names date_to; no plan is queued."""
    body = _plan_body(date_from=DATE_TO, date_to=DATE_FROM)
    response = service.client.post("/v1/plans", json=body, headers=own_admin.headers)
    assert response.status_code == 422
    [entry] = response.json()["detail"]
    assert "date_to" in entry["msg"] or "date_to" in entry["loc"], entry
    assert _jobs_by(service, own_admin.name) == []


def test_a_time_limit_above_the_services_max_is_422(
    service: Service, solved: Solved, own_admin: OwnAdmin, client_with: ClientFactory
) -> None:
    """A service started with max_time_limit=5 refuses time_limit 5.5 naming the field and
    the limit. (Asks for `solved` so no plan is running when the second app starts.)"""
    with client_with(max_time_limit=5) as client:
        response = client.post(
            "/v1/plans", json=_plan_body(time_limit=5.5), headers=own_admin.headers
        )
    assert locations(response) == [["body", "time_limit"]]
    assert "at most 5 seconds" in response.json()["detail"][0]["msg"]
    assert _jobs_by(service, own_admin.name) == []


def test_a_non_finite_number_in_the_policy_is_422(
    service: Service, solved: Solved, own_admin: OwnAdmin, client_with: ClientFactory
) -> None:
    """Python's json.dumps writes Infinity for float("inf"); a plan asked for with it must
    be refused naming the field, never a 500 nor a queued plan. (A plan queued by mistake is
    cancelled before the test ends. Asks for `solved` so no plan is running when the second
    app starts.)"""
    body = json.dumps(_plan_body(policy={"pickup_radius_km": float("inf")}))
    headers = {**own_admin.headers, "Content-Type": "application/json"}
    with client_with(raise_server_exceptions=False) as client:
        response = client.post("/v1/plans", content=body, headers=headers)
        if response.status_code == 202:
            plan_id = response.json()["plan_id"]
            client.delete(f"/v1/plans/{plan_id}", headers=headers)
            runners = (client.app.state.runner, service.client.app.state.runner)  # type: ignore[attr-defined]
            deadline = time.monotonic() + SOLVE_TIMEOUT
            while any(plan_id in runner.running for runner in runners):
                assert time.monotonic() < deadline
                time.sleep(POLL_SECONDS)
    assert response.status_code == 422, response.text
    assert ["body", "policy", "pickup_radius_km"] in locations(response)
    assert _jobs_by(service, own_admin.name) == []


# --- 401, 403 and 404 -----------------------------------------------------------------------

CALLS = ("post", "read", "trip", "delete")

# ok: allowed; area: refused, the plan's area is outside the token's; role: the role may
# not make this call at all.
#                          post     read     trip     delete
#                        1501 1502 1501 1502 1501 1502 1501 1502
ACCESS: dict[str, tuple[str, ...]] = {
    "admin":          ("ok",   "ok",   "ok",   "ok",   "ok",   "ok",   "ok",   "ok"),
    "planner-1501":   ("ok",   "area", "ok",   "area", "ok",   "area", "ok",   "area"),
    "registrar-1501": ("role", "role", "role", "role", "role", "role", "role", "role"),
    "viewer-1501":    ("role", "role", "ok",   "area", "ok",   "area", "role", "role"),
    "planner-1502":   ("area", "ok",   "area", "ok",   "area", "ok",   "area", "ok"),
    "registrar-1502": ("role", "role", "role", "role", "role", "role", "role", "role"),
    "viewer-1502":    ("role", "role", "area", "ok",   "area", "ok",   "role", "role"),
    "hr-1501":        ("role", "role", "role", "role", "role", "role", "role", "role"),
    "hr-1502":        ("role", "role", "role", "role", "role", "role", "role", "role"),
}  # fmt: skip


def _access_cases() -> list[Any]:
    cases = []
    for who, row in ACCESS.items():
        targets = [(call, area) for call in CALLS for area in (HOHHOT, BAOTOU)]
        for (call, area), expected in zip(targets, row, strict=True):
            cases.append(pytest.param(who, call, area, expected, id=f"{who}-{call}-{area}"))
    return cases


@pytest.mark.parametrize(("who", "call", "area", "expected"), _access_cases())
def test_access(
    service: Service, solved: Solved, who: str, call: str, area: str, expected: str
) -> None:
    """Each (token, call, area) gets the contract's answer. The calls are made on the done
    plans, so an allowed call changes nothing: an allowed DELETE answers 409 (the plan is
    done already), and an allowed POST asks for time_limit 601 (above the service's 600) and
    answers 422; a refused call answers 403 before looking at either, except that a plan
    outside the caller's area answers 404, as an unknown one does."""
    plan = solved.hohhot if area == HOHHOT else solved.baotou
    plan_id = plan["plan_id"]
    trip_id = plan["plan"]["trips"][0]["trip_id"]
    if call == "post":
        response = _post_plan(service, _plan_body(area, time_limit=601), who=who)
        ok_status = 422
    elif call == "read":
        response = _get_plan(service, plan_id, who=who)
        ok_status = 200
    elif call == "trip":
        response = _get_trip(service, plan_id, trip_id, who=who)
        ok_status = 200
    else:
        response = _delete_plan(service, plan_id, who=who)
        ok_status = 409
    if expected == "ok":
        assert response.status_code == ok_status, response.text
        if call == "post":
            assert locations(response) == [["body", "time_limit"]]
    elif expected == "area" and call != "post":
        assert response.status_code == 404, response.text
        assert response.json() == {"detail": f"no plan {plan_id!r}"}
    else:
        assert response.status_code == 403, response.text
        assert ("role" if expected == "role" else "outside") in response.json()["detail"]
    assert _get_plan(service, plan_id).json() == plan


def test_the_matrix_covers_every_token(service: Service) -> None:
    """Every token of the fixtures has a row in the matrix."""
    assert set(ACCESS) == set(service.tokens) - {"revoked"}


@pytest.mark.parametrize(
    ("area", "status"), [("15", 403), ("150121", 422), ("150203", 403), ("1501", 422)]
)
def test_a_planner_asks_for_plans_inside_its_area_only(
    service: Service, area: str, status: int
) -> None:
    """Hohhot's planner may ask for Hohhot or one of its counties (here refused only for the
    time_limit above the service's), not for the region nor a Baotou county."""
    response = _post_plan(service, _plan_body(area, time_limit=601), who=f"planner-{HOHHOT}")
    assert response.status_code == status, response.text
    if status == 403:
        assert f"area {area} is outside" in response.json()["detail"]


@pytest.mark.parametrize("token", [None, "not-a-token", "revoked"])
@pytest.mark.parametrize("call", CALLS)
def test_plan_calls_without_a_valid_token_are_401(
    service: Service, solved: Solved, call: str, token: str | None
) -> None:
    """No token, an unknown one or a revoked one: 401 with WWW-Authenticate, for every plan
    call, whatever the body; nothing is queued or cancelled."""
    plan_id = solved.hohhot["plan_id"]
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {service.tokens.get(token, token)}"
    client = service.client
    if call == "post":
        response = client.post("/v1/plans", json=_plan_body(), headers=headers)
    elif call == "read":
        response = client.get(f"/v1/plans/{plan_id}", headers=headers)
    elif call == "trip":
        response = client.get(f"/v1/plans/{plan_id}/trips/T0001", headers=headers)
    else:
        response = client.delete(f"/v1/plans/{plan_id}", headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert _get_plan(service, plan_id).json() == solved.hohhot


def test_the_openapi_document_lists_the_plan_calls(service: Service) -> None:
    """The plan calls are in /openapi.json with the example of the request body."""
    document = json.loads(service.client.get("/openapi.json").text)
    paths = document["paths"]
    assert set(paths["/v1/plans"]) == {"get", "post"}
    assert set(paths["/v1/plans/{plan_id}"]) == {"get", "delete"}
    assert set(paths["/v1/plans/{plan_id}/trips/{trip_id}"]) == {"get"}
    assert document["components"]["schemas"]["PlanIn"]["examples"]

"""A transport department's week through a real `pointplan serve` (issue 13's acceptance), on
SQLite and PostgreSQL: registrations arrive day by day, a plan is made at 17:00 from the day
before's, its next day is published at 18:00, and each day people board and are handed over,
cancel, move to later dates, test abnormal or register late. After every re-plan: nobody
boarded or handed over is on a new trip, nobody abnormal is on any trip, every published trip
is unchanged apart from the people who left it and the people put into its free seats (both
in `changes`), every plannable registration is in exactly one place, and every trip keeps
every rule (the independent checker)."""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from pointplan.builder import build_problem
from tests.api.live import LIVE_TIMEOUT, free_port, fresh_database, serve, token_add
from tests.checker import check_plan

pytestmark = pytest.mark.slow
COUNTY = "150121"  # 土默特左旗, to 包头 and 呼和浩特
WEEK_START = dt.date(2022, 11, 21)
DATES = ("2022-11-21", "2022-11-30")
DESTINATIONS = ("150203", "150204", "150102")


def _week() -> list[tuple[dt.date, dict[str, Any]]]:
    """(the day it is registered, the registration) for 45 parties of 1 to 3 people."""
    found = []
    for number in range(45):
        start = WEEK_START + dt.timedelta(days=number % 5)
        arrives = WEEK_START - dt.timedelta(days=1) if number < 30 else start - dt.timedelta(days=1)
        found.append(
            (
                arrives,
                {
                    "registration_id": f"W{number:03d}",
                    "direction": "return_to_work",
                    "origin": COUNTY,
                    "destination": DESTINATIONS[number % 3],
                    "earliest_date": start.isoformat(),
                    "latest_date": (start + dt.timedelta(days=1)).isoformat(),
                    "party_size": 1 + number % 3,
                    "name": "张三",
                    "id_number": "11010519491231002X",
                    "phone": "13812345678",
                },
            )
        )
    return found


@dataclass
class Happened:
    """What the week has done so far: the registrations as sent last, and who cancelled,
    tested abnormal, or boarded and was handed over."""

    current: dict[str, dict[str, Any]] = field(default_factory=dict)
    cancelled: set[str] = field(default_factory=set)
    abnormal: set[str] = field(default_factory=set)
    riding: set[str] = field(default_factory=set)


class Office:
    """The county's registrar and the planner, calling the server."""

    def __init__(self, api: httpx.Client, registrar: str, planner: str) -> None:
        self.api = api
        self.registrar = {"Authorization": f"Bearer {registrar}"}
        self.planner = {"Authorization": f"Bearer {planner}"}
        self.clock = 0

    def post(self, items: list[dict[str, Any]]) -> None:
        answer = self.api.post("/v1/registrations", headers=self.registrar, json=items)
        assert answer.status_code == 200 and not answer.json()["rejected"], answer.text

    def event(self, rid: str, kind: str, **fields: Any) -> None:
        # events are dated now, a second apart, so that their order is the order posted
        self.clock += 1
        moment = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.clock)
        body = {"event": kind, "time": moment.isoformat(timespec="seconds"), **fields}
        answer = self.api.post(f"/v1/registrations/{rid}/events", headers=self.registrar, json=body)
        assert answer.status_code == 201, (rid, kind, answer.text)

    def plan(self, base_plan_id: str | None) -> tuple[str, dict[str, Any]]:
        body: dict[str, Any] = {"area": COUNTY, "date_from": DATES[0], "date_to": DATES[1]}
        body |= (
            {"time_limit": 2, "base_plan_id": base_plan_id} if base_plan_id else {"time_limit": 2}
        )
        answer = self.api.post("/v1/plans", headers=self.planner, json=body)
        assert answer.status_code == 202, answer.text
        plan_id = answer.json()["plan_id"]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job = self.api.get(f"/v1/plans/{plan_id}", headers=self.planner).json()
            if job["status"] not in ("queued", "running"):
                assert job["status"] == "done", job
                return plan_id, job["plan"]
            time.sleep(0.3)
        raise AssertionError("the plan did not finish in 120 s")

    def publish(self, plan_id: str, through: dt.date) -> None:
        answer = self.api.post(
            f"/v1/plans/{plan_id}/publish",
            headers=self.planner,
            json={"through": through.isoformat()},
        )
        assert answer.status_code == 200, answer.text


def _riders(trip: dict[str, Any]) -> set[str]:
    return {rid for s in trip["stops"] if s["kind"] == "pickup" for rid in s["registrations"]}


def _published_part(trip: dict[str, Any]) -> tuple[Any, ...]:
    stops = tuple(
        (s["kind"], s["place"], s["point_id"], s["arrival"], s["departure"]) for s in trip["stops"]
    )
    return trip["trip_id"], trip["vehicle_type"], trip["date"], stops


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_week_of_daily_replans(tmp_path: Path, kind: str) -> None:
    """Five days of the loop (see the module's description), every check after every plan."""
    week = _week()
    with fresh_database(kind, tmp_path) as url:
        registrar = token_add(url, "tumed-left", "--role", "registrar", "--area", COUNTY)
        planner = token_add(url, "transport", "--role", "planner", "--area", "1501")
        port = free_port()
        with (
            serve(url, port, tmp_path / "serve.log"),
            httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=LIVE_TIMEOUT) as api,
        ):
            office = Office(api, registrar, planner)
            seen = Happened()
            base_id: str | None = None
            base: dict[str, Any] | None = None
            for offset in range(-1, 4):
                today = WEEK_START + dt.timedelta(days=offset)
                arriving = [item for day, item in week if day == today]
                if arriving:
                    office.post(arriving)
                    seen.current.update({item["registration_id"]: item for item in arriving})
                if base is not None:
                    _a_day(office, base, today, seen)
                plan_id, plan = office.plan(base_id)
                _check(plan, base, today, seen)
                office.publish(plan_id, today + dt.timedelta(days=1))
                base_id, base = plan_id, plan
    assert seen.riding and seen.cancelled and seen.abnormal  # each kind of event happened


def _a_day(
    office: Office,
    plan: dict[str, Any],
    today: dt.date,
    seen: Happened,
) -> None:
    """Today's published trips run: one rider tests abnormal first and stays home, the rest
    board and are handed over; of the people on later trips one cancels and one moves to
    later dates."""
    current, cancelled, abnormal, riding = seen.current, seen.cancelled, seen.abnormal, seen.riding
    todays = sorted(
        (t for t in plan["trips"] if t["date"] == today.isoformat()), key=lambda t: t["trip_id"]
    )
    later = sorted(
        rid for t in plan["trips"] if t["date"] > today.isoformat() for rid in _riders(t)
    )
    for number, trip in enumerate(todays):
        for rid in sorted(_riders(trip)):
            if number == 0 and rid == min(_riders(trip)) and not abnormal & _riders(trip):
                office.event(rid, "health_checked", result="abnormal")
                abnormal.add(rid)
                continue
            office.event(rid, "boarded")
            office.event(rid, "handed_over")
            riding.add(rid)
    if len(later) >= 2:
        office.event(later[0], "cancelled", reason="job_changed")
        cancelled.add(later[0])
        moved = current[later[1]]
        start = max(dt.date.fromisoformat(moved["latest_date"]), today) + dt.timedelta(days=2)
        new_window = {"earliest_date": start.isoformat(), "latest_date": start.isoformat()}
        office.event(later[1], "rescheduled", reason="job_changed", **new_window)
        moved.update(new_window)


def _check(
    plan: dict[str, Any],
    base: dict[str, Any] | None,
    today: dt.date,
    seen: Happened,
) -> None:
    current, cancelled, abnormal, riding = seen.current, seen.cancelled, seen.abnormal, seen.riding
    on_trip = {rid: t for t in plan["trips"] for rid in _riders(t)}
    unassigned = {u["registration_id"]: u["reason"] for u in plan["unassigned"]}
    assert not abnormal & set(on_trip), "an abnormal person is on a trip"
    for rid in abnormal:
        assert "abnormal" in unassigned[rid]
    published_before = {
        t["trip_id"]: t for t in (base or {"trips": []})["trips"] if t["date"] <= today.isoformat()
    }
    for rid in riding:
        assert on_trip[rid]["trip_id"] in published_before, f"{rid} boarded, now on a new trip"
    changes = {c["registration_id"]: c for c in plan.get("changes", [])}
    for trip_id, before in published_before.items():
        now = next(t for t in plan["trips"] if t["trip_id"] == trip_id)
        assert _published_part(now) == _published_part(before)
        for rid in _riders(before) - _riders(now):
            assert changes[rid]["change"] in ("removed", "moved"), rid
        for rid in _riders(now) - _riders(before):
            assert changes[rid]["change"] == "added" and "free seat" in changes[rid]["reason"]
    plannable = {rid for rid in current if rid not in cancelled}
    places = [*on_trip, *unassigned, *(r["registration_id"] for r in plan["rejected"])]
    assert sorted(places) == sorted(plannable), "a plannable registration is not in one place"
    if base is not None:
        assert set(changes) >= plannable
    problem = build_problem([current[rid] for rid in sorted(plannable - abnormal)], keep_going=True)
    held = [r for r in build_problem([current[rid] for rid in sorted(abnormal)]).registrations]
    violations = check_plan(
        json.loads(json.dumps(plan)), [*problem.registrations, *held], problem.fleet, problem.policy
    )
    assert violations == [], violations[:10]

"""Rolling-week benchmark: a transport department's week, re-planned every day at 17:00.

A synthetic week (`pointplan.synthetic.make_week`) arrives over the days before and during it
(most registrations before the week starts, the rest up to the day before their window).
On each day d at 17:00 a plan is made from the day before's (`pointplan.replan`), its trips
up to d frozen (published the evening before, run today); in the evening its trips of d+1 are
published. During each day people on that day's trips board and are handed over, and of the
people still to travel some cancel, some move to later dates and some test abnormal; late
registrations come in. After every re-plan the benchmark records:

- people moved: registrations of the base plan on a trip, not changed themselves (same
  window, place and party, not held), now on another trip or seat or boarding at another
  time; of them, those whose trip, date and seats are kept and only the boarding time moved,
  and those who could be put back on their base trip as told in the plan as it is, at no
  extra vehicle and telling nobody else anew (the issue's target: none); and all moved
  people;
- vehicles of the open part (trips after d) against a plan from scratch of the same people
  on the vehicles the frozen trips leave (the target: at most 2% more);
- rule violations (the independent checker of the tests) and registrations not in exactly
  one place.

    python -m benchmarks.rolling --sizes 5000 20000 --time-limit 20
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from benchmarks.results import machine_line, replace_section
from benchmarks.scale import week_problem
from pointplan.domain.plan import Plan, Unassigned
from pointplan.domain.registration import Registration
from pointplan.domain.seating import seating_is_legal
from pointplan.problem import Problem
from pointplan.replan import BOARDING_TIME_CHANGED, Base, fleet_left, replan
from pointplan.solve import solve

WEEK_START = dt.date(2022, 11, 21)
EARLY_SHARE = 0.7  # registered before the week starts; the rest up to the day before
CANCEL, RESCHEDULE, ABNORMAL = 0.02, 0.02, 0.005  # a day, of the people still to travel


@dataclass
class World:
    """What has happened by a day: who registered, with which window, who cancelled, who
    tested abnormal, who rode."""

    registrations: dict[str, Registration]
    arrival: dict[str, dt.date]
    cancelled: set[str] = field(default_factory=set)
    abnormal: set[str] = field(default_factory=set)
    riding: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)  # changed since the last plan


def simulate(size: int, seed: int, time_limit: float, plans: int = 7) -> list[dict[str, Any]]:
    """Run the rolling week of `size` registrations, the first `plans` plans of it (all
    seven by default); one row of figures per plan."""
    from tests.checker import check_plan

    problem = week_problem(size, seed)
    rng = random.Random(seed)
    arrival = {}
    for r in problem.registrations:
        last = max(WEEK_START - dt.timedelta(days=1), r.earliest_date - dt.timedelta(days=1))
        early = rng.random() < EARLY_SHARE or last < WEEK_START
        arrival[r.registration_id] = (
            WEEK_START - dt.timedelta(days=1)
            if early
            else WEEK_START + dt.timedelta(days=rng.randrange((last - WEEK_START).days + 1))
        )
    world = World({r.registration_id: r for r in problem.registrations}, arrival)
    rows: list[dict[str, Any]] = []
    base: Plan | None = None
    for offset in range(-1, min(6, plans - 1)):  # 17:00 on 20 Nov (before the week) to 26 Nov
        today = WEEK_START + dt.timedelta(days=offset)
        if base is not None:
            _a_day_passes(world, base, today, rng)
        day_problem = _problem_of(problem, world, today)
        started = time.perf_counter()
        if base is None:
            plan = solve(day_problem, time_limit=time_limit)
        else:
            plan = replan(
                day_problem,
                Base(base, "yesterday", frozen_through=today, riding=frozenset(world.riding)),
                time_limit=time_limit,
            )
        seconds = time.perf_counter() - started
        everyone = [
            *day_problem.registrations,
            *(world.registrations[u.registration_id] for u in day_problem.held),
        ]
        violations = check_plan(
            json.loads(plan.to_json()), everyone, day_problem.fleet, day_problem.policy
        )
        row: dict[str, Any] = {
            "size": size,
            "day": today.isoformat(),
            "registrations": len(everyone),
            "vehicles": plan.summary.vehicles,
            "seconds": round(seconds, 1),
            "violations": len(violations),
        }
        if base is not None:
            row |= _stability(plan, base, world, today, day_problem, time_limit)
        rows.append(row)
        print(json.dumps(row), flush=True)
        world.changed = set()
        base = plan
    return rows


def _problem_of(problem: Problem, world: World, today: dt.date) -> Problem:
    """The registrations received by 17:00 today less the cancelled, the abnormal held."""
    received = [
        r
        for rid, r in world.registrations.items()
        if world.arrival[rid] <= today and rid not in world.cancelled
    ]
    held = [r for r in received if r.registration_id in world.abnormal]
    return replace(
        problem,
        registrations=tuple(r for r in received if r.registration_id not in world.abnormal),
        held=tuple(
            Unassigned(registration_id=r.registration_id, reason="health check abnormal")
            for r in held
        ),
        held_passengers=sum(r.party_size for r in held),
    )


def _a_day_passes(world: World, plan: Plan, today: dt.date, rng: random.Random) -> None:
    """Today's trips run (their people board); of those still to travel some cancel, move
    to later dates or test abnormal."""
    for trip in plan.trips:
        if trip.date == today:
            world.riding.update(trip.registration_ids())
    waiting = sorted(
        rid
        for rid, r in world.registrations.items()
        if world.arrival[rid] < today
        and rid not in world.riding
        and rid not in world.cancelled
        and r.latest_date > today
    )
    for rid in waiting:
        draw = rng.random()
        r = world.registrations[rid]
        if draw < CANCEL:
            world.cancelled.add(rid)
        elif draw < CANCEL + RESCHEDULE:
            start = max(r.earliest_date, today + dt.timedelta(days=1)) + dt.timedelta(days=1)
            world.registrations[rid] = r.model_copy(
                update={"earliest_date": start, "latest_date": start + dt.timedelta(days=1)}
            )
            world.changed.add(rid)
        elif draw < CANCEL + RESCHEDULE + ABNORMAL:
            world.abnormal.add(rid)


def _stability(
    plan: Plan, base: Plan, world: World, today: dt.date, problem: Problem, time_limit: float
) -> dict[str, Any]:
    """People moved, and the open part's vehicles against a plan from scratch."""
    changes = Counter(c.change for c in plan.changes)
    untouched = [
        c
        for c in plan.changes
        if c.change == "moved"
        and c.registration_id not in world.changed
        and c.registration_id not in world.abnormal
    ]
    untouched_moved = len(untouched)
    why = Counter(c.reason for c in untouched)
    keepable = _keepable([c.registration_id for c in untouched], plan, base, problem)
    on_base = sum(len(t.registration_ids()) for t in base.trips if t.date > today)
    open_trips = [t for t in plan.trips if t.date > today]
    open_ids = {rid for t in open_trips for rid in t.registration_ids()}
    open_ids |= {
        u.registration_id
        for u in plan.unassigned
        if u.registration_id in world.registrations and u.registration_id not in world.abnormal
    }
    by_id = {r.registration_id: r for r in problem.registrations}
    frozen = [t for t in plan.trips if t.date <= today]
    scratch = solve(
        replace(
            problem,
            registrations=tuple(by_id[rid] for rid in sorted(open_ids) if rid in by_id),
            held=(),
            held_passengers=0,
            fleet=fleet_left(problem.fleet, frozen),
        ),
        time_limit=time_limit,
    )
    return {
        "kept": changes["kept"],
        "moved": changes["moved"],
        "moved_unchanged": untouched_moved,
        "moved_unchanged_why": dict(why.most_common()),
        "moved_keepable": keepable,
        "planned_in_base_after_today": on_base,
        "added": changes["added"],
        "removed": changes["removed"],
        "open_vehicles": len(open_trips),
        "scratch_open_vehicles": scratch.summary.vehicles,
        "open_ratio": round(len(open_trips) / max(1, scratch.summary.vehicles), 4),
    }


def _keepable(moved: list[str], plan: Plan, base: Plan, problem: Problem) -> int:
    """How many of the `moved` registrations could be put back on their base trip as they
    were told (in their base seats, boarding at the same place and time) in `plan` as it
    is, at no extra vehicle and telling nobody else anew: a trip of the plan bears their
    base trip's id on its date, boards at their pickup at the time they were told and stops
    at their drop-off, has room for them under the load cap and the seat rules, and the
    trip they ride now keeps every stop without them (so no other time moves)."""
    trips = {t.trip_id: t for t in plan.trips}
    riding = {rid: t for t in plan.trips for rid in t.registration_ids()}
    was_on = {rid: t for t in base.trips for rid in t.registration_ids()}
    by_id = {r.registration_id: r for r in problem.registrations}
    found = 0
    for rid in moved:
        before, registration, now = was_on.get(rid), by_id.get(rid), riding.get(rid)
        trip = trips.get(before.trip_id) if before else None
        if before is None or registration is None or now is None or trip is None:
            continue
        if trip is now or trip.date != before.date:
            continue  # on its trip: its seats or boarding time moved, counted apart
        if trip.passengers + registration.party_size > trip.capacity:
            continue
        told = next(s for s in before.stops if s.kind == "pickup" and rid in s.registrations)
        boards = [s for s in trip.stops if s.kind == "pickup" and s.place == told.place]
        leaves = [s for s in trip.stops if s.kind == "dropoff"]
        dropoff = registration.dropoff
        if not boards or boards[0].departure != told.departure:
            continue
        if not any((s.lat, s.lon) == (dropoff.lat, dropoff.lon) for s in leaves):
            continue
        if any(len(s.registrations) == 1 for s in now.stops if rid in s.registrations):
            continue  # it alone stops there: leaving would move the others' times
        seats = [((s.row, s.seat), s.registration_id) for s in trip.seats]
        seats += [((s.row, s.seat), rid) for s in before.seats if s.registration_id == rid]
        escorts = [(e.row, e.seat) for e in trip.escort_seats]
        if seating_is_legal(trip.layout, problem.policy, escorts, seats):
            found += 1
    return found


def _table(rows: list[dict[str, Any]], command: str) -> str:
    lines = [
        "## Rolling week: re-planned every day at 17:00",
        "",
        machine_line(),
        f"Command: `{command}` (default fleet and policy; benchmarks/rolling.py describes the "
        "simulation).",
        "",
        "| registrations (week) | day (17:00) | registrations planned | vehicles | open vehicles "
        "| from scratch | open / scratch | moved, unchanged | of which boarding time only "
        "| of which keepable at no cost | moved, all | kept | added | removed "
        "| re-plan s | rule violations |",
        "|" + " --- |" * 16,
    ]
    for r in rows:
        if "kept" not in r:
            lines.append(
                f"| {r['size']:,} | {r['day']} (first plan) | {r['registrations']:,} | "
                f"{r['vehicles']:,} | | | | | | | | | | | {r['seconds']} | {r['violations']} |"
            )
            continue
        lines.append(
            f"| {r['size']:,} | {r['day']} | {r['registrations']:,} | {r['vehicles']:,} | "
            f"{r['open_vehicles']:,} | {r['scratch_open_vehicles']:,} | "
            f"{(r['open_ratio'] - 1) * 100:+.1f}% | {r['moved_unchanged']:,} | "
            f"{r['moved_unchanged_why'].get(BOARDING_TIME_CHANGED, 0):,} | "
            f"{r['moved_keepable']:,} | {r['moved']:,} "
            f"| {r['kept']:,} | {r['added']:,} | {r['removed']:,} | {r['seconds']} | "
            f"{r['violations']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the rolling weeks and write the section of RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--plans", type=int, default=7, help="the first N plans of the week")
    args = parser.parse_args()
    rows = [
        row for size in args.sizes for row in simulate(size, args.seed, args.time_limit, args.plans)
    ]
    sizes = " ".join(str(s) for s in args.sizes)
    command = (
        f"python -m benchmarks.rolling --sizes {sizes} --time-limit {args.time_limit:g} "
        f"--seed {args.seed}" + (f" --plans {args.plans}" if args.plans != 7 else "")
    )
    replace_section("## Rolling week", _table(rows, command))


if __name__ == "__main__":
    main()

"""Re-planning from a base plan (interchange.md, "Re-plans"; docs/concepts.md, "Re-planning").

The base plan's frozen trips (published: dated on or before `frozen_through`) stay as they
are (trip id, vehicle type, date, stops, seats), less the people who left them, and their free
seats may take people who need a trip, at stops the trip already makes. Everyone else is
planned again, keeping their trip (and its id), date and seats wherever that costs no extra
vehicle: stability ranks right after vehicles, before stops and km. The open part is planned
twice: from scratch, and around the base's unpublished trips (their people kept, newcomers
joined to them where the stop and seat rules allow, the others planned anew, then local
re-plans of the new trips with the kept trips near them where that saves a vehicle). The two
are compared part by part (independent parts add up their vehicles): the kept version where it
takes no more vehicles and serves no fewer people, else the plan from scratch, and the kept
version again, within 1% more vehicles in all, where it keeps the most people a vehicle. Every
registration of the base plan and every new one gets a `Change`.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from pointplan.buses import with_buses
from pointplan.domain.fleet import Fleet, VehicleType
from pointplan.domain.manifest import trip_manifest
from pointplan.domain.places import Place
from pointplan.domain.plan import Change, ChangeKind, Plan, SeatAssignment, Trip, Unassigned
from pointplan.domain.policy import Policy
from pointplan.domain.registration import Registration
from pointplan.domain.seating import (
    free_seats_apart,
    load_cap,
    seating_is_legal,
)
from pointplan.parallel import Executor
from pointplan.problem import Problem
from pointplan.ruled import RuleClass, class_problem, marked, rule_class, trip_rules
from pointplan.solve import solve
from pointplan.solvers.budget import DEFAULT_SECONDS
from pointplan.solvers.decision import Decision, PlaceKey, place_key, stops_added
from pointplan.solvers.decompose import decompose
from pointplan.solvers.fleet_use import fleet_left
from pointplan.solvers.registry import DEFAULT_SOLVER
from pointplan.solvers.result import assemble_plan
from pointplan.solvers.seating import with_capacities
from pointplan.solvers.trips import build_trip, seat_plan
from pointplan.stop import Progress

STABILITY_SLACK = 0.01
"""How many more vehicles than the plan from scratch (a share of it) the kept version may
take: the plan from scratch is a heuristic's too, not an optimum, and moving many people to
match it vehicle for vehicle is not what stability is for."""
NEAR_TRIPS = 8
"""Kept trips re-planned at most together with one new trip, to save a vehicle."""
REPAIR_PASSES = 3
"""Passes over the new trips, each re-planning them with the kept trips near them."""
REPAIR_SECONDS = 0.5
"""The search budget of each such local re-plan."""
PULL_BACK_PASSES = 2
"""Passes over the people still told anew, each moving them back onto their base trip where
that keeps more people as they were (`_State.pulled_back`)."""
MOST_SHIFT = dt.timedelta(hours=2)
"""How far a trip's departure may move from the policy's to keep people's boarding times."""
REPAIRS = 60
"""Local re-plans at most in one re-plan (a count, not a clock, so that the plan is the same
on any machine): at 20,000 registrations unbounded ones took two minutes."""
PlanPart = Callable[[Sequence[Registration], Sequence[Trip], float | None], Plan]
"""Plans registrations on the vehicles the fixed trips leave, with a budget (None: half the
re-plan's)."""
KEEPING_COST = "keeping its trip would have cost a vehicle"
TRANSFERS_NOT_YET = (
    "a re-plan with transfers or with min_trip_passengers above 1 is not supported yet (a "
    "kept leg would need its other legs kept too, an advised party its reason); plan from "
    "scratch, or re-plan without them"
)
"""Why a re-plan refuses a policy with transfers or advised flows."""
BOARDING_TIME_CHANGED = "its boarding time changed"
"""Why a registration is told anew when only the time its trip comes by moved."""
RULES_APART = (
    "the rules by place and date now set it apart from its trip's other riders (its trip "
    "kept for the most of them)"
)
"""Why a rider leaves a kept trip whose riders the policy's overrides now put under different
rules: a trip is planned under one rule class (`pointplan.ruled`)."""


@dataclass(frozen=True)
class Base:
    """The plan a re-plan starts from. `name` is its id or file (plan.json's `base_plan`);
    its trips dated on or before `frozen_through` are frozen (published, 一车一方案 issued).
    `riding` are registrations on their way or arrived (boarded, handed over): given among
    the problem's registrations, they stay on their frozen trip whatever changed, and are
    never put on another (held, when on no frozen trip)."""

    plan: Plan
    name: str
    frozen_through: dt.date | None = None
    riding: frozenset[str] = frozenset()

    def is_frozen(self, trip: Trip) -> bool:
        """Whether the trip is published: kept as it is."""
        return self.frozen_through is not None and trip.date <= self.frozen_through


def replan(
    problem: Problem,
    base: Base,
    *,
    solver: str = DEFAULT_SOLVER,
    seed: int = 0,
    time_limit: float | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> Plan:
    """Plan `problem` again from `base` (see the module's description); deterministic for a seed,
    whatever the number of workers, and on a cluster (`executor`). The two planning runs of the open
    part get half of `time_limit` each (default `DEFAULT_SECONDS`), and each local re-plan (at most
    `REPAIRS`) `REPAIR_SECONDS`; `on_progress` hears the two runs. Raises `ValueError` with
    `TRANSFERS_NOT_YET` for a policy with transfers or `min_trip_passengers` above 1."""
    if problem.policy.transfers or problem.policy.min_trip_passengers > 1:
        raise ValueError(TRANSFERS_NOT_YET)
    started = time.perf_counter()
    problem = _riding_held(with_capacities(problem), base)
    state = _State(problem, base)
    frozen = state.frozen_trips()
    kept = state.kept_open_trips()
    staying = {rid for k in kept for rid in k.rids()}
    to_plan = [
        r
        for r in problem.registrations
        if r.registration_id not in state.on_frozen and r.registration_id not in staying
    ]
    frozen, to_plan = state.fill_frozen(frozen, to_plan)
    open_regs = [r for r in problem.registrations if r.registration_id not in state.on_frozen]

    def plan_part(
        registrations: Sequence[Registration], fixed: Sequence[Trip], seconds: float | None
    ) -> Plan:
        part = replace(
            problem,
            registrations=tuple(registrations),
            fleet=fleet_left(problem.fleet, fixed),
            rejected=(),
            held=(),
            held_passengers=0,
        )
        return solve(
            part,
            solver=solver,
            seed=seed,
            time_limit=seconds or (time_limit or DEFAULT_SECONDS) / 2,
            workers=workers,
            executor=executor,
            on_progress=on_progress if seconds is None else None,
            buses=False,
        )

    scratch = plan_part(open_regs, frozen, None)
    chosen = state.around_kept(kept, to_plan, frozen, scratch, plan_part)
    open_trips = state.retimed(state.pulled_back(chosen.trips))
    trips = sorted([*frozen, *open_trips], key=lambda t: (t.date, t.trip_id))
    plan = assemble_plan(
        problem,
        trips,
        chosen.unassigned,
        lower_bound=sum(1 for t in frozen if t.passengers) + chosen.lower_bound,  # see docs
        solve_seconds=time.perf_counter() - started,
        solver=solver,
        seed=seed,
    )
    plan = plan.model_copy(
        update={
            "base_plan": base.name,
            "frozen_through": base.frozen_through,
            "changes": state.changes(plan),
        }
    )
    return with_buses(problem, plan)


RIDING_REASON = "boarded or handed over: on its way or arrived, never put on a new trip"


def _riding_held(problem: Problem, base: Base) -> Problem:
    """The problem with the riding registrations that are on no frozen trip of the base held
    off every trip (they are never planned again)."""
    on_frozen = {rid for t in base.plan.trips if base.is_frozen(t) for rid in t.registration_ids()}
    off = [
        r
        for r in problem.registrations
        if r.registration_id in base.riding and r.registration_id not in on_frozen
    ]
    if not off:
        return problem
    held = [
        *problem.held,
        *(Unassigned(registration_id=r.registration_id, reason=RIDING_REASON) for r in off),
    ]
    return replace(
        problem,
        registrations=tuple(r for r in problem.registrations if r not in off),
        held=tuple(sorted(held, key=lambda u: u.registration_id)),
        held_passengers=problem.held_passengers + sum(r.party_size for r in off),
    )


@dataclass
class _PartChoice:
    """One independent part's trips and unassigned in the kept version and from scratch, and
    which is taken."""

    stable: list[Trip] = field(default_factory=list)
    stable_left: list[Unassigned] = field(default_factory=list)
    scratch: list[Trip] = field(default_factory=list)
    scratch_left: list[Unassigned] = field(default_factory=list)
    keep: bool = False


def _served(trips: Iterable[Trip]) -> int:
    return sum(t.passengers for t in trips)


@dataclass(frozen=True)
class _Chosen:
    trips: tuple[Trip, ...]
    unassigned: tuple[Unassigned, ...]
    lower_bound: int


@dataclass
class _Kept:
    """An unpublished trip of the base plan with the people who keep it, and the seats they
    keep; newcomers may join it where the stop and seat rules allow."""

    trip_id: str
    vehicle_type: VehicleType
    date: dt.date
    riders: list[Registration]
    seats: dict[str, list[tuple[int, str]]]
    escorts: tuple[tuple[int, str], ...]
    rule_class: RuleClass = ((), ())
    pickups: dict[PlaceKey, Place] = field(default_factory=dict)
    dropoffs: dict[PlaceKey, Place] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for r in self.riders:
            self.pickups.setdefault(place_key(r.pickup), r.pickup)
            self.dropoffs.setdefault(place_key(r.dropoff), r.dropoff)

    def rids(self) -> list[str]:
        """Its riders' registration ids."""
        return [r.registration_id for r in self.riders]

    @property
    def people(self) -> int:
        """People on it."""
        return sum(r.party_size for r in self.riders)

    def copy(self) -> _Kept:
        """A copy that may take newcomers without changing this one."""
        return _Kept(
            self.trip_id,
            self.vehicle_type,
            self.date,
            list(self.riders),
            {rid: list(seats) for rid, seats in self.seats.items()},
            self.escorts,
            self.rule_class,
        )

    def add(self, registration: Registration, seats: Iterable[tuple[int, str]]) -> None:
        """Take one more party, in these seats."""
        self.riders.append(registration)
        self.seats[registration.registration_id] = list(seats)
        self.pickups.setdefault(place_key(registration.pickup), registration.pickup)
        self.dropoffs.setdefault(place_key(registration.dropoff), registration.dropoff)

    def taken(self) -> list[tuple[int, str]]:
        """Seats taken, escorts' included."""
        return [*self.escorts, *(seat for seats in self.seats.values() for seat in seats)]

    def trip(self, problem: Problem, departure: dt.time | None = None) -> Trip:
        """The trip, routed again through the stops its riders still need, with their seats,
        planned under `problem`, its rule class's (`_State.rules_for`), leaving at
        `departure` (default: the policy's)."""
        seating = seat_plan(
            self.vehicle_type.layout,
            self.escorts,
            [(label, rid) for rid in self.rids() for label in self.seats[rid]],
        )
        decision = Decision(self.vehicle_type, self.date, tuple(self.riders))
        return build_trip(self.trip_id, problem, decision, seating, departure)


class _State:
    """A re-plan's bookkeeping: who left which base trip and why, who is on a frozen trip."""

    def __init__(self, problem: Problem, base: Base) -> None:
        self.problem = problem
        self.base = base
        self.current = {r.registration_id: r for r in problem.registrations}
        self.held = {u.registration_id: u.reason for u in problem.held}
        self.left: dict[str, str] = {}
        self.on_frozen: dict[str, str] = {}  # registration id -> frozen trip id
        self.filled: set[str] = set()  # put into a free seat of a frozen trip
        self.given_up: set[str] = set()
        self._class_problems: dict[RuleClass, Problem] = {}

    @cached_property
    def told(self) -> dict[str, Placement]:
        """What each registration on a trip of the base plan was told (`_placements`)."""
        return _placements(self.base.plan.trips)

    def rules_for(self, rule_class: RuleClass) -> Problem:
        """The problem under a rule class's rules, with its capacity table (cached)."""
        if rule_class not in self._class_problems:
            found = with_capacities(class_problem(self.problem, rule_class))
            self._class_problems[rule_class] = found
        return self._class_problems[rule_class]

    def kept_trip(self, kept: _Kept, departure: dt.time | None = None) -> Trip:
        """A kept trip, built under its rule class's rules and naming them."""
        trip = kept.trip(self.rules_for(kept.rule_class), departure)
        return marked(trip, self.problem.policy, kept.rule_class)

    def as_kept(self, trip: Trip) -> _Kept:
        """A trip of this plan, to be built again with its riders in their seats."""
        riders = [self.current[rid] for rid in trip.registration_ids()]
        return _Kept(
            trip.trip_id,
            self.problem.fleet.by_name(trip.vehicle_type),
            trip.date,
            riders,
            _seats_by_rider(trip),
            tuple((e.row, e.seat) for e in trip.escort_seats),
            rule_class(self.problem.policy, riders[0]),
        )

    def _why_leaves(self, trip: Trip, rid: str) -> str | None:
        """Why a rider of a base trip may not stay on it, or None when it may."""
        if rid in self.held:
            return self.held[rid]
        registration = self.current.get(rid)
        if registration is None:
            return "no longer to be planned (cancelled, or outside this plan's area or dates)"
        if registration.direction.value != trip.direction.value:
            return "its direction changed"
        if not registration.earliest_date <= trip.date <= registration.latest_date:
            return f"its dates changed ({registration.earliest_date}..{registration.latest_date})"
        for stop in trip.stops:
            if rid in stop.registrations:
                place = registration.pickup if stop.kind == "pickup" else registration.dropoff
                if place_key(place) != (stop.lat, stop.lon, stop.place, stop.point_id):
                    return f"its {stop.kind} changed"
        if sum(1 for s in trip.seats if s.registration_id == rid) != registration.party_size:
            return "its party size changed"
        return None

    def frozen_trips(self) -> list[Trip]:
        """The base's frozen trips less the people who left them."""
        kept = []
        for trip in self.base.plan.trips:
            if not self.base.is_frozen(trip):
                continue
            staying = []
            for rid in trip.registration_ids():
                riding = rid in self.base.riding and rid in self.current
                reason = None if riding else self._why_leaves(trip, rid)
                if reason is None:
                    staying.append(rid)
                    self.on_frozen[rid] = trip.trip_id
                else:
                    self.left[rid] = reason
            kept.append(_only(trip, set(staying), self._party_sizes(trip)))
        return kept

    def _party_sizes(self, trip: Trip) -> Counter[str]:
        return Counter(s.registration_id for s in trip.seats)

    def kept_open_trips(self) -> list[_Kept]:
        """The base's unpublished trips with the people who may keep them: of one rule class
        (the one with the most people, when the overrides now set its riders apart), their
        seats legal under its rules (else the trip is given up)."""
        kept = []
        for trip in self.base.plan.trips:
            if self.base.is_frozen(trip):
                continue
            riders = []
            for rid in trip.registration_ids():
                reason = self._why_leaves(trip, rid)
                if reason is None:
                    riders.append(self.current[rid])
                else:
                    self.left[rid] = reason
            if not riders:
                continue
            try:
                vehicle_type = self.problem.fleet.by_name(trip.vehicle_type)
            except KeyError:
                reason = f"vehicle type {trip.vehicle_type} is no longer in the fleet"
                self.left.update({r.registration_id: reason for r in riders})
                continue
            by_class: dict[RuleClass, list[Registration]] = {}
            for r in riders:
                by_class.setdefault(rule_class(self.problem.policy, r), []).append(r)
            biggest = min(by_class, key=lambda c: (-sum(r.party_size for r in by_class[c]), c))
            riders = by_class.pop(biggest)
            self.left.update(
                {r.registration_id: RULES_APART for rs in by_class.values() for r in rs}
            )
            seats = _seats_by_rider(trip)
            candidate = _Kept(
                trip.trip_id,
                vehicle_type,
                trip.date,
                riders,
                {r.registration_id: seats[r.registration_id] for r in riders},
                tuple((e.row, e.seat) for e in trip.escort_seats),
                biggest,
            )
            if not _seats_legal(candidate, self.rules_for(biggest).policy):
                numbers = ", ".join(str(n) for n in sorted({*biggest[0], *biggest[1]}))
                reason = "the seat rules changed"
                if numbers:
                    reason += f" (overrides {numbers} hold for its trip)"
                self.left.update({r.registration_id: reason for r in riders})
                continue
            kept.append(candidate)
        return kept

    def fill_frozen(
        self, frozen: list[Trip], to_plan: list[Registration]
    ) -> tuple[list[Trip], list[Registration]]:
        """Put people who need a trip into free seats of frozen trips, at stops those trips
        make already and on their date, under the rules holding for the trip with them on
        it; the trips and the people still to plan."""
        by_stop: dict[tuple[str, dt.date, PlaceKey], list[int]] = {}
        for index, trip in enumerate(frozen):
            for stop in trip.stops:
                if stop.kind == "pickup":
                    key = (stop.lat, stop.lon, stop.place, stop.point_id)
                    by_stop.setdefault((trip.direction.value, trip.date, key), []).append(index)
        rest = []
        for registration in sorted(to_plan, key=_urgency):
            placed = False
            for day in registration.window():
                for index in by_stop.get(
                    (registration.direction.value, day, place_key(registration.pickup)), []
                ):
                    trip = frozen[index]
                    rules = self._frozen_rules(trip, registration)
                    grown = _with_rider(trip, registration, self.problem.fleet, rules)
                    if grown is not None:
                        frozen[index] = grown
                        self.on_frozen[registration.registration_id] = trip.trip_id
                        self.filled.add(registration.registration_id)
                        placed = True
                        break
                if placed:
                    break
            if not placed:
                rest.append(registration)
        return frozen, rest

    def _frozen_rules(self, trip: Trip, newcomer: Registration) -> Policy:
        """The rules a frozen trip must keep with `newcomer` on it: those holding for its
        riders' areas and the newcomer's on its date."""
        policy = self.problem.policy
        if not policy.overrides:
            return policy
        riders = [self.current[rid] for rid in trip.registration_ids() if rid in self.current]
        areas = [a for r in (*riders, newcomer) for a in (r.pickup.adcode, r.dropoff.adcode) if a]
        return trip_rules(policy, areas, trip.date)

    def around_kept(
        self,
        kept: list[_Kept],
        to_plan: list[Registration],
        frozen: list[Trip],
        scratch: Plan,
        plan_part: PlanPart,
    ) -> _Chosen:
        """The open part planned around the kept trips: newcomers joined to them where the
        rules allow, the rest planned anew; then, while that needs more vehicles than
        `scratch`, the emptiest new trips re-planned together with the kept trips near them
        where that saves a vehicle; then the kept version or `scratch` taken part by part
        (`_per_part`). `scratch` itself when no trip of the base is kept."""
        used = {t.trip_id for t in self.base.plan.trips}
        bound = scratch.summary.vehicles_lower_bound
        if kept:
            kept_now = {k.trip_id: k.copy() for k in kept}
            rest = self._join_kept(list(kept_now.values()), to_plan)
            kept_trips = {trip_id: self.kept_trip(k) for trip_id, k in kept_now.items()}
            part = plan_part(rest, [*frozen, *kept_trips.values()], None)
            new_trips, unassigned = list(part.trips), list(part.unassigned)
            given_up: set[str] = set()
            repairs = 0
            for _ in range(REPAIR_PASSES):
                saved = False
                for trip in sorted(new_trips, key=lambda t: (t.passengers, t.date, t.trip_id)):
                    if len(kept_trips) + len(new_trips) <= scratch.summary.vehicles:
                        break
                    if repairs >= REPAIRS:
                        break
                    if not any(t is trip for t in new_trips):
                        continue
                    riders = [self.current[rid] for rid in trip.registration_ids()]
                    near = self._near(riders, [kept_now[i] for i in kept_trips])
                    if not near:
                        continue
                    riders += [r for k in near for r in k.riders]
                    others = [t for t in new_trips if t is not trip]
                    fixed = [
                        *frozen,
                        *(t for i, t in kept_trips.items() if kept_now[i] not in near),
                    ]
                    repairs += 1
                    local = plan_part(riders, [*fixed, *others], REPAIR_SECONDS)
                    if local.unassigned or local.summary.vehicles > len(near):
                        continue
                    for k in near:
                        del kept_trips[k.trip_id]
                        given_up.update(k.rids())
                    new_trips = [*others, *local.trips]
                    saved = True
                if not saved:
                    break
            kept_rids = {rid for k in kept for rid in k.rids()}
            return self._per_part(
                list(kept_trips.values()), new_trips, unassigned, scratch, kept_rids, given_up, used
            )
        self.given_up = {r.registration_id for k in kept for r in k.riders}
        named, unnamed = self.named_after_base(list(scratch.trips), set())
        return _Chosen((*named, *_renumbered(unnamed, used)), scratch.unassigned, bound)

    def _per_part(
        self,
        kept: list[Trip],
        new: list[Trip],
        unassigned: list[Unassigned],
        scratch: Plan,
        kept_rids: set[str],
        given_up: set[str],
        used: set[str],
    ) -> _Chosen:
        """Part by part (`decompose`: people of two parts can never share a vehicle, so
        vehicles add up over parts), the kept version where it takes no more vehicles and
        serves no fewer people than the plan from scratch, else the plan from scratch; then,
        within `STABILITY_SLACK` more vehicles in all, the kept version again where it keeps
        the most people for each vehicle it costs."""
        stable = [*kept, *new]
        kept_objects = {id(trip) for trip in kept}  # new trips may have a kept trip's id yet
        riders = [rid for t in [*stable, *scratch.trips] for rid in t.registration_ids()]
        riders += [u.registration_id for u in [*unassigned, *scratch.unassigned]]
        open_regs = tuple(self.current[rid] for rid in sorted(set(riders)))
        part_of = {
            r.registration_id: index
            for index, part in enumerate(decompose(replace(self.problem, registrations=open_regs)))
            for r in part.registrations
        }
        parts: dict[int, _PartChoice] = {}

        def choice(rid: str) -> _PartChoice:
            return parts.setdefault(part_of[rid], _PartChoice())

        for trip in stable:
            choice(trip.registration_ids()[0]).stable.append(trip)
        for u in unassigned:
            choice(u.registration_id).stable_left.append(u)
        for trip in scratch.trips:
            choice(trip.registration_ids()[0]).scratch.append(trip)
        for u in scratch.unassigned:
            choice(u.registration_id).scratch_left.append(u)

        costly: list[tuple[float, int, int]] = []  # (vehicles a kept person, part, vehicles)
        for index, part in parts.items():
            if _served(part.stable) < _served(part.scratch):
                continue
            extra = len(part.stable) - len(part.scratch)
            if extra > 0:
                part.stable = self._dissolved(part.stable, kept_objects, extra, given_up)
                extra = len(part.stable) - len(part.scratch)
            if extra <= 0:
                part.keep = True
                continue
            keeping = sum(
                1 for t in part.stable for rid in t.registration_ids() if rid in kept_rids
            )
            if keeping:
                costly.append((extra / keeping, index, extra))
        budget = math.floor(STABILITY_SLACK * scratch.summary.vehicles)
        for _, index, extra in sorted(costly):
            if extra <= budget:
                parts[index].keep = True
                budget -= extra
        kept_trips: list[Trip] = []
        new_trips: list[Trip] = []
        left_out: list[Unassigned] = []
        for _, part in sorted(parts.items()):
            if part.keep:
                left_out += part.stable_left
                for trip in part.stable:
                    (kept_trips if id(trip) in kept_objects else new_trips).append(trip)
            else:
                left_out += part.scratch_left
                new_trips += part.scratch
                given_up.update(
                    rid for t in part.stable for rid in t.registration_ids() if rid in kept_rids
                )
        self.given_up = given_up
        named, unnamed = self.named_after_base(new_trips, {t.trip_id for t in kept_trips})
        return _Chosen(
            (*kept_trips, *named, *_renumbered(unnamed, used)),
            tuple(sorted(left_out, key=lambda u: u.registration_id)),
            scratch.summary.vehicles_lower_bound,
        )

    def _dissolved(
        self, trips: list[Trip], kept_objects: set[int], needed: int, given_up: set[str]
    ) -> list[Trip]:
        """`trips` (one part's) with up to `needed` of them dissolved: new ones first, the
        emptiest first, each when every one of its riders fits into another trip on a date
        of its window, where the stop, load and seat rules allow, without moving anyone
        seated (`_seat_on_best`). The riders of a kept trip dissolved are given up
        (`given_up`); a kept trip that takes riders stays kept (`kept_objects`, by object)."""
        live = dict(enumerate(trips))
        order = sorted(
            live,
            key=lambda i: (id(trips[i]) in kept_objects, trips[i].passengers, trips[i].trip_id, i),
        )
        saved = 0
        for i in order:
            if saved >= needed:
                break
            trip = live[i]
            prepared: dict[int, _Kept] = {}
            hosts: set[int] = set()
            riders = sorted((self.current[rid] for rid in trip.registration_ids()), key=_urgency)
            for registration in riders:
                host = self._host(registration, i, live, prepared)
                if host is None:
                    break
                hosts.add(host)
            else:
                del live[i]
                if id(trip) in kept_objects:
                    given_up.update(trip.registration_ids())
                for j in sorted(hosts):
                    rebuilt = self.kept_trip(prepared[j])
                    if id(live[j]) in kept_objects:
                        kept_objects.add(id(rebuilt))
                    live[j] = rebuilt
                saved += 1
        return [live[i] for i in sorted(live)]

    def _host(
        self,
        registration: Registration,
        away: int,
        live: dict[int, Trip],
        prepared: dict[int, _Kept],
    ) -> int | None:
        """Seat `registration` on one of the `live` trips other than `away` (each as it is
        being grown in `prepared`), the one adding the fewest stops, then the fullest; its
        index, or None when none may take it."""
        days = set(registration.window())
        registration_class = rule_class(self.problem.policy, registration)
        index_of: dict[int, int] = {}

        def candidates() -> Iterator[_Kept]:
            for j, trip in live.items():
                if j == away or trip.date not in days or trip.direction != registration.direction:
                    continue
                grown = prepared.get(j)
                people = grown.people if grown else trip.passengers
                if people + registration.party_size > trip.capacity:
                    continue
                if grown is None:
                    grown = prepared[j] = self.as_kept(trip)
                if grown.rule_class == registration_class:
                    index_of[id(grown)] = j
                    yield grown

        problem = self.rules_for(registration_class)
        joined = _seat_on_best(problem, registration, candidates())
        return None if joined is None else index_of[id(joined)]

    def named_after_base(
        self, new_trips: Sequence[Trip], taken_ids: set[str]
    ) -> tuple[list[Trip], list[Trip]]:
        """New trips that carry people of an open base trip on its date, given that trip's id
        (each base trip to the new trip carrying most of its people, greedily), and their
        people their base seats where the vehicle is of the same type and the seats stay
        legal with everyone else seated apart; (those trips, the others). Planned anew, its
        people may then keep the trip, date and seat they were told."""
        base = {t.trip_id: t for t in self.base.plan.trips if not self.base.is_frozen(t)}
        was_on = {rid: t.trip_id for t in base.values() for rid in t.registration_ids()}
        pairs = []
        for index, trip in enumerate(new_trips):
            shared: Counter[str] = Counter()
            for rid in trip.registration_ids():
                trip_id = was_on.get(rid)
                if trip_id and trip_id not in taken_ids and base[trip_id].date == trip.date:
                    shared[trip_id] += self.current[rid].party_size
            pairs += [(-people, index, trip_id) for trip_id, people in shared.items()]
        named: dict[int, Trip] = {}
        for _, index, trip_id in sorted(pairs):
            if index in named or trip_id in taken_ids:
                continue
            taken_ids.add(trip_id)
            trip = new_trips[index]
            rules = self.problem.policy.with_rules(trip.rules)
            named[index] = _in_base_seats(trip, base[trip_id], rules)
        return (
            [named[i] for i in sorted(named)],
            [t for i, t in enumerate(new_trips) if i not in named],
        )

    def pulled_back(self, trips: Sequence[Trip]) -> list[Trip]:
        """The open trips with people moved back onto the trip that bears their base trip's
        id (on its date), in their base seats, wherever the stop, seat and load rules allow
        and that leaves more people of the two trips as they were told (`_placements`); a
        trip left empty is dropped. Vehicles never grow: a move changes two trips' riders."""
        before = self.told
        by_id = {t.trip_id: t for t in trips}
        for _ in range(PULL_BACK_PASSES):
            pulled = False
            now = _placements(by_id.values())
            for rid in sorted(now):
                was = before.get(rid)
                if was is None or now[rid] == was or rid in self.left:
                    continue
                home, away = by_id.get(was[0]), by_id[now[rid][0]]
                if home is None or home is away:
                    continue
                moved = self._pull(rid, was[2], away, home)
                if moved is None:
                    continue
                old = _placements([away, home])
                new = _placements([t for t in moved if t is not None])
                gain = sum(new.get(r) == before.get(r) for r in old) - sum(
                    old[r] == before.get(r) for r in old
                )
                if gain <= 0:
                    continue
                left_behind, grown = moved
                by_id[home.trip_id] = grown
                if left_behind is None:
                    del by_id[away.trip_id]
                else:
                    by_id[away.trip_id] = left_behind
                now.update(new)
                pulled = True
            if not pulled:
                break
        return list(by_id.values())

    def retimed(self, trips: Sequence[Trip]) -> list[Trip]:
        """The open trips, each leaving earlier or later (by at most `MOST_SHIFT`, never
        onto another day on the road) where that keeps more of its people's boarding times
        as they were told: the shift most of those on their base trip, date, seats and
        boarding place need."""
        return [self._retimed(trip) for trip in trips]

    def _retimed(self, trip: Trip) -> Trip:
        """One trip, leaving at the time that keeps the most boarding times (`retimed`)."""
        before = self.told
        now = _placements([trip])
        shifts: Counter[dt.timedelta] = Counter()
        for rid, placement in now.items():
            was = before.get(rid)
            if was and was[:4] == placement[:4] and was[4] and placement[4]:
                shifts[was[4] - placement[4]] += 1
        if not shifts:
            return trip
        shift = min(shifts, key=lambda s: (-shifts[s], abs(s), s))
        leaves = dt.datetime.combine(trip.date, dt.time.fromisoformat(trip.departure))
        default = dt.datetime.combine(trip.date, self.problem.policy.departure_time)
        moved = leaves + shift
        if not shift or abs(moved - default) > MOST_SHIFT or moved.date() != trip.date:
            return trip
        shifted = self.kept_trip(self.as_kept(trip), moved.time())
        kept_then = sum(before.get(rid) == p for rid, p in now.items())
        kept_now = sum(before.get(rid) == p for rid, p in _placements([shifted]).items())
        same_days = (shifted.arrival or default).date() == (trip.arrival or default).date()
        return shifted if same_days and kept_now > kept_then else trip

    def _pull(
        self, rid: str, seats: tuple[tuple[int, str], ...], away: Trip, home: Trip
    ) -> tuple[Trip | None, Trip] | None:
        """`away` without the registration and `home` with it in `seats` (None for `away`
        when it is left empty), both rebuilt and retimed (`_retimed`); None when the rules
        do not allow it."""
        registration = self.current[rid]
        grown = self.as_kept(home)
        if grown.rule_class != rule_class(self.problem.policy, registration):
            return None
        problem = self.rules_for(grown.rule_class)
        if (
            grown.people + registration.party_size > problem.capacity(grown.vehicle_type).effective
            or stops_added(problem, grown.pickups, grown.dropoffs, registration) is None
        ):
            return None
        grown.add(registration, seats)
        if not _seats_legal(grown, problem.policy):
            return None
        left_behind = self.as_kept(away)
        left_behind.riders = [r for r in left_behind.riders if r.registration_id != rid]
        grown_trip = self._retimed(self.kept_trip(grown))
        if not left_behind.riders:
            return None, grown_trip
        del left_behind.seats[rid]
        return self._retimed(self.kept_trip(left_behind)), grown_trip

    def _near(self, riders: Sequence[Registration], kept: Iterable[_Kept]) -> list[_Kept]:
        """Kept trips that could share a vehicle with these riders: same direction and rule
        class, a date in one of their windows, a pickup and a drop-off within the radii of
        theirs; the emptiest `NEAR_TRIPS` of them."""
        days = {day for r in riders for day in r.window()}
        pickups = {place_key(r.pickup): r.pickup for r in riders}
        dropoffs = {place_key(r.dropoff): r.dropoff for r in riders}
        within = self.problem.distances.within_km
        classes = {rule_class(self.problem.policy, r) for r in riders}
        if len(classes) != 1:
            return []
        (riders_class,) = classes
        policy = self.rules_for(riders_class).policy
        found = [
            k
            for k in kept
            if k.date in days
            and k.rule_class == riders_class
            and k.riders[0].direction == riders[0].direction
            and any(
                within(a, b, policy.pickup_radius_km)
                for a in k.pickups.values()
                for b in pickups.values()
            )
            and any(
                within(a, b, policy.dropoff_radius_km)
                for a in k.dropoffs.values()
                for b in dropoffs.values()
            )
        ]
        return sorted(found, key=lambda k: (k.people, k.trip_id))[:NEAR_TRIPS]

    def _join_kept(self, kept: list[_Kept], to_plan: Iterable[Registration]) -> list[Registration]:
        """Put people into the kept trips of their rule class where the stop and seat rules
        allow (fewest new stops first, then the fullest trip); the people still to plan."""
        by_day: dict[tuple[str, RuleClass, dt.date], list[_Kept]] = {}
        for k in kept:
            by_day.setdefault((k.riders[0].direction.value, k.rule_class, k.date), []).append(k)
        rest = []
        for registration in sorted(to_plan, key=_urgency):
            registration_class = rule_class(self.problem.policy, registration)
            candidates = (
                k
                for day in registration.window()
                for k in by_day.get((registration.direction.value, registration_class, day), [])
            )
            if _seat_on_best(self.rules_for(registration_class), registration, candidates) is None:
                rest.append(registration)
        return rest

    def changes(self, plan: Plan) -> tuple[Change, ...]:
        """A change for every registration of the base plan and every new one."""
        before = self.told
        after = _placements(plan.trips)
        unassigned = {u.registration_id: u.reason for u in plan.unassigned}
        in_base = set(before) | {u.registration_id for u in self.base.plan.unassigned}
        found = []
        for rid in sorted(in_base | set(self.current) | set(self.held) | set(after)):
            was, now = before.get(rid), after.get(rid)
            off_trips = unassigned.get(rid, "not on a trip")
            change: ChangeKind
            if was and now:
                change = "kept" if was == now else "moved"
                reason = (
                    ""
                    if was == now
                    else self.left.get(rid) or _what_moved(was, now, rid in self.given_up)
                )
            elif was:
                change, reason = "removed", self.left.get(rid) or off_trips
            elif now:
                change = "added"
                reason = (
                    f"a free seat of published trip {now[0]}"
                    if rid in self.filled
                    else "unassigned in the base plan"
                    if rid in in_base
                    else "new since the base plan"
                )
            elif rid in in_base:
                change, reason = "kept", off_trips
            else:
                change, reason = "added", "not on a trip: " + unassigned.get(rid, "not planned")
            found.append(
                Change(
                    registration_id=rid,
                    change=change,
                    from_trips=(was[0],) if was else (),
                    to_trips=(now[0],) if now else (),
                    reason=reason,
                )
            )
        return tuple(found)


def _what_moved(was: Placement, now: Placement, given_up: bool) -> str:
    """Why a registration nobody changed is told anew: its trip kept but its seats or its
    boarding moved, or its trip given up because keeping it cost a vehicle."""
    if given_up:
        return KEEPING_COST
    if was[:2] == now[:2]:
        return "its seats changed" if was[2] != now[2] else BOARDING_TIME_CHANGED
    return "its trip changed"


def _seat_on_best(
    problem: Problem, registration: Registration, candidates: Iterable[_Kept]
) -> _Kept | None:
    """Seat the party on the candidate trip adding the fewest stops, then the fullest, then
    the first, where the load (`problem`'s capacity), the stop limits and radii, and free
    seats apart from everyone's allow; the trip it joined, or None."""
    best: tuple[int, int, str, int] | None = None
    best_trip: _Kept | None = None
    best_seats: tuple[tuple[int, str], ...] = ()
    for order, k in enumerate(candidates):
        if k.people + registration.party_size > problem.capacity(k.vehicle_type).effective:
            continue
        added = stops_added(problem, k.pickups, k.dropoffs, registration)
        if added is None:
            continue
        rank = (added, -k.people, k.trip_id, order)
        if best is not None and rank >= best:
            continue
        seats = free_seats_apart(
            k.vehicle_type.layout, problem.policy, k.taken(), registration.party_size
        )
        if seats is None:
            continue
        best, best_trip, best_seats = rank, k, tuple((s.row, s.letter) for s in seats)
    if best_trip is not None:
        best_trip.add(registration, best_seats)
    return best_trip


def _urgency(registration: Registration) -> tuple[dt.date, int, str]:
    """Who is placed first: the window closing first, then larger parties."""
    return (registration.latest_date, -registration.party_size, registration.registration_id)


def _seats_by_rider(trip: Trip) -> dict[str, list[tuple[int, str]]]:
    """Each registration's seats on a trip, as (row, letter)."""
    seats: dict[str, list[tuple[int, str]]] = {}
    for seat in trip.seats:
        seats.setdefault(seat.registration_id, []).append((seat.row, seat.seat))
    return seats


Placement = tuple[str, dt.date, tuple[tuple[int, str], ...], str, dt.datetime | None]
"""Where a registration rides: trip id, date, seats, and where and when it boards."""


def _placements(trips: Iterable[Trip]) -> dict[str, Placement]:
    """Each registration on a trip: what its people were told (`Placement`); a change of
    any of it is a change to tell them."""
    found = {}
    for trip in trips:
        seats = _seats_by_rider(trip)
        for line in trip_manifest(trip):
            rid = line.registration_id
            boards = line.pickup.departure or line.pickup.arrival
            found[rid] = (
                trip.trip_id,
                trip.date,
                tuple(sorted(seats.get(rid, []))),
                line.pickup.place,
                boards,
            )
    return found


def _only(trip: Trip, staying: set[str], sizes: Counter[str]) -> Trip:
    """A frozen trip with only the `staying` registrations: stops and times as they were."""
    return trip.model_copy(
        update={
            "stops": tuple(
                stop.model_copy(
                    update={"registrations": tuple(r for r in stop.registrations if r in staying)}
                )
                for stop in trip.stops
            ),
            "seats": tuple(s for s in trip.seats if s.registration_id in staying),
            "passengers": sum(sizes[rid] for rid in staying),
        }
    )


def _with_rider(
    trip: Trip, registration: Registration, fleet: Fleet, policy: Policy
) -> Trip | None:
    """A frozen trip with one more party, boarding and leaving at stops the trip makes
    already, in seats apart from everyone's; None when it does not fit."""
    dropoff = place_key(registration.dropoff)
    if not any(
        s.kind == "dropoff" and (s.lat, s.lon, s.place, s.point_id) == dropoff for s in trip.stops
    ):
        return None
    try:
        vehicle_type = fleet.by_name(trip.vehicle_type)
    except KeyError:
        return None
    if trip.passengers + registration.party_size > min(
        trip.capacity, load_cap(vehicle_type, policy)
    ):
        return None
    taken = [(e.row, e.seat) for e in trip.escort_seats] + [(s.row, s.seat) for s in trip.seats]
    seats = free_seats_apart(trip.layout, policy, taken, registration.party_size)
    if seats is None:
        return None
    pickup = place_key(registration.pickup)
    rid = registration.registration_id
    stops = []
    for stop in trip.stops:
        key = (stop.lat, stop.lon, stop.place, stop.point_id)
        if (stop.kind == "pickup" and key == pickup) or (stop.kind == "dropoff" and key == dropoff):
            stop = stop.model_copy(update={"registrations": (*stop.registrations, rid)})
        stops.append(stop)
    return trip.model_copy(
        update={
            "stops": tuple(stops),
            "seats": (
                *trip.seats,
                *(SeatAssignment(row=s.row, seat=s.letter, registration_id=rid) for s in seats),
            ),
            "passengers": trip.passengers + registration.party_size,
        }
    )


def _seats_legal(kept: _Kept, policy: Policy) -> bool:
    """Whether the seats the riders keep are legal under `policy`, within its load cap."""
    return (
        kept.people <= load_cap(kept.vehicle_type, policy)
        and len(kept.escorts) == policy.escort_seats
        and seating_is_legal(
            kept.vehicle_type.layout,
            policy,
            kept.escorts,
            [(label, rid) for rid, labels in kept.seats.items() for label in labels],
        )
    )


def _in_base_seats(trip: Trip, base_trip: Trip, policy: Policy) -> Trip:
    """`trip` under `base_trip`'s id; its riders who rode `base_trip` in their seats there
    where those seats are drawn in `trip`'s layout and legal beside the ones kept before
    them (all of them at once when they can), the rest in free seats apart from everyone's,
    in boarding order, under `policy`, the trip's rules; else in the seats `trip` gave them.
    The escorts keep the base trip's seats when the vehicle type is the same (a seat number
    told is kept on another vehicle type too: it is what the rider was told)."""
    named = trip.model_copy(update={"trip_id": base_trip.trip_id})
    escort_seats = (
        base_trip.escort_seats if trip.vehicle_type == base_trip.vehicle_type else trip.escort_seats
    )
    escorts = [(e.row, e.seat) for e in escort_seats]
    before = _seats_by_rider(base_trip)
    lines = trip_manifest(trip)
    riders = [line for line in lines if len(before.get(line.registration_id, ())) == line.people]

    def assigned(seats: dict[str, list[tuple[int, str]]]) -> list[tuple[tuple[int, str], str]]:
        return [(label, rid) for rid, labels in seats.items() for label in labels]

    seats = {line.registration_id: before[line.registration_id] for line in riders}
    if not seating_is_legal(trip.layout, policy, escorts, assigned(seats)):
        seats = {}
        for line in riders:
            labels = before[line.registration_id]
            trial = [*assigned(seats), *((label, line.registration_id) for label in labels)]
            if seating_is_legal(trip.layout, policy, escorts, trial):
                seats[line.registration_id] = labels
    if not seats:
        return named
    for line in lines:
        if line.registration_id in seats:
            continue
        taken = [*escorts, *(label for labels in seats.values() for label in labels)]
        free = free_seats_apart(trip.layout, policy, taken, line.people)
        if free is None:
            return named
        seats[line.registration_id] = [(s.row, s.letter) for s in free]
    if len(escorts) != policy.escort_seats or not seating_is_legal(
        trip.layout, policy, escorts, assigned(seats)
    ):
        return named
    return named.model_copy(
        update={
            "seats": tuple(
                SeatAssignment(row=row, seat=letter, registration_id=rid)
                for (row, letter), rid in sorted(assigned(seats))
            ),
            "escort_seats": escort_seats,
        }
    )


def _renumbered(trips: Iterable[Trip], used: set[str]) -> tuple[Trip, ...]:
    """New trips with ids no trip of the base plan has had (so that an id told to somebody
    never comes to mean another trip), T0001... in their order, skipping the used ones."""
    found = []
    number = 0
    for trip in trips:
        while True:
            number += 1
            candidate = f"T{number:04d}"
            if candidate not in used:
                break
        found.append(trip.model_copy(update={"trip_id": candidate}))
    return tuple(found)


__all__ = ["Base", "fleet_left", "replan"]

"""`build_problem`: the one path from a registrations table to the problem every solver takes.

The command line, the service's plan jobs, scenarios, notebooks and the README all plan the
same way: read and validate every row (bad rows are an `InputError`, or with `keep_going` the
problem's rejected rows, which `solve()` lists in the plan), check that the fleet can carry
someone under the policy, choose each party's pickup point, compute each vehicle type's
capacity once, and freeze it all into a `Problem`.

With `dates`, each travel window is clipped to them: a plan of a week never looks at the
days outside it, however far a window runs.

A party that names no pickup point boards at the nearest point within the policy's
`pickup_search_km` of its origin (ties: the first point id), else at its origin; one that
names no drop-off point leaves at its destination.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeGuard, cast

from pointplan.domain.fleet import Fleet
from pointplan.domain.places import Place, Point, PointKind
from pointplan.domain.plan import Unassigned
from pointplan.domain.policy import Policy
from pointplan.domain.registration import Registration
from pointplan.geo.distances import (
    DistanceModel,
    GeodesicDistances,
    degree_spans,
    nearest_within,
)
from pointplan.io.config import default_fleet
from pointplan.io.errors import InputError, InputIssue
from pointplan.io.registrations import RegistrationBatch, RegistrationTable, read_registrations
from pointplan.problem import Problem, VehicleCapacity
from pointplan.solvers.seating import capacity_table

Demand = RegistrationTable | RegistrationBatch | Sequence[Registration]
"""What `build_problem` plans: a registrations table (file, DataFrame or records) to read, a
`RegistrationBatch` already read, or `Registration`s already resolved (used as they are)."""


def build_problem(
    registrations: Demand,
    *,
    points: Sequence[Point] = (),
    fleet: Fleet | None = None,
    policy: Policy | None = None,
    distances: DistanceModel | None = None,
    keep_going: bool = False,
    fleet_label: str = "fleet",
    dates: tuple[dt.date, dt.date] | None = None,
    held: Mapping[str, str] | None = None,
) -> Problem:
    """The problem of planning `registrations` with `fleet` (default: the shipped one) under
    `policy` (default: the rules of interchange.md), on `dates` (first and last) when given:
    windows are clipped to them (`clip_windows`). The registrations named in `held` (id ->
    reason) may not travel now: they are on no trip, each unassigned with its reason.

    Raises `InputError` when the fleet can carry nobody under the policy (naming
    `fleet_label`), when the table cannot be read, and when rows are bad, unless
    `keep_going`: then they are the problem's rejected rows and the rest is planned.
    """
    policy = policy or Policy()
    fleet = fleet or default_fleet()
    capacities = capacity_table(fleet, policy)
    check_capacities(fleet, capacities, fleet_label)
    distance_model = distances or GeodesicDistances(policy.road_factor)
    demand = read_demand(registrations, points)
    if not isinstance(demand, RegistrationBatch):  # resolved already: used as they are
        return Problem(demand, fleet, policy, tuple(points), distance_model, (), capacities)
    demand.require_valid(keep_going)
    held = held or {}
    travelling = tuple(r for r in demand.registrations if r.registration_id not in held)
    kept_off = tuple(
        Unassigned(registration_id=r.registration_id, reason=held[r.registration_id])
        for r in demand.registrations
        if r.registration_id in held
    )
    if dates is not None:
        travelling = clip_windows(travelling, *dates)
    chosen = choose_pickups(travelling, points, policy.pickup_search_km)
    return Problem(
        chosen,
        fleet,
        policy,
        tuple(points),
        distance_model,
        demand.rejected,
        capacities,
        held=kept_off,
        held_passengers=sum(
            r.party_size for r in demand.registrations if r.registration_id in held
        ),
    )


def check_fleet_carries(fleet: Fleet, policy: Policy, fleet_label: str = "fleet") -> None:
    """Refuse (`InputError`) a fleet and policy under which no vehicle could carry anyone."""
    check_capacities(fleet, capacity_table(fleet, policy), fleet_label)


def check_capacities(
    fleet: Fleet, capacities: Sequence[VehicleCapacity], fleet_label: str = "fleet"
) -> None:
    """Refuse (`InputError`) a fleet whose available types, with these capacities, carry
    nobody: every road type's count is 0, or the seat rules leave no seat (rail cars carry
    only trunk legs between stations, so they do not count)."""
    available = {vt.name for vt in fleet.vehicle_types if vt.count != 0 and not vt.is_rail}
    if not available:
        raise InputError(
            [
                InputIssue(
                    fleet_label,
                    "every road vehicle type has count 0: no vehicle to plan "
                    "(rail cars carry only trunk legs between stations)",
                )
            ]
        )
    effective = {c.vehicle_type: c.effective for c in capacities if c.vehicle_type in available}
    if not any(effective.values()):
        listed = ", ".join(f"{name} {c}" for name, c in effective.items())
        raise InputError(
            [
                InputIssue(
                    fleet_label,
                    f"no vehicle type can carry a passenger under the policy (capacities: "
                    f"{listed}); the reserved rear rows, escort seats or load cap leave no seat",
                )
            ]
        )


def clip_windows(
    registrations: Iterable[Registration], first: dt.date, last: dt.date
) -> tuple[Registration, ...]:
    """Each registration with its travel window cut to `first`..`last` (one that does not
    meet them keeps its window, and no day of the plan can carry it)."""
    clipped = []
    for registration in registrations:
        earliest = max(registration.earliest_date, first)
        latest = min(registration.latest_date, last)
        if earliest <= latest and (earliest, latest) != (
            registration.earliest_date,
            registration.latest_date,
        ):
            registration = registration.model_copy(
                update={"earliest_date": earliest, "latest_date": latest}
            )
        clipped.append(registration)
    return tuple(clipped)


def choose_pickups(
    registrations: Iterable[Registration], points: Sequence[Point], search_km: float
) -> tuple[Registration, ...]:
    """Each registration that names no pickup point, boarding at the nearest of `points`
    of kind `stop` within `search_km` of its origin (else at its origin); the others as they
    are. Hubs and stations are where parties change vehicles, not where they are sent to
    board unless they name one."""
    points = [point for point in points if point.kind == PointKind.STOP]
    nearest: dict[tuple[float, float], Point | None] = {}
    chosen = []
    for registration in registrations:
        if registration.pickup_point_id is None and points:
            origin = registration.origin
            key = (origin.lat, origin.lon)
            if key not in nearest:
                nearest[key] = _nearest_point(origin, points, search_km)
            point = nearest[key]
            if point is not None:
                registration = registration.model_copy(update={"pickup": point})
        chosen.append(registration)
    return tuple(chosen)


def _nearest_point(origin: Place, points: Sequence[Point], radius_km: float) -> Point | None:
    lat_span, lon_span = degree_spans(origin.lat, radius_km)
    nearby = (
        point
        for point in points
        if abs(point.lat - origin.lat) <= lat_span and abs(point.lon - origin.lon) <= lon_span
    )
    return nearest_within(origin, nearby, radius_km, key=lambda point: point.point_id)


def read_demand(
    registrations: Demand, points: Sequence[Point] = ()
) -> RegistrationBatch | tuple[Registration, ...]:
    """A table read and validated (the rows may name `points`); a batch or `Registration`s
    as they are. What every scenario of one demand then builds its problem from."""
    if isinstance(registrations, RegistrationBatch):
        return registrations
    if _is_resolved(registrations):
        return tuple(registrations)
    return read_registrations(cast(RegistrationTable, registrations), points=points)


def _is_resolved(registrations: Demand) -> TypeGuard[Sequence[Registration]]:
    """Whether `registrations` are `Registration`s (or none at all) rather than a table."""
    if isinstance(registrations, (str, RegistrationBatch)) or not isinstance(
        registrations, Sequence
    ):
        return False
    return all(isinstance(r, Registration) for r in registrations)

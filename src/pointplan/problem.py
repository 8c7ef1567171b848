"""The frozen problem a solver receives, with the figures every solver asks of it again and
again computed once."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Self

from pointplan.domain.fleet import Fleet, VehicleType
from pointplan.domain.places import Point
from pointplan.domain.plan import Rejection, Unassigned
from pointplan.domain.policy import Policy
from pointplan.domain.registration import Registration
from pointplan.geo.distances import DistanceModel, GeodesicDistances


@dataclass(frozen=True)
class VehicleCapacity:
    """What one vehicle type carries under a policy: `effective` is the most passengers a
    legal seating carries (the trip's capacity); `stranger` the most when no two of them may
    sit together, so any mix of parties up to it fits."""

    vehicle_type: str
    effective: int
    stranger: int


@dataclass(frozen=True)
class Problem:
    """Valid registrations (pickup and drop-off already resolved), fleet, policy, distances,
    the input rows that were rejected before it was built, and each vehicle type's capacity.

    `pointplan.build_problem` makes one from a registrations table. Without a distance model,
    straight-line (geodesic) distances times the policy's `road_factor` are used. Without
    `capacities` the solvers compute them (`pointplan.solvers.seating.with_capacities`).
    `rejected` rows are carried into the plan, so that every input row ends in one place,
    and so are the `held` registrations, which may not travel now (boarded, cancelled, an
    abnormal health check): each is unassigned with its reason, none is planned;
    `held_passengers` counts their people. Rail cars carry only the trunk legs between
    stations that the network plan gives them: a problem plans on them, and on them alone,
    when its `rail_legs` is set.
    """

    registrations: tuple[Registration, ...]
    fleet: Fleet
    policy: Policy
    points: tuple[Point, ...] = ()
    distances: DistanceModel = None  # type: ignore[assignment]  # set in __post_init__
    rejected: tuple[Rejection, ...] = ()
    capacities: tuple[VehicleCapacity, ...] | None = None
    held: tuple[Unassigned, ...] = ()
    held_passengers: int = 0
    rail_legs: bool = False
    _capacity_of: dict[str, VehicleCapacity] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        ids = [registration.registration_id for registration in self.registrations]
        if len(set(ids)) != len(ids):
            raise ValueError("registration ids must be unique within a problem")
        if self.distances is None:
            object.__setattr__(self, "distances", GeodesicDistances(self.policy.road_factor))
        by_name = {c.vehicle_type: c for c in self.capacities or ()}
        object.__setattr__(self, "_capacity_of", by_name)

    @property
    def passengers(self) -> int:
        """People in all registrations."""
        return sum(registration.party_size for registration in self.registrations)

    @property
    def available_types(self) -> tuple[VehicleType, ...]:
        """The vehicle types with any vehicle to plan with (`count` not 0), in fleet order:
        the rail cars for a problem of `rail_legs`, the road vehicles otherwise."""
        return tuple(
            vt for vt in self.fleet.vehicle_types if vt.count != 0 and vt.is_rail == self.rail_legs
        )

    def capacity(self, vehicle_type: VehicleType) -> VehicleCapacity:
        """The capacity of a vehicle type of the fleet under the problem's policy."""
        try:
            return self._capacity_of[vehicle_type.name]
        except KeyError:
            if self.capacities is None:
                raise ValueError(
                    "the problem has no capacity table: make it with pointplan.build_problem "
                    "or pointplan.solvers.seating.with_capacities"
                ) from None
            raise

    @property
    def largest_capacity(self) -> int:
        """The largest effective capacity among the available vehicle types (0: none)."""
        return max((self.capacity(vt).effective for vt in self.available_types), default=0)

    def without_demand(self) -> Self:
        """The fleet, policy, points, distances and capacities alone (no registrations, no
        rejected or held rows): what a search of one part needs besides the part, small
        enough to ship to every worker of a cluster."""
        return replace(self, registrations=(), rejected=(), held=(), held_passengers=0)

    def with_registrations(self, registrations: tuple[Registration, ...]) -> Self:
        """The same problem (fleet, policy, points, distances, capacities, rejected rows,
        held registrations) for other registrations."""
        return replace(self, registrations=registrations)

"""The frozen problem a solver receives."""

from __future__ import annotations

from dataclasses import dataclass

from pointplan.domain.fleet import Fleet
from pointplan.domain.places import Point
from pointplan.domain.policy import Policy
from pointplan.domain.registration import Registration
from pointplan.geo.distances import DistanceModel, GeodesicDistances


@dataclass(frozen=True)
class Problem:
    """Valid registrations (pickup and drop-off already resolved), fleet, policy, distances.

    Without a distance model, straight-line (geodesic) distances times the policy's
    `road_factor` are used.
    """

    registrations: tuple[Registration, ...]
    fleet: Fleet
    policy: Policy
    points: tuple[Point, ...] = ()
    distances: DistanceModel = None  # type: ignore[assignment]  # set in __post_init__

    def __post_init__(self) -> None:
        ids = [registration.registration_id for registration in self.registrations]
        if len(set(ids)) != len(ids):
            raise ValueError("registration ids must be unique within a problem")
        if self.distances is None:
            object.__setattr__(self, "distances", GeodesicDistances(self.policy.road_factor))

    @property
    def passengers(self) -> int:
        """People in all registrations."""
        return sum(registration.party_size for registration in self.registrations)

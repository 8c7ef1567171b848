"""Who pays for the trips: cost-sharing rules (domain.md, "Money") and each trip's cost split
by payer.

A trip's cost, less the expressway tolls waived for worker charters (`toll_per_km` times its
km, when `tolls_waived`), is each rider's by their seats. Each rider's part is then split by
the rules, in order: a rule that holds for it (its direction, its pickup or drop-off area,
the trip carrying at least `min_trip_people`, at least `min_group` people of its employer
on the trip) pays its `share` of the part, up to what is left of the part and of its
`cap_per_employer` (summed over the plan, per employer); what no rule pays, `rest` pays
(the employer, by default). "Government : employer = 2 : 1" is one rule, government 2/3;
"50% of the cost, at most 20,000 yuan per employer, at least 10 people per trip" is one rule
with those three values. Legs through hubs are trips like any other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from pointplan.domain.plan import Trip
from pointplan.domain.registration import Direction, Registration

NO_EMPLOYER = "(no employer given)"
"""The employer of a registration that names none, for caps and totals."""


class ShareRule(BaseModel):
    """One payer's share of the riders' cost, where its conditions hold (see the module)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    payer: str = Field(min_length=1)
    share: float = Field(gt=0, le=1)
    direction: Direction | None = None
    area: str | None = Field(default=None, pattern=r"^\d{2,12}$")
    min_trip_people: int = Field(default=1, ge=1)
    min_group: int = Field(default=1, ge=1)
    cap_per_employer: float | None = Field(default=None, ge=0)


class CostSharing(BaseModel):
    """The rules of a cost-sharing file, who pays the rest, and the toll waiver."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rules: tuple[ShareRule, ...] = ()
    rest: str = Field(default="employer", min_length=1)
    tolls_waived: bool = False
    toll_per_km: float = Field(default=0.0, ge=0)


@dataclass
class CostSplit:
    """A plan's cost by payer: per trip, per payer, per employer, and the tolls waived."""

    by_trip: dict[str, dict[str, float]] = field(default_factory=dict)
    by_payer: dict[str, float] = field(default_factory=dict)
    by_employer: dict[tuple[str, str], float] = field(default_factory=dict)  # (employer, payer)
    tolls_waived: float = 0.0
    people: int = 0

    def per_person(self) -> dict[str, float]:
        """What each payer pays a person carried."""
        return (
            {payer: paid / self.people for payer, paid in self.by_payer.items()}
            if self.people
            else {}
        )


def split_costs(
    trips: Iterable[Trip], registrations: Sequence[Registration], sharing: CostSharing
) -> CostSplit:
    """The cost of `trips` split by payer under `sharing` (see the module), trips in id order
    (caps are met in that order)."""
    by_id = {r.registration_id: r for r in registrations}
    split = CostSplit()
    riders: set[str] = set()
    capped: dict[tuple[int, str], float] = {}  # (rule, employer) -> paid so far
    for trip in sorted(trips, key=lambda t: t.trip_id):
        waived = (
            min(trip.cost, sharing.toll_per_km * trip.distance_km) if sharing.tolls_waived else 0.0
        )
        split.tolls_waived += waived
        billable = trip.cost - waived
        seats = trip.people_by_registration()
        riders.update(seats)
        employers = {rid: by_id[rid].employer or NO_EMPLOYER for rid in seats if rid in by_id}
        group = {
            e: sum(seats[r] for r in employers if employers[r] == e) for e in employers.values()
        }
        shares = split.by_trip.setdefault(trip.trip_id, {})
        for rid, n in seats.items():
            registration = by_id.get(rid)
            part = billable * n / max(1, trip.passengers)
            employer = employers.get(rid, NO_EMPLOYER)
            left = part
            for index, rule in enumerate(sharing.rules):
                if registration is None or not _holds(rule, registration, trip, group[employer]):
                    continue
                amount = min(left, part * rule.share)
                if rule.cap_per_employer is not None:
                    paid = capped.get((index, employer), 0.0)
                    amount = min(amount, max(0.0, rule.cap_per_employer - paid))
                    capped[index, employer] = paid + amount
                left -= amount
                _add(split, shares, rule.payer, employer, amount)
            _add(split, shares, sharing.rest, employer, left)
    split.people = sum(by_id[rid].party_size for rid in riders if rid in by_id)
    return split


def _holds(rule: ShareRule, registration: Registration, trip: Trip, group: int) -> bool:
    areas = (registration.pickup.adcode or "", registration.dropoff.adcode or "")
    return (
        (rule.direction is None or rule.direction is registration.direction)
        and (rule.area is None or any(a.startswith(rule.area) for a in areas))
        and trip.passengers >= rule.min_trip_people
        and group >= rule.min_group
    )


def _add(
    split: CostSplit, shares: dict[str, float], payer: str, employer: str, amount: float
) -> None:
    if amount <= 0:
        return
    shares[payer] = shares.get(payer, 0.0) + amount
    split.by_payer[payer] = split.by_payer.get(payer, 0.0) + amount
    key = (employer, payer)
    split.by_employer[key] = split.by_employer.get(key, 0.0) + amount

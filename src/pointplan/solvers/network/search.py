"""A local search over whole classes for the network model's starting point.

CP-SAT, started from everyone direct, rarely finds the plans where many classes gather at
one hub together: moving one class alone onto a feeder and a trunk costs more than its
direct run, and only the move of many pays. This search moves whole classes between their
journeys and days, pricing each arc and day by the cheapest mix of vehicle types for its
load (exact, by a small knapsack over the types), from two starts: everyone direct on the
first day of the window, and everyone on their most gathered journey (most legs, fewest km).
Each pass offers every class, in order, the journey and day that lowers the total most, then
tries to empty every arc and day whose load fits one vehicle by moving all its classes off
at once (a vehicle several classes share is never left by one alone: the others still need
it); passes run until neither move helps or `passes` are done. The best end of the two
starts, and the vehicles of its mix, start the CP-SAT search (`model.plan_network`).
Deterministic: classes, journeys and days are taken in order, ties to the earlier.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass

from pointplan.domain.fleet import VehicleType
from pointplan.domain.places import Place
from pointplan.solvers.network.classes import DemandClass
from pointplan.solvers.network.itineraries import Itinerary

Arc = tuple[Hashable, Hashable, str]
"""A leg's ends, from and to, as zones, and how it is ridden (coach or rail)."""
ArcDay = tuple[Arc, dt.date]
Choice = tuple[int, dt.date]
"""A class's journey (its index among the class's candidates) and its day."""
PASSES = 6
MODES = ("coach", "rail")


@dataclass(frozen=True)
class Carrier:
    """A vehicle type as the network model sees it: how many people it carries under the
    policy."""

    vehicle_type: VehicleType
    capacity: int


def run_cost(vehicle_type: VehicleType, km: float) -> int:
    """What one vehicle of this type costs on a leg of `km`, in whole yuan."""
    return round(vehicle_type.cost_per_trip + vehicle_type.cost_per_km * km)


def carriers_of(carriers: Sequence[Carrier], arc: Arc) -> list[Carrier]:
    """The carriers that may run `arc`: rail cars on a rail arc, road vehicles on the rest."""
    rail = arc[2] == "rail"
    return [c for c in carriers if c.capacity > 0 and c.vehicle_type.is_rail == rail]


class ArcPrices:
    """The cheapest mix of vehicles for any load on an arc of known km, remembered."""

    def __init__(self, carriers: Sequence[Carrier], arc_km: Mapping[Arc, float]) -> None:
        self._by_mode = {mode: carriers_of(carriers, (None, None, mode)) for mode in MODES}
        self._largest = {
            mode: max((c.capacity for c in found), default=0)
            for mode, found in self._by_mode.items()
        }
        self._km = arc_km
        self._tables: dict[Arc, tuple[list[int], list[int]]] = {}  # cost, last type's index

    @property
    def arcs(self) -> Mapping[Arc, float]:
        """The arcs priced, with their km."""
        return self._km

    def cost(self, arc: Arc, load: int) -> int:
        """What carrying `load` people on `arc` costs, in whole yuan."""
        known = self._tables.get(arc)
        if known is not None and load < len(known[0]):
            return known[0][load]  # the search's hot path
        return self._table(arc, load)[0][load]

    def one_vehicle(self, arc: Arc) -> int:
        """The most people one vehicle carries on `arc`."""
        return self._largest[arc[2]]

    def mix(self, arc: Arc, load: int) -> dict[str, int]:
        """The vehicles of each type that carry `load` on `arc` at that cost."""
        last = self._table(arc, load)[1]
        found: dict[str, int] = {}
        while load > 0:
            carrier = self._by_mode[arc[2]][last[load]]
            name = carrier.vehicle_type.name
            found[name] = found.get(name, 0) + 1
            load = max(0, load - carrier.capacity)
        return found

    def _table(self, arc: Arc, load: int) -> tuple[list[int], list[int]]:
        costs, last = self._tables.get(arc, ([0], [-1]))
        if len(costs) <= load:
            km = self._km[arc]
            carriers = self._by_mode[arc[2]]
            if not carriers:
                raise ValueError(f"no {arc[2]} vehicle carries anyone on {arc[:2]}")
            runs = [run_cost(c.vehicle_type, km) for c in carriers]
            for n in range(len(costs), load + 1):
                best, which = min(
                    (costs[max(0, n - c.capacity)] + run, k)
                    for k, (c, run) in enumerate(zip(carriers, runs, strict=True))
                )
                costs.append(best)
                last.append(which)
            self._tables[arc] = (costs, last)
        return costs, last


def arcs_of(journey: Itinerary, zone: Callable[[Place], Hashable]) -> list[Arc]:
    """The zone arcs a journey runs on, in order."""
    return [
        (zone(a), zone(b), journey.mode(i))
        for i, (a, b) in enumerate(itertools.pairwise(journey.places))
    ]


def searched(
    classes: Sequence[DemandClass],
    journeys: Sequence[Sequence[Itinerary]],
    prices: ArcPrices,
    zone: Callable[[Place], Hashable],
    carried: Mapping[ArcDay, int],
    passes: int = PASSES,
) -> tuple[list[Choice], int]:
    """The best choice of journey and day for every class found from the two starts (see
    the module), and the cost of its arcs with the people `carried` there before."""
    routes = [[arcs_of(j, zone) for j in mine] for mine in journeys]
    direct = [(0, c.first) for c in classes]
    gathered = [(_most_gathered(mine), c.first) for c, mine in zip(classes, journeys, strict=True)]
    best: tuple[list[Choice], int] | None = None
    for start in (direct, gathered):
        found = _improved(classes, routes, prices, carried, start, passes)
        if best is None or found[1] < best[1]:
            best = found
    assert best is not None
    return best


def _most_gathered(mine: Sequence[Itinerary]) -> int:
    return min(range(len(mine)), key=lambda i: (-len(mine[i].legs), mine[i].km, i))


def _improved(
    classes: Sequence[DemandClass],
    routes: Sequence[Sequence[Sequence[Arc]]],
    prices: ArcPrices,
    carried: Mapping[ArcDay, int],
    start: Sequence[Choice],
    passes: int,
) -> tuple[list[Choice], int]:
    """The choice the local search reaches from `start` (see the module), and its cost."""
    search = _LocalSearch(classes, routes, prices, carried, start)
    for _ in range(passes):
        better = search.reseat_each()
        better = search.close_arcs() or better
        if not better:
            break
    return search.choice, search.total()


class _LocalSearch:
    """The classes' choices and the load they put on each arc and day, with the moves."""

    def __init__(
        self,
        classes: Sequence[DemandClass],
        routes: Sequence[Sequence[Sequence[Arc]]],
        prices: ArcPrices,
        carried: Mapping[ArcDay, int],
        start: Sequence[Choice],
    ) -> None:
        self.routes, self.prices, self.carried = routes, prices, carried
        self.people = [demand.people for demand in classes]
        self.windows = [demand.window() for demand in classes]
        self.choice = list(start)
        self.loads: dict[ArcDay, int] = dict(carried)
        for c, chosen in enumerate(self.choice):
            self._place(c, chosen, +1)

    def total(self) -> int:
        """What the arcs cost with their loads."""
        arcs = self.prices.arcs
        return sum(
            self.prices.cost(arc, n) for (arc, _), n in self.loads.items() if n and arc in arcs
        )

    def reseat_each(self) -> bool:
        """Offer every class, in order, the journey and day that lowers the total most."""
        better = False
        for c in range(len(self.people)):
            now = self.choice[c]
            staying = -self._moved(self.routes[c][now[0]], now[1], -self.people[c])
            self._place(c, now, -1)
            best, change = self._best_for(c, other_than=now)
            if best is not None and change < staying:
                self.choice[c], better = best, True
            self._place(c, self.choice[c], +1)
        return better

    def close_arcs(self) -> bool:
        """Empty each arc-day whose load fits one vehicle and that several classes share,
        moving them all off at once where that pays: one class leaving alone saves nothing
        while the vehicle still runs for the others."""
        riders: dict[ArcDay, list[int]] = {}
        for c, (i, day) in enumerate(self.choice):
            for arc in self.routes[c][i]:
                riders.setdefault((arc, day), []).append(c)
        better = False
        for key in sorted(riders, key=lambda k: self.loads[k]):
            members = [c for c in riders[key] if self._rides_on(c, key)]
            fits = self.loads[key] <= self.prices.one_vehicle(key[0])
            if len(members) > 1 and fits and key not in self.carried:  # one: a reseat
                better = self._empty(key, members) or better
        return better

    def _empty(self, key: ArcDay, members: list[int]) -> bool:
        """Move `members` off the arc-day `key` at once, each to its cheapest other choice;
        kept where that lowers the total, undone otherwise."""
        before = [self.choice[c] for c in members]
        change = 0
        for c in members:
            change += self._moved(self.routes[c][self.choice[c][0]], key[1], -self.people[c])
            self._place(c, self.choice[c], -1)
        for c, old in zip(members, before, strict=True):
            best, added = self._best_for(c, closed=key)
            if best is None:  # every other choice runs on it too
                best, added = old, 10**18
            self.choice[c] = best
            change += added
            self._place(c, best, +1)
        if change < 0:
            return True
        for c, old in zip(members, before, strict=True):
            self._place(c, self.choice[c], -1)
            self.choice[c] = old
            self._place(c, old, +1)
        return False

    def _rides_on(self, c: int, key: ArcDay) -> bool:
        i, day = self.choice[c]
        return day == key[1] and key[0] in self.routes[c][i]

    def _moved(self, arcs: Sequence[Arc], day: dt.date, people: int) -> int:
        """The change in cost when `people` join (or, negative, leave) these arc-days."""
        loads, cost = self.loads, self.prices.cost  # the search's hot loop
        change = 0
        for arc in arcs:
            now = loads.get((arc, day), 0)
            change += cost(arc, now + people) - cost(arc, now)
        return change

    def _place(self, c: int, chosen: Choice, sign: int) -> None:
        """Put class c's people on (`sign` +1) or off (-1) the arcs of `chosen`."""
        for arc in self.routes[c][chosen[0]]:
            key = (arc, chosen[1])
            self.loads[key] = self.loads.get(key, 0) + sign * self.people[c]

    def _best_for(
        self, c: int, other_than: Choice | None = None, closed: ArcDay | None = None
    ) -> tuple[Choice | None, int]:
        """Class c's cheapest journey and day but `other_than` and any through `closed`,
        and what taking it adds to the cost (None when there is none)."""
        best: Choice | None = None
        best_change = 0
        for j, arcs in enumerate(self.routes[c]):
            for when in self.windows[c]:
                through_closed = closed is not None and when == closed[1] and closed[0] in arcs
                if (j, when) == other_than or through_closed:
                    continue
                change = self._moved(arcs, when, self.people[c])
                if best is None or change < best_change:
                    best, best_change = (j, when), change
        return best, best_change

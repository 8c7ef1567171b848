"""Chaining trips into buses: which bus of which depot runs each trip, and the least buses
each depot needs (vehicle scheduling as a min-cost flow, solved exactly by OR-Tools).

For each vehicle type, a time-space network: every trip is a unit of flow that must be met
(its start) and sent on (its end); each depot has a timeline of the moments its buses may
leave for a trip's first stop or be back from a trip's last stop, joined by waiting arcs;
a bus is a unit of flow from the source through a depot's timeline to the sink. With
chaining, a trip's end also reaches the start of a later trip directly (the empty run
between them), where the crew's rest and the run fit before it begins. The cost is
lexicographic: buses first, then empty km (tenths of a km). With one depot for a type the
flow is the exact least number of buses, then least empty km, over the arcs kept (each
trip's `successors` nearest places where a later trip starts that its bus can reach, and its
`depots_per_trip` nearest depots, nearness ranked on the sphere). With several,
a first flow over all of them may send a bus home to a depot not its own; each bus's trips
go to the depot it left from, and each depot's trips are then chained exactly on its own.

Times of empty runs come from the driving rules (`RunClock`): a run ends when it would
arrive under them; the crew rests `turnaround` after each trip before driving on (a bus
whose trip ends at its depot rests there: its run home is 0 km at the trip's end and it
leaves again `turnaround` later at the earliest), and breaks for `rest_before` between an
empty run and the trip it goes to.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from pointplan.domain.bus import Bus, DepotNeed, EmptyRun
from pointplan.domain.fleet import Depot
from pointplan.domain.places import Location
from pointplan.geo.distances import great_circle_km
from pointplan.solvers.ortools_adapter import FlowArc, min_cost_flow

RunClock = Callable[[dt.datetime, float], dt.datetime]
"""When an empty run of so many km that starts at a moment arrives (for one vehicle type)."""
RoadKm = Callable[[Location, Location], float]


@dataclass(frozen=True)
class TripSpan:
    """What chaining needs of a trip: its type, when its bus must be at its first stop and
    when it leaves its last, and where those are."""

    trip_id: str
    vehicle_type: str
    start: dt.datetime
    end: dt.datetime
    first: Location
    last: Location


@dataclass(frozen=True)
class ChainRules:
    """Whether trips chain, the rests around empty runs and the longest run between trips."""

    chain: bool = True
    turnaround: dt.timedelta = dt.timedelta(hours=8)
    rest_before: dt.timedelta = dt.timedelta(minutes=20)
    max_empty_km: float = 800.0
    successors: int = 12
    depots_per_trip: int = 3


@dataclass(frozen=True)
class Chaining:
    """The buses (in depot, type, first trip order) and each depot's needs; a trip whose type
    no depot runs has no bus."""

    buses: tuple[Bus, ...]
    needs: tuple[DepotNeed, ...]


def chain_trips(
    spans: Sequence[TripSpan],
    depots: Sequence[Depot],
    clocks: Mapping[str, RunClock],
    road_km: RoadKm,
    rules: ChainRules,
    cost_per_km: Mapping[str, float],
) -> Chaining:
    """Buses of `depots` for `spans` (see the module); the same input gives the same buses."""
    km = _cached(road_km)
    by_type: dict[str, list[TripSpan]] = defaultdict(list)
    for span in sorted(spans, key=lambda s: (s.start, s.trip_id)):
        by_type[span.vehicle_type].append(span)
    buses: list[Bus] = []
    needs: list[DepotNeed] = []
    for vehicle_type in sorted(by_type):
        trips = by_type[vehicle_type]
        yards = [d for d in depots if vehicle_type in d.buses]
        if not yards:
            continue
        assigned: dict[str, list[TripSpan]] = {d.depot_id: [] for d in yards}
        if len(yards) == 1:
            assigned[yards[0].depot_id] = trips
        else:
            pooled = _Network(trips, km, clocks[vehicle_type], rules)
            for depot, path in pooled.solve(yards, capped=True):
                assigned[depot.depot_id] += [trips[j] for j in path.trips]
        for depot in yards:
            own = sorted(assigned[depot.depot_id], key=lambda s: (s.start, s.trip_id))
            chained = (
                _Network(own, km, clocks[vehicle_type], rules).solve([depot], capped=False)
                if own
                else []
            )
            made = [
                path.bus(f"{depot.depot_id}/{vehicle_type}/{number}", depot, vehicle_type,
                         cost_per_km.get(vehicle_type, 0.0))
                for number, (_, path) in enumerate(chained, start=1)
            ]  # fmt: skip
            buses += made
            needs.append(_need(depot, vehicle_type, made, len(own)))
    return Chaining(tuple(buses), tuple(needs))


def _need(depot: Depot, vehicle_type: str, buses: Sequence[Bus], trips: int) -> DepotNeed:
    available = depot.buses[vehicle_type]
    away: dict[dt.date, set[str]] = defaultdict(set)
    for bus in buses:
        left: dt.datetime | None = None
        for run in bus.runs:
            if run.kind == "from_depot":
                left = run.start
            elif run.kind == "to_depot" and left is not None:
                day = left.date()
                while day <= run.end.date():
                    away[day].add(bus.bus_id)
                    day += dt.timedelta(days=1)
    return DepotNeed(
        depot_id=depot.depot_id,
        vehicle_type=vehicle_type,
        buses=len(buses),
        available=available,
        short=max(0, len(buses) - available) if available is not None else 0,
        trips=trips,
        empty_km=round(sum(b.empty_km for b in buses), 3),
        by_date={day: len(away[day]) for day in sorted(away)},
    )


def _cached(road_km: RoadKm) -> Callable[[Location, Location], float]:
    @cache
    def km(a: Location, b: Location) -> float:
        return road_km(a, b)

    return km


def latest_departure(arrive_by: dt.datetime, km: float, clock: RunClock) -> dt.datetime:
    """A moment from which an empty run of `km` arrives by `arrive_by` under `clock`: as
    late as a few corrections of a first guess find (earlier is always safe)."""
    leave = arrive_by - (clock(arrive_by, km) - arrive_by)
    for _ in range(8):
        late = clock(leave, km) - arrive_by
        if late <= dt.timedelta(0):
            return leave
        leave -= late
    return leave - dt.timedelta(days=1)


@dataclass
class _Path:
    """One bus's way through the network: trips (indices) and the arcs between them."""

    network: _Network
    trips: list[int]
    steps: list[
        tuple[str, int, int]
    ]  # ("leave", yard, j), ("chain", i, station), ("return", yard, i)

    def bus(self, bus_id: str, depot: Depot, vehicle_type: str, cost_per_km: float) -> Bus:
        """The bus of this path (depot `depot`, whose timeline the path ran through)."""
        net = self.network
        runs = []
        for kind, a, b in self.steps:
            if kind == "leave":
                leave, km = net.leave[a, b]
                runs.append(
                    EmptyRun(
                        kind="from_depot", before_trip=net.trips[b].trip_id, start=leave,
                        end=net.clock(leave, km), km=round(km, 3),
                    )
                )  # fmt: skip
            elif kind == "chain":
                start = net.trips[a].end + net.rules.turnaround
                km = net.chained[a, b][1]
                after = self.trips.index(a)
                runs.append(
                    EmptyRun(
                        kind="between", after_trip=net.trips[a].trip_id,
                        before_trip=net.trips[self.trips[after + 1]].trip_id, start=start,
                        end=net.clock(start, km), km=round(km, 3),
                    )
                )  # fmt: skip
            else:
                km = net.back[a, b][1]
                start = net.trips[b].end + (net.rules.turnaround if km > 0 else dt.timedelta(0))
                runs.append(
                    EmptyRun(
                        kind="to_depot", after_trip=net.trips[b].trip_id, start=start,
                        end=net.clock(start, km), km=round(km, 3),
                    )
                )  # fmt: skip
        empty_km = round(sum(r.km for r in runs), 3)
        return Bus(
            bus_id=bus_id,
            depot_id=depot.depot_id,
            vehicle_type=vehicle_type,
            trips=tuple(net.trips[j].trip_id for j in self.trips),
            runs=tuple(runs),
            empty_km=empty_km,
            empty_cost=round(empty_km * cost_per_km, 2),
        )


class _Network:
    """The time-space network of one vehicle type's trips (see the module)."""

    def __init__(
        self,
        trips: Sequence[TripSpan],
        km: Callable[[Location, Location], float],
        clock: RunClock,
        rules: ChainRules,
    ) -> None:
        self.trips = list(trips)
        self.km = km
        self.clock = clock
        self.rules = rules
        self.leave: dict[tuple[int, int], tuple[dt.datetime, float]] = {}
        self.back: dict[tuple[int, int], tuple[dt.datetime, float]] = {}
        self.stations = sorted({t.first for t in self.trips}, key=lambda p: (p.lat, p.lon))
        self.station_of = {p: q for q, p in enumerate(self.stations)}
        self.chained: dict[tuple[int, int], tuple[dt.datetime, float]] = {}
        if rules.chain:
            self._chain_arcs()

    def _chain_arcs(self) -> None:
        """Each trip's end to the nearest stations (first stops of trips) where a later trip
        starts that its bus can reach: when it would be there, ready, and the km."""
        rules = self.rules
        latest = {q: dt.datetime.min for q in range(len(self.stations))}
        for trip in self.trips:
            q = self.station_of[trip.first]
            latest[q] = max(latest[q], trip.start)
        for i, trip in enumerate(self.trips):
            ready = trip.end + rules.turnaround
            near = sorted(
                (d, q)
                for q, place in enumerate(self.stations)
                if latest[q] > ready
                and (d := great_circle_km(trip.last, place)) <= rules.max_empty_km
            )
            found = 0
            for _, q in near:
                distance = self.km(trip.last, self.stations[q])
                if distance > rules.max_empty_km:
                    continue
                there = self.clock(ready, distance) + rules.rest_before
                if there <= latest[q]:
                    self.chained[i, q] = (there, distance)
                    found += 1
                    if found >= rules.successors:
                        break

    def _yard_arcs(self, yards: Sequence[Depot]) -> None:
        """Each trip from and back to its nearest depots (`depots_per_trip`)."""
        rules = self.rules
        self.leave.clear()
        self.back.clear()
        places = [_at(yard) for yard in yards]
        for j, trip in enumerate(self.trips):
            ranked = sorted(
                range(len(yards)),
                key=lambda y: (
                    great_circle_km(places[y], trip.first) + great_circle_km(trip.last, places[y]),
                    yards[y].depot_id,
                ),
            )
            for y in ranked[: rules.depots_per_trip]:
                out = self.km(places[y], trip.first)
                home = self.km(trip.last, places[y])
                self.leave[y, j] = (
                    latest_departure(trip.start - rules.rest_before, out, self.clock),
                    out,
                )
                # The crew rests after the trip: before driving home, or at home.
                back = self.clock(trip.end + rules.turnaround, home)
                self.back[y, j] = (back, home)

    def solve(self, yards: Sequence[Depot], capped: bool) -> list[tuple[Depot, _Path]]:
        """The buses of the least-cost flow: each with the depot it leaves from first."""
        self._yard_arcs(yards)
        n = len(self.trips)
        arcs: list[FlowArc] = []
        meaning: list[tuple[str, int, int]] = []

        def arc(tail: int, head: int, capacity: int, cost: int, what: tuple[str, int, int]) -> None:
            arcs.append(FlowArc(tail, head, capacity, cost))
            meaning.append(what)

        source, sink = _SOURCE, _SINK
        start = [2 + 2 * j for j in range(n)]
        end = [3 + 2 * j for j in range(n)]
        next_node = 2 + 2 * n
        # Timelines (depots 0..len(yards)-1, then stations): a node at each moment a bus may
        # leave from there; a bus that arrives waits for the next such moment.
        moments: dict[int, set[dt.datetime]] = defaultdict(set)
        for (y, _), (t, _) in self.leave.items():
            moments[y].add(t)
        reached = {len(yards) + q for (_, q) in self.chained}
        for trip in self.trips:
            line = len(yards) + self.station_of[trip.first]
            if line in reached:
                moments[line].add(trip.start)
        lines = {line: sorted(times) for line, times in moments.items()}
        timeline: dict[tuple[int, dt.datetime], int] = {}
        for line in sorted(lines):
            for t in lines[line]:
                timeline[line, t] = next_node
                next_node += 1

        def waiting(line: int, t: dt.datetime) -> int:
            """The node of the first moment at or after `t` on `line` (the sink if none)."""
            times = lines.get(line, [])
            k = bisect.bisect_left(times, t)
            return timeline[line, times[k]] if k < len(times) else sink

        tenths = [
            round(10 * d)
            for d in [d for _, d in self.chained.values()]
            + [d for _, d in self.leave.values()]
            + [d for _, d in self.back.values()]
        ]
        per_bus = (max(tenths, default=0) + 1) * (2 * n + 2)
        overflow = per_bus * (n + 1)
        if overflow * (n + 1) >= 2**62:
            raise ValueError(f"too many trips ({n}) or too long runs for one network")
        for y, depot in enumerate(yards):
            nodes = [timeline[y, t] for t in lines.get(y, [])]
            if not nodes:
                continue
            available = depot.buses[self.trips[0].vehicle_type]
            if capped and available is not None:
                arc(source, nodes[0], available, per_bus, ("source", y, 0))
                arc(source, nodes[0], n, overflow, ("source", y, 1))
            else:
                arc(source, nodes[0], n, per_bus, ("source", y, 0))
            for a, b in pairwise(nodes):
                arc(a, b, n, 0, ("wait", y, b))
            arc(nodes[-1], sink, n, 0, ("sink", y, 0))
        for (y, j), (t, d) in sorted(self.leave.items()):
            arc(timeline[y, t], start[j], 1, round(10 * d), ("leave", y, j))
        for (y, i), (t, d) in sorted(self.back.items()):
            arc(end[i], waiting(y, t), 1, round(10 * d), ("return", y, i))
        for (i, q), (t, d) in sorted(self.chained.items()):
            arc(end[i], waiting(len(yards) + q, t), 1, round(10 * d), ("chain", i, q))
        for line in range(len(yards), len(yards) + len(self.stations)):
            for a, b in pairwise([timeline[line, t] for t in lines.get(line, [])]):
                arc(a, b, n, 0, ("wait", line, b))
        for j, trip in enumerate(self.trips):
            key = (len(yards) + self.station_of[trip.first], trip.start)
            if key in timeline:
                arc(timeline[key], start[j], 1, 0, ("board", key[0], j))
        arc(source, sink, n, 0, ("bypass", 0, 0))
        supplies = [0] * next_node
        supplies[source], supplies[sink] = n, -n
        for j in range(n):
            supplies[start[j]], supplies[end[j]] = -1, 1
        flows = min_cost_flow(supplies, arcs)
        return self._paths(flows, arcs, meaning, yards, start, end)

    def _paths(
        self,
        flows: list[int],
        arcs: list[FlowArc],
        meaning: list[tuple[str, int, int]],
        yards: Sequence[Depot],
        start: list[int],
        end: list[int],
    ) -> list[tuple[Depot, _Path]]:
        """The flow decomposed into buses, in depot then first-departure order. At a depot
        a bus takes the next departure before it waits on (any order is a valid split of the
        flow; this one keeps a bus in use)."""
        remaining = list(flows)
        left: dict[int, list[int]] = defaultdict(list)  # node -> its arcs with flow
        for a in sorted(range(len(arcs)), key=lambda a: (meaning[a][0] in _LAST, a)):
            if remaining[a] > 0:
                left[arcs[a].tail].append(a)
        trip_at = {node: j for j, node in enumerate(start)}
        paths: list[tuple[Depot, _Path]] = []
        for first in left[_SOURCE]:
            kind, y, _ = meaning[first]
            while kind == "source" and remaining[first] > 0:
                remaining[first] -= 1
                path = _Path(self, [], [])
                node = arcs[first].head
                while node != _SINK:
                    if node in trip_at:
                        path.trips.append(trip_at[node])
                        node = end[trip_at[node]]
                    chosen = next(a for a in left[node] if remaining[a] > 0)
                    remaining[chosen] -= 1
                    if meaning[chosen][0] in ("leave", "chain", "return"):
                        path.steps.append(meaning[chosen])
                    node = arcs[chosen].head
                if path.trips:
                    paths.append((yards[y], path))
        return paths


_SOURCE, _SINK = 0, 1
_LAST = ("wait", "sink")
"""Arcs a bus at a depot takes only when it has no departure there."""


def _at(depot: Depot) -> Location:
    return Location(lat=depot.lat, lon=depot.lon)

"""Job matching for returnees (return-home job services, 三(六)): the job seekers, returnees
whose needs include `job`, matched to the openings of the jobs file.

A seeker may take a posting when the posting's trade is theirs (or the posting takes any
trade) and their home lies within the posting's `max_km` of its county's seat (straight-line
km). Among the matchings those limits allow, the one with the most matches (never more than a
posting's openings), then the least total distance: a min-cost maximum flow (networkx),
source -> seeker (1) -> posting (1 per seeker) -> sink (openings), each seeker-posting arc
costing its tenths of a km. One registration is one seeker (the person who registered; their
party's other members register on their own when they look for work).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx

from pointplan.domain.jobs import ANY_TRADE, JobPosting
from pointplan.domain.places import Location
from pointplan.domain.registration import Direction, Need, Registration
from pointplan.geo.distances import geodesic_km
from pointplan.geo.gazetteer import Gazetteer, PlaceNotFound, default_gazetteer

NO_POSTING = "no posting within its distance and trade"
TAKEN = "every posting within its distance and trade is filled"


@dataclass(frozen=True)
class Seeker:
    """A returnee who needs a job: where home is, and their trade ("" when not given)."""

    registration_id: str
    county: str
    home: Location
    trade: str


@dataclass(frozen=True)
class Match:
    """A seeker offered a posting, and how far its county's seat is from their home."""

    registration_id: str
    job_id: str
    km: float


@dataclass(frozen=True)
class Matching:
    """The matches (by registration id), the seekers left without one with the reason, and
    the matches' total km."""

    matches: tuple[Match, ...]
    unmatched: tuple[tuple[str, str], ...]
    total_km: float


def seekers(registrations: Iterable[Registration]) -> list[Seeker]:
    """The returnees whose needs include a job, by registration id; home is their
    destination."""
    return sorted(
        (
            Seeker(
                registration_id=r.registration_id,
                county=r.destination.county,
                home=Location(lat=r.destination.lat, lon=r.destination.lon),
                trade=(r.trade or "").strip(),
            )
            for r in registrations
            if r.direction is Direction.RETURN_HOME and Need.JOB in r.needs
        ),
        key=lambda s: s.registration_id,
    )


def eligible_km(seeker: Seeker, job: JobPosting, seat: Location) -> float | None:
    """The km from the seeker's home to the posting's county seat when the seeker may take
    it (trade and distance), else None."""
    if job.trade != ANY_TRADE and job.trade.strip() != seeker.trade:
        return None
    km = geodesic_km(seeker.home, seat)
    return km if km <= job.max_km else None


def match_jobs(
    found: Sequence[Seeker], jobs: Sequence[JobPosting], gazetteer: Gazetteer | None = None
) -> Matching:
    """The matching of `found` to `jobs` (see the module); the same input gives the same
    matches."""
    places = gazetteer or default_gazetteer()
    seats = {job.job_id: _seat(job.county, places) for job in jobs}
    graph = nx.DiGraph()
    graph.add_node("source")
    reachable: dict[str, list[tuple[str, float]]] = {}
    for seeker in found:
        options = reachable[seeker.registration_id] = []
        for job in jobs:
            seat = seats[job.job_id]
            km = eligible_km(seeker, job, seat) if seat is not None else None
            if km is not None:
                options.append((job.job_id, km))
    for seeker in found:
        if reachable[seeker.registration_id]:
            graph.add_edge("source", ("seeker", seeker.registration_id), capacity=1, weight=0)
    for job in jobs:
        graph.add_edge(("job", job.job_id), "sink", capacity=job.openings, weight=0)
    for rid, options in reachable.items():
        for job_id, km in options:
            graph.add_edge(("seeker", rid), ("job", job_id), capacity=1, weight=round(10 * km))
    graph.add_node("sink")
    flow = nx.max_flow_min_cost(graph, "source", "sink")
    matches = []
    for seeker in found:
        rid = seeker.registration_id
        for job_id, km in reachable[rid]:
            if flow.get(("seeker", rid), {}).get(("job", job_id), 0) > 0:
                matches.append(Match(rid, job_id, round(km, 1)))
    matched = {m.registration_id for m in matches}
    unmatched = tuple(
        (s.registration_id, NO_POSTING if not reachable[s.registration_id] else TAKEN)
        for s in found
        if s.registration_id not in matched
    )
    return Matching(tuple(matches), unmatched, round(sum(m.km for m in matches), 1))


def _seat(county: str, gazetteer: Gazetteer) -> Location | None:
    try:
        unit = gazetteer.unit_for_code(county)
    except PlaceNotFound:
        return None
    return Location(lat=unit.lat, lon=unit.lon)

"""The return-home services ledger (台账, 三(六)): every returnee with needs, each need with
its state and the office it goes to, and the push list of job offers per county.

A need is `open` until something moves it: `offered` when a `need_offered` event names it
or, for a job, when the matching (`pointplan.hr.matching`) finds it a posting; `served` when
a `need_served` event names it (the entry lists the events that moved it). Training,
business start-up and rights-claim requests are routed to the office that serves them
(`OFFICES`), in the returnee's home county. Steps for a need the registration does not list
are not in the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pointplan.domain.events import LEDGER_STEPS, EventKind, StatusEvent
from pointplan.domain.jobs import JobPosting
from pointplan.domain.registration import Direction, Need, Registration
from pointplan.hr.matching import Matching

OFFICES = {
    Need.JOB: "就业服务 employment service",
    Need.TRAINING: "职业培训 vocational training",
    Need.BUSINESS: "创业服务 business start-up",
    Need.RIGHTS: "劳动保障监察 labour inspection (rights claims)",
}
"""The office of a home county's human-resources bureau that serves each need."""


@dataclass(frozen=True)
class LedgerEntry:
    """One need of one returnee: where home is, why they came back, the need's state and
    office, and for an offered job the posting and its distance."""

    registration_id: str
    home_county: str
    home: str
    return_reason: str
    involuntary: bool
    trade: str
    need: Need
    state: str
    office: str
    job_id: str = ""
    km: float | None = None
    steps: tuple[str, ...] = ()


def ledger(
    registrations: Sequence[Registration],
    matching: Matching,
    events: Sequence[StatusEvent] = (),
) -> list[LedgerEntry]:
    """The ledger of `registrations` (see the module), by home county, registration and
    need; `events` are the ledger's steps (need_offered, need_served) among others."""
    offered = {m.registration_id: m for m in matching.matches}
    moved: dict[tuple[str, Need], list[StatusEvent]] = {}
    for event in sorted(events, key=lambda e: (e.time, e.row or 0)):
        if event.event in LEDGER_STEPS and event.need is not None:
            moved.setdefault((event.registration_id, event.need), []).append(event)
    entries = []
    for r in registrations:
        if r.direction is not Direction.RETURN_HOME or not r.needs:
            continue
        for need in sorted(set(r.needs), key=list(Need).index):
            match = offered.get(r.registration_id) if need is Need.JOB else None
            steps = moved.get((r.registration_id, need), [])
            kinds = {e.event for e in steps}
            state = "open"
            if EventKind.NEED_SERVED in kinds:
                state = "served"
            elif match or EventKind.NEED_OFFERED in kinds:
                state = "offered"
            entries.append(
                LedgerEntry(
                    registration_id=r.registration_id,
                    home_county=r.destination.county,
                    home=r.destination.label,
                    return_reason=r.return_reason.value if r.return_reason else "",
                    involuntary=bool(r.return_reason and r.return_reason.involuntary),
                    trade=r.trade or "",
                    need=need,
                    state=state,
                    office=OFFICES[need],
                    job_id=match.job_id if match else "",
                    km=match.km if match else None,
                    steps=tuple(f"{e.time:%Y-%m-%d %H:%M} {e.event.value}" for e in steps),
                )
            )
    return sorted(
        entries, key=lambda e: (e.home_county, e.registration_id, list(Need).index(e.need))
    )


@dataclass(frozen=True)
class JobFill:
    """A posting, its openings and how many the matching filled."""

    job: JobPosting
    matched: int

    @property
    def left(self) -> int:
        """Openings still open."""
        return self.job.openings - self.matched


def fills(jobs: Sequence[JobPosting], matching: Matching) -> list[JobFill]:
    """Each posting with the seekers it was matched to, in the jobs file's order."""
    taken: dict[str, int] = {}
    for match in matching.matches:
        taken[match.job_id] = taken.get(match.job_id, 0) + 1
    return [JobFill(job, taken.get(job.job_id, 0)) for job in jobs]


@dataclass(frozen=True)
class Offer:
    """A job offer to push: the returnee (home county, trade), the posting and how far."""

    home_county: str
    home: str
    registration_id: str
    trade: str
    job: JobPosting
    km: float


def push_list(
    entries: Sequence[LedgerEntry], jobs: Sequence[JobPosting], matching: Matching
) -> list[Offer]:
    """The offers to push, by home county and registration: one per match of a returnee
    with an entry in `entries` (others are another area's)."""
    postings = {job.job_id: job for job in jobs}
    home = {e.registration_id: e for e in entries}
    offers = [
        Offer(
            home_county=home[m.registration_id].home_county,
            home=home[m.registration_id].home,
            registration_id=m.registration_id,
            trade=home[m.registration_id].trade,
            job=postings[m.job_id],
            km=m.km,
        )
        for m in matching.matches
        if m.registration_id in home
    ]
    return sorted(offers, key=lambda o: (o.home_county, o.registration_id))

"""The early warning of involuntary returns (三(七)): indicators per home county and week,
and the warning level the thresholds give them (domain/warnings.py says what each indicator
counts and how a level is raised).

The week is Monday to Sunday; a returnee belongs to the week it registered in (its
`registered_at`, else its window's first day, as the weekly tables count it), and to its
home county (the destination). A rights claim stays open until a `need_served` event for
`rights` dated by the week's end closes it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pointplan.domain.events import EventKind, StatusEvent
from pointplan.domain.registration import Direction, Need, Registration
from pointplan.domain.warnings import LevelRule, Thresholds, WarningLevel

INVOLUNTARY = ("stoppage", "layoff", "unpaid_wages")
"""The return reasons that count as involuntary (非自愿返乡), in the weekly table's order."""


@dataclass(frozen=True)
class Returnee:
    """What the indicators read of a returnee: when it registered, how many people, why
    they came back ("" unknown) and whether a rights claim is open."""

    registered: dt.date
    people: int
    return_reason: str
    rights_open: bool


@dataclass(frozen=True)
class Indicators:
    """One county's (or area's) indicators for one week."""

    returnees: int
    involuntary_people: int
    by_reason: dict[str, int]
    involuntary_share: float
    weeks_before_mean: float
    involuntary_change: float | None
    open_rights: int


@dataclass(frozen=True)
class Warning:
    """The level raised for an area in a week, with the indicators and why (`reasons`: each
    indicator that reached its value for that level)."""

    area: str
    week_start: dt.date
    level: WarningLevel | None
    indicators: Indicators
    reasons: tuple[str, ...] = field(default=())


def returnee(registration: Registration, registered: dt.date, rights_served: bool) -> Returnee:
    """A return-home registration as the indicators read it, registered on `registered`,
    its rights claim (if it has one) served or not."""
    return Returnee(
        registered=registered,
        people=registration.party_size,
        return_reason=registration.return_reason.value if registration.return_reason else "",
        rights_open=Need.RIGHTS in registration.needs and not rights_served,
    )


def indicators(found: Iterable[Returnee], week_start: dt.date, weeks_before: int) -> Indicators:
    """The indicators of these returnees (one area's) for the week of Monday `week_start`."""
    week_end = week_start + dt.timedelta(days=6)
    involuntary_by_week: dict[int, int] = defaultdict(int)
    this_week = 0
    by_reason = dict.fromkeys(INVOLUNTARY, 0)
    open_rights = 0
    for item in found:
        if item.registered > week_end:
            continue
        if item.rights_open:
            open_rights += item.people
        # 0: this week; 1: the week before (Monday to Sunday); and so on.
        days_before = (week_start - item.registered).days
        weeks_ago = 0 if days_before <= 0 else (days_before - 1) // 7 + 1
        if weeks_ago == 0:
            this_week += item.people
        if item.return_reason in INVOLUNTARY and weeks_ago <= weeks_before:
            involuntary_by_week[weeks_ago] += item.people
            if weeks_ago == 0:
                by_reason[item.return_reason] += item.people
    involuntary = involuntary_by_week[0]
    before = sum(involuntary_by_week[w] for w in range(1, weeks_before + 1)) / weeks_before
    return Indicators(
        returnees=this_week,
        involuntary_people=involuntary,
        by_reason=by_reason,
        involuntary_share=round(involuntary / this_week, 4) if this_week else 0.0,
        weeks_before_mean=round(before, 3),
        involuntary_change=round(involuntary / before - 1, 4) if before else None,
        open_rights=open_rights,
    )


def level_of(
    found: Indicators, thresholds: Thresholds
) -> tuple[WarningLevel | None, tuple[str, ...]]:
    """The highest level the thresholds raise for these indicators, and why."""
    best: tuple[WarningLevel | None, tuple[str, ...]] = (None, ())
    for rule in sorted(thresholds.levels, key=lambda r: r.level.rank):
        reasons = _reached(found, rule)
        if reasons:
            best = (rule.level, reasons)
    return best


def county_warnings(
    registrations: Sequence[Registration],
    registered_on: dict[str, dt.date],
    week_start: dt.date,
    thresholds: Thresholds,
    events: Sequence[StatusEvent] = (),
) -> list[Warning]:
    """Each home county's warning for the week (level None: none raised), by county code;
    `registered_on` gives each registration's day of registration; `events` close rights
    claims (need_served for rights, by the week's end)."""
    week_end = dt.datetime.combine(week_start + dt.timedelta(days=7), dt.time())
    served = {
        e.registration_id
        for e in events
        if e.event is EventKind.NEED_SERVED and e.need is Need.RIGHTS and e.time < week_end
    }
    by_county: dict[str, list[Returnee]] = defaultdict(list)
    for r in registrations:
        if r.direction is Direction.RETURN_HOME:
            county = r.destination.county
            rid = r.registration_id
            by_county[county].append(returnee(r, registered_on[rid], rid in served))
    warnings = []
    for county in sorted(by_county):
        found = indicators(by_county[county], week_start, thresholds.weeks_before)
        level, reasons = level_of(found, thresholds)
        warnings.append(Warning(county, week_start, level, found, reasons))
    return warnings


def _reached(found: Indicators, rule: LevelRule) -> tuple[str, ...]:
    reasons = []
    if rule.involuntary_people is not None and found.involuntary_people >= rule.involuntary_people:
        reasons.append(
            f"involuntary_people {found.involuntary_people} >= {rule.involuntary_people}"
        )
    if (
        rule.involuntary_share is not None
        and found.returnees
        and (found.involuntary_share >= rule.involuntary_share)
    ):
        reasons.append(
            f"involuntary_share {found.involuntary_share:.2f} >= {rule.involuntary_share}"
        )
    if (
        rule.involuntary_change is not None
        and found.involuntary_change is not None
        and found.involuntary_change >= rule.involuntary_change
    ):
        reasons.append(
            f"involuntary_change {found.involuntary_change:+.2f} >= {rule.involuntary_change}"
        )
    if rule.open_rights is not None and found.open_rights >= rule.open_rights:
        reasons.append(f"open_rights {found.open_rights} >= {rule.open_rights}")
    return tuple(reasons)

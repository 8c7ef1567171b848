"""Scenarios: one week of demand planned under several policies, fleets and settings.

A `Scenario` changes what a planner can change: policy keys (`{"max_load_factor": 0.75}`), the
fleet, how many days either side of its window each party would accept, and the solver's
settings. `compare()` plans every scenario and lines their figures up, one row each;
`load_scenarios()` reads them from a YAML/JSON file:

```yaml
scenarios:
  - name: load 75%
    policy: {max_load_factor: 0.75}
  - name: ±1 day
    date_flexibility_days: 1
```
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pointplan.builder import Demand, build_problem, read_demand
from pointplan.domain.cost_sharing import CostSharing, split_costs
from pointplan.domain.fleet import Fleet
from pointplan.domain.places import Point
from pointplan.domain.plan import Plan
from pointplan.domain.policy import Policy
from pointplan.domain.registration import Registration
from pointplan.io.config import load_fleet, read_mapping, validation_issues
from pointplan.io.errors import InputError, InputIssue
from pointplan.io.registrations import RegistrationBatch
from pointplan.solve import solve
from pointplan.solvers.budget import DEFAULT_SECONDS
from pointplan.solvers.registry import DEFAULT_SOLVER, SolverName

log = logging.getLogger(__name__)

DEFAULT_TIME_LIMIT = DEFAULT_SECONDS
"""Search budget per scenario, in seconds, when neither `compare` nor the scenario sets one."""

COLUMNS = (
    "vehicles",
    "vehicles_lower_bound",
    "gap",
    "stops",
    "distance_km",
    "cost",
    "cost_per_person",
    "legs",
    "rail_cars",
    "registrations",
    "people",
    "people_served",
    "served_share",
    "unassigned",
    "rejected",
    "mean_capacity",
    "mean_load",
    "people_per_vehicle",
    "solve_seconds",
)
"""The columns of a comparison table; its index is the scenario name."""
FORMATS = {
    "gap": "{:.1%}",
    "served_share": "{:.1%}",
    "mean_load": "{:.1%}",
    "mean_capacity": "{:.1f}",
    "people_per_vehicle": "{:.2f}",
    "distance_km": "{:,.0f}",
    "cost": "{:,.0f}",
    "cost_per_person": "{:,.1f}",
    "solve_seconds": "{:.1f}",
}
"""How `readable_table` shows each figure; counts get thousands separators."""


class Scenario(BaseModel):
    """One way to plan the demand: policy changes, fleet, date flexibility, solver settings.

    `policy` holds policy keys that override the base policy passed to `compare` (validated
    by `Policy`: an unknown key is refused with the key it resembles). `fleet` replaces the
    base fleet. `date_flexibility_days` N lets every party travel up to N days before its
    earliest and after its latest date, within the dates of the whole demand (see
    `widen_windows`). `time_limit` (seconds of search), `solver` and `seed` are as in
    `solve()`; without a time limit the scenario gets the one `compare` is given.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    policy: dict[str, Any] = Field(default_factory=dict)
    fleet: Fleet | None = None
    date_flexibility_days: int = Field(default=0, ge=0, le=366)
    time_limit: float | None = Field(default=None, gt=0)
    solver: SolverName = DEFAULT_SOLVER
    seed: int = 0

    @field_validator("policy")
    @classmethod
    def _policy_keys_and_values(cls, overrides: dict[str, Any]) -> dict[str, Any]:
        unknown = [key for key in overrides if key not in Policy.model_fields]
        if unknown:
            raise ValueError("; ".join(_unknown_policy_key(key) for key in unknown))
        try:
            Policy.model_validate(overrides)
        except ValidationError as error:
            # Rules between keys (night limit <= day limit) depend on the base policy: they
            # are checked in `policy_for`; here only each key's own value is.
            problems = [
                f"{'.'.join(str(part) for part in detail['loc'])}: {detail['msg']}"
                for detail in error.errors()
                if detail["loc"]
            ]
            if problems:
                raise ValueError("; ".join(problems)) from None
        return overrides

    def policy_for(self, base: Policy) -> Policy:
        """`base` with this scenario's policy keys, validated as a whole."""
        if not self.policy:
            return base
        try:
            return Policy.model_validate({**base.model_dump(), **self.policy})
        except ValidationError as error:
            issues = validation_issues(f"scenario '{self.name}'", error, Policy)
            raise InputError(
                [
                    InputIssue(i.source, f"policy: {_plain(i.message)}", column=i.column)
                    for i in issues
                ]
            ) from None


def _unknown_policy_key(key: str) -> str:
    close = difflib.get_close_matches(key, list(Policy.model_fields), n=1)
    return f"unknown policy key '{key}'" + (f" (did you mean '{close[0]}'?)" if close else "")


def widen_windows(
    registrations: Iterable[Registration],
    days: int,
    horizon: tuple[dt.date, dt.date] | None = None,
) -> tuple[Registration, ...]:
    """Every registration with its window widened by `days` on both sides.

    The earliest date moves `days` earlier and the latest `days` later, but not beyond
    `horizon` (first and last date), by default the dates the registrations span together,
    so that the plan stays inside the week being planned: a window at the edge of the week
    widens on its other side only. No window ever narrows. `days` 0 changes nothing.
    """
    registrations = tuple(registrations)
    if days < 0:
        raise ValueError("days must be 0 or more")
    if days == 0 or not registrations:
        return registrations
    first, last = horizon or (
        min(r.earliest_date for r in registrations),
        max(r.latest_date for r in registrations),
    )
    shift = dt.timedelta(days=days)
    return tuple(
        r.model_copy(
            update={
                "earliest_date": min(r.earliest_date, max(first, r.earliest_date - shift)),
                "latest_date": max(r.latest_date, min(last, r.latest_date + shift)),
            }
        )
        for r in registrations
    )


def plan_scenario(
    scenario: Scenario,
    registrations: Demand,
    points: Sequence[Point] = (),
    fleet: Fleet | None = None,
    policy: Policy | None = None,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    workers: int | None = None,
    keep_going: bool = False,
) -> Plan:
    """Plan `registrations` (as `build_problem` takes them) under `scenario`, on top of the
    base `fleet` and `policy`."""
    problem = build_problem(
        registrations,
        points=points,
        fleet=scenario.fleet or fleet,
        policy=scenario.policy_for(policy or Policy()),
        keep_going=keep_going,
        fleet_label=f"scenario '{scenario.name}'",
    )
    problem = problem.with_registrations(
        widen_windows(problem.registrations, scenario.date_flexibility_days)
    )
    return solve(
        problem,
        solver=scenario.solver,
        seed=scenario.seed,
        time_limit=scenario.time_limit or time_limit,
        workers=workers,
    )


def run_scenarios(
    registrations: Demand,
    scenarios: Sequence[Scenario],
    points: Sequence[Point] = (),
    fleet: Fleet | None = None,
    policy: Policy | None = None,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    workers: int | None = None,
    keep_going: bool = False,
) -> dict[str, Plan]:
    """Plan every scenario; the plans by scenario name, in the order given.

    `registrations` are a CSV/XLSX path, a DataFrame or records, read once with `points`, or
    validated `Registration`s. A table with bad rows raises `InputError` listing them, unless
    `keep_going`, which plans the rest and counts the bad rows as rejected. A scenario that
    changes `pickup_search_km` needs a table (pickups are chosen for each scenario), not
    `Registration`s, whose pickups are chosen already.
    """
    _check_names(scenarios)
    base = policy or Policy()
    demand: Demand | None = None
    plans: dict[str, Plan] = {}
    for scenario in scenarios:
        scenario_policy = scenario.policy_for(base)
        if demand is None:
            demand = read_demand(registrations, points)
        if (
            not isinstance(demand, RegistrationBatch)
            and scenario_policy.pickup_search_km != base.pickup_search_km
        ):
            message = (
                "policy: pickup_search_km chooses pickups as registrations are read; to "
                "change it, give the registrations table, not Registration objects"
            )
            raise InputError([InputIssue(f"scenario '{scenario.name}'", message)])
        plan = plan_scenario(
            scenario,
            demand,
            points,
            fleet,
            base,
            time_limit=time_limit,
            workers=workers,
            keep_going=keep_going,
        )
        plans[scenario.name] = plan
        log.info("scenario %r: %d vehicles", scenario.name, plan.summary.vehicles)
    return plans


def _check_names(scenarios: Sequence[Scenario]) -> None:
    if not scenarios:
        raise ValueError("give at least one scenario")
    names = [scenario.name for scenario in scenarios]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(f"scenario names must be unique; named twice: {', '.join(twice)}")


def compare(
    registrations: Demand,
    scenarios: Sequence[Scenario],
    points: Sequence[Point] = (),
    fleet: Fleet | None = None,
    policy: Policy | None = None,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    workers: int | None = None,
    keep_going: bool = False,
    cost_sharing: CostSharing | None = None,
) -> pd.DataFrame:
    """Plan every scenario and line up its figures: one row per scenario (see `COLUMNS`).

    Arguments are those of `run_scenarios`. The same inputs and seeds give the same table,
    but for `solve_seconds`. With `cost_sharing`, a column per payer follows: what it pays a
    person carried (`paid_by_PAYER_per_person`, pointplan.domain.cost_sharing).
    """
    plans = run_scenarios(
        registrations,
        scenarios,
        points,
        fleet,
        policy,
        time_limit=time_limit,
        workers=workers,
        keep_going=keep_going,
    )
    table = comparison_table(plans)
    if cost_sharing is None:
        return table
    demand = read_demand(registrations, points)
    people = demand.registrations if isinstance(demand, RegistrationBatch) else demand
    splits = {name: split_costs(plan.trips, people, cost_sharing) for name, plan in plans.items()}
    payers = sorted({payer for split in splits.values() for payer in split.by_payer})
    for payer in payers:
        table[f"paid_by_{payer}_per_person"] = [
            splits[name].per_person().get(payer, 0.0) for name in table.index
        ]
    return table


def comparison_table(plans: Mapping[str, Plan]) -> pd.DataFrame:
    """One row of figures per named plan, indexed by name (the columns of `COLUMNS`)."""
    rows = [plan_figures(plan) for plan in plans.values()]
    return pd.DataFrame(rows, index=pd.Index(list(plans), name="scenario"), columns=COLUMNS)


def readable_table(table: pd.DataFrame) -> pd.DataFrame:
    """A comparison table with every figure as rounded text (shares as percentages)."""
    return pd.DataFrame(
        {column: [_readable(str(column), value) for value in table[column]] for column in table},
        index=table.index,
    )


def _readable(column: str, value: float) -> str:
    default = "{:,.1f}" if column.startswith("paid_by_") else "{:,}"
    return "-" if pd.isna(value) else FORMATS.get(column, default).format(value)


def plan_figures(plan: Plan) -> dict[str, float | int]:
    """A plan's figures for a comparison: vehicles against the bound, stops, km, cost (and per
    person served), the trips that are legs of journeys through hubs and the rail cars among
    them, who is served, and how full the vehicles are (`mean_load`: passengers / effective
    capacity)."""
    s = plan.summary
    trips = plan.trips
    return {
        "vehicles": s.vehicles,
        "vehicles_lower_bound": s.vehicles_lower_bound,
        "gap": s.vehicles / s.vehicles_lower_bound - 1 if s.vehicles_lower_bound else float("nan"),
        "stops": s.stops,
        "distance_km": s.distance_km,
        "cost": s.cost,
        "cost_per_person": s.cost_per_person,
        "legs": s.legs,
        "rail_cars": sum(1 for t in trips if t.mode == "rail"),
        "registrations": s.registrations,
        "people": s.passengers,
        "people_served": s.served_passengers,
        "served_share": s.served_passengers / s.passengers if s.passengers else float("nan"),
        "unassigned": s.unassigned,
        "rejected": s.rejected,
        "mean_capacity": _mean([t.capacity for t in trips]),
        "mean_load": _mean([t.passengers / t.capacity for t in trips if t.capacity]),
        "people_per_vehicle": _mean([t.passengers for t in trips]),
        "solve_seconds": s.solve_seconds,
    }


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def load_scenarios(path: Path | str) -> tuple[Scenario, ...]:
    """The scenarios of a YAML/JSON file `{"scenarios": [{"name": ..., ...}, ...]}`.

    Each entry takes the keys of `Scenario`; `fleet` is a fleet file (relative to this
    file) or an inline `{"vehicle_types": [...]}`. Every problem is reported at once, each
    naming the scenario and the key.
    """
    path = Path(path)
    data = read_mapping(path)
    entries = data.get("scenarios") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries or set(data) != {"scenarios"}:
        raise InputError(
            [InputIssue(str(path), "a scenarios file holds one key, 'scenarios': a list")]
        )
    scenarios: dict[int, Scenario] = {}
    issues: list[InputIssue] = []
    for number, entry in enumerate(entries, start=1):
        try:
            scenarios[number] = _scenario_entry(path, number, entry)
        except InputError as error:
            issues.extend(error.issues)
    first: dict[str, int] = {}
    for number, scenario in scenarios.items():
        if scenario.name in first:
            message = f"the name is used twice (first by scenario {first[scenario.name]})"
            issues.append(InputIssue(str(path), f"scenario {number} '{scenario.name}': {message}"))
        first.setdefault(scenario.name, number)
    if issues:
        raise InputError(issues)
    return tuple(scenarios.values())


def _scenario_entry(path: Path, number: int, entry: object) -> Scenario:
    if not isinstance(entry, dict):
        raise InputError([InputIssue(str(path), f"scenario {number}: give an object of keys")])
    where = f"scenario {number}" + (f" '{entry['name']}'" if entry.get("name") else "")
    values = dict(entry)
    if isinstance(values.get("fleet"), str):
        try:
            values["fleet"] = load_fleet(path.parent / values["fleet"])
        except InputError as error:
            raise InputError(
                [InputIssue(str(path), f"{where}: fleet: {issue}") for issue in error.issues]
            ) from None
    try:
        return Scenario.model_validate(values)
    except ValidationError as error:
        raise InputError(
            [
                InputIssue(str(path), f"{where}: {issue.column}: {_plain(issue.message)}")
                for issue in validation_issues(str(path), error, Scenario)
            ]
        ) from None


def _plain(message: str) -> str:
    return message.removeprefix("Value error, ")

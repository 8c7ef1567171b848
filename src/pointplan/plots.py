"""Charts of a plan and of a scenario comparison, with matplotlib.

Each function draws on the `ax` it is given, or on a new pyplot figure (shown by a notebook
at the end of the cell; close it with `matplotlib.pyplot.close` in long scripts), and returns
the Axes, so charts combine into a planner's own figures. Nothing changes matplotlib's
global settings: the fonts are set on the texts drawn, with the shipped Pointplan Sans behind
DejaVu Sans, so that Chinese scenario or place names render too. Works
with any backend, including Agg on a server.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from pointplan.domain.fleet import Fleet
from pointplan.domain.plan import Plan
from pointplan.domain.policy import Policy
from pointplan.domain.registration import Direction
from pointplan.fonts import FONT_FAMILY, font_path

DIRECTION_LABELS = {
    Direction.RETURN_TO_WORK: "return to work (返岗)",
    Direction.RETURN_HOME: "return home (返乡)",
}
HEADROOM = 1.25
"""Room above the tallest bar of the comparison chart for its legend."""
DIRECTION_COLOURS = {Direction.RETURN_TO_WORK: "#1f77b4", Direction.RETURN_HOME: "#ff7f0e"}


@cache
def font_families() -> tuple[str, ...]:
    """Font families for text with Chinese in it: DejaVu Sans (matplotlib's own), then the
    shipped Pointplan Sans for the Chinese, registered with matplotlib on the first call."""
    font_manager.fontManager.addfont(str(font_path()))
    return ("DejaVu Sans", FONT_FAMILY)


def _axes(ax: Axes | None, size: tuple[float, float] = (8.0, 4.0)) -> Axes:
    if ax is not None:
        return ax
    from matplotlib import pyplot

    return pyplot.figure(figsize=size, layout="constrained").add_subplot()


def _fonts(ax: Axes) -> Axes:
    """Set the CJK-capable fonts on every text of `ax`: title, labels, ticks, legend."""
    families = list(font_families())
    for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
        text.set_fontfamily(families)
    ax.tick_params(labelfontfamily=families)
    legend = ax.get_legend()
    if legend is not None:
        for text in legend.get_texts():
            text.set_fontfamily(families)
    return ax


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def vehicles_per_day(plan: Plan, ax: Axes | None = None) -> Axes:
    """Stacked bars of vehicles (trips) leaving each day, by direction: one bar per day from
    the first to the last day of the plan, days without a trip included."""
    ax = _axes(ax)
    counts: dict[tuple[dt.date, Direction], int] = {}
    for trip in plan.trips:
        counts[trip.date, trip.direction] = counts.get((trip.date, trip.direction), 0) + 1
    days = _days(min(t.date for t in plan.trips), max(t.date for t in plan.trips)) if counts else []
    labels = [day.strftime("%m-%d %a") for day in days]
    bottom = [0] * len(days)
    for direction in Direction:
        heights = [counts.get((day, direction), 0) for day in days]
        ax.bar(
            labels,
            heights,
            bottom=bottom,
            label=DIRECTION_LABELS[direction],
            color=DIRECTION_COLOURS[direction],
        )
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_xlabel("departure date")
    ax.set_ylabel("vehicles")
    ax.set_title(f"Vehicles per day ({len(plan.trips):,} in all)")
    ax.tick_params(axis="x", labelrotation=45)
    ax.legend()
    return _fonts(ax)


def load_histogram(
    plan: Plan,
    fleet: Fleet | None = None,
    policy: Policy | None = None,
    ax: Axes | None = None,
    bins: int = 20,
) -> Axes:
    """Histogram of how full the trips are.

    With the `fleet`, a trip's load is passengers / rated seats (客座率) and the `policy`'s
    load cap (`max_load_factor`, default 0.5) is drawn as a line: the gap between the bars and
    the line is what the seat rules take beyond the cap. Without it, the load is passengers /
    effective capacity, and the line at 1 marks a full vehicle.
    """
    ax = _axes(ax)
    rated = {vt.name: vt.rated_seats for vt in fleet.vehicle_types} if fleet else {}
    missing = sorted({t.vehicle_type for t in plan.trips} - rated.keys())
    if fleet is not None and missing:
        raise ValueError(f"the fleet has no vehicle type {missing[0]!r}, which the plan uses")
    if fleet is not None:
        loads = [t.passengers / rated[t.vehicle_type] for t in plan.trips]
        cap, cap_label = (policy or Policy()).max_load_factor, "load cap"
        ax.set_xlabel("passengers / rated seats")
    else:
        loads = [t.passengers / t.capacity for t in plan.trips if t.capacity]
        cap, cap_label = 1.0, "effective capacity"
        ax.set_xlabel("passengers / effective capacity")
    ax.hist(loads, bins=bins, range=(0.0, max(1.0, cap)), color="#4c72b0", edgecolor="white")
    ax.axvline(cap, color="#c44e52", linestyle="--", label=f"{cap_label} {cap:.0%}")
    ax.set_ylabel("trips")
    ax.set_title("How full the vehicles are")
    ax.legend()
    return _fonts(ax)


def comparison_chart(table: pd.DataFrame, ax: Axes | None = None, km: bool = True) -> Axes:
    """Vehicles and their lower bound side by side for each scenario of a `compare()` table;
    with `km`, the vehicle-kilometres as points on a second axis at the right."""
    ax = _axes(ax, size=(max(6.0, 1.4 * len(table)), 4.0))
    names = [str(name) for name in table.index]
    places = list(range(len(names)))
    width = 0.38
    ax.bar(
        [p - width / 2 for p in places],
        table["vehicles"],
        width,
        label="vehicles",
        color="#4c72b0",
    )
    ax.bar(
        [p + width / 2 for p in places],
        table["vehicles_lower_bound"],
        width,
        label="lower bound",
        color="#a6bddb",
    )
    ax.set_xticks(places, names, rotation=20, ha="right")
    ax.set_ylabel("vehicles")
    ax.set_title("Scenarios: vehicles against the lower bound")
    ax.set_ylim(0, HEADROOM * max(table["vehicles"].max(), 1))
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    handles, labels = ax.get_legend_handles_labels()
    if km:
        right = ax.twinx()
        right.plot(places, table["distance_km"], "o", color="#c44e52", label="vehicle-km")
        right.set_ylabel("vehicle-km")
        right.set_ylim(0, HEADROOM * max(table["distance_km"].max(), 1.0))
        right.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        _fonts(right)
        more_handles, more_labels = right.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    ax.legend(handles, labels, loc="upper center", ncols=len(handles))
    return _fonts(ax)


def stacked_counts(table: pd.DataFrame, title: str, unit: str, ax: Axes | None = None) -> Axes:
    """Horizontal bars, one per row of `table` (its index names them, Chinese included),
    stacked by its columns: for example people by home county and return reason."""
    ax = _axes(ax, size=(8.0, max(3.0, 0.35 * len(table) + 1.5)))
    table.plot.barh(stacked=True, ax=ax)
    ax.set_title(title)
    ax.set_xlabel(unit)
    ax.set_ylabel("")
    ax.invert_yaxis()  # the first row on top
    return _fonts(ax)


def plan_overview(plan: Plan, fleet: Fleet | None = None, policy: Policy | None = None) -> Figure:
    """A figure of two charts: vehicles per day and how full the vehicles are."""
    from matplotlib import pyplot

    figure = pyplot.figure(figsize=(12.0, 4.0), layout="constrained")
    left, right = figure.subplots(1, 2)
    vehicles_per_day(plan, ax=left)
    load_histogram(plan, fleet, policy, ax=right)
    return figure

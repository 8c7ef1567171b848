"""Shared fixtures: the default rules, the shipped fleet, a small registrations builder."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from pointplan.domain import Fleet, Place, Plan, Policy, Registration
from pointplan.domain.places import Point, PointKind
from pointplan.io.config import default_fleet
from tests.checker import check_plan

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
DATA_ROOT = ROOT / "tests" / "data"

# Real county seats (from the gazetteer's table) used to build small problems by hand.
HOHHOT = Place(label="呼和浩特市新城区", lat=40.858289, lon=111.665544, adcode="150102")
TUZUOQI = Place(label="呼和浩特市土默特左旗", lat=40.729572, lon=111.163902, adcode="150121")
BAOTOU = Place(label="包头市昆都仑区", lat=40.642, lon=109.822, adcode="150203")
BEIJING = Place(label="北京市朝阳区", lat=39.921506, lon=116.443205, adcode="110105")
HAILAR = Place(label="呼伦贝尔市海拉尔区", lat=49.212, lon=119.736, adcode="150702")
# Railway stations near them (approximate coordinates), for journeys by rail.
HOHHOT_STATION = Point(point_id="RS-HHHT", label="呼和浩特东站", lat=40.86, lon=111.72,
                       adcode="150102", kind=PointKind.STATION)  # fmt: skip
BAOTOU_STATION = Point(point_id="RS-BT", label="包头站", lat=40.61, lon=109.84,
                       adcode="150202", kind=PointKind.STATION)  # fmt: skip
BEIJING_STATION = Point(point_id="RS-BJ", label="北京站", lat=39.903, lon=116.427,
                        adcode="110101", kind=PointKind.STATION)  # fmt: skip


def rail_fleet(cars: int = 10) -> Fleet:
    """The shipped fleet with `cars` rail cars a day (it has none)."""
    fleet = default_fleet()
    types = tuple(
        vt.model_copy(update={"count": cars}) if vt.is_rail else vt for vt in fleet.vehicle_types
    )
    return fleet.model_copy(update={"vehicle_types": types})


def readme_plan_args(out: Path) -> list[str]:
    """The README's main command on the shipped sample data, writing to `out`."""
    return [
        "plan",
        str(SAMPLE / "registrations.csv"),
        "--points",
        str(SAMPLE / "points.csv"),
        "--fleet",
        str(SAMPLE / "fleet.yaml"),
        "--policy",
        str(SAMPLE / "policy.yaml"),
        "--pdf",
        "--out",
        str(out),
    ]


LONGEST_FIRST = ("tests/cli/test_readme.py", "tests/test_notebook.py", "tests/api/test_live.py")
"""Modules that take the longest (the README run, the notebook run, a live server), started
first so that no worker is left with one of them at the end of a parallel run."""


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Two workers a core for `-n auto`: many tests wait on a server, a database or a
    subprocess rather than compute, so a core left to one worker idles (on 2 cores, 4
    workers ran the suite in 165 s against 204 s for 2)."""
    return 2 * (os.cpu_count() or 1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the longest modules first (a stable sort: the order within a module stays)."""
    items.sort(key=lambda item: not item.nodeid.startswith(LONGEST_FIRST))


@pytest.fixture
def policy() -> Policy:
    """The default policy of interchange.md."""
    return Policy()


@pytest.fixture
def fleet() -> Fleet:
    """The shipped default fleet."""
    return default_fleet()


RegistrationFactory = Callable[..., Registration]


def party(
    registration_id: str,
    home: Place,
    destination: Place,
    first: dt.date,
    last: dt.date | None = None,
    size: int = 1,
) -> Registration:
    """A return-to-work party boarding at `home` and leaving at `destination` themselves,
    free to travel from `first` to `last` (default: `first` only)."""
    return Registration(
        registration_id=registration_id,
        direction="return_to_work",
        origin=home,
        destination=destination,
        pickup=home,
        dropoff=destination,
        earliest_date=first,
        latest_date=last or first,
        party_size=size,
    )


@pytest.fixture
def make_registration() -> RegistrationFactory:
    """Build a valid registration; keywords override the defaults."""
    counter = iter(range(1, 1_000_000))

    def make(**overrides: Any) -> Registration:
        values: dict[str, Any] = {
            "registration_id": f"R{next(counter):05d}",
            "direction": "return_to_work",
            "origin": TUZUOQI,
            "destination": BAOTOU,
            "earliest_date": dt.date(2022, 11, 21),
            "latest_date": dt.date(2022, 11, 21),
            "party_size": 1,
        }
        values.update(overrides)
        values.setdefault("pickup", values["origin"])
        values.setdefault("dropoff", values["destination"])
        return Registration(**values)

    return make


def assert_valid_plan(
    plan: Plan,
    registrations: list[Registration] | tuple[Registration, ...],
    fleet: Fleet,
    policy: Policy,
    rejected_rows: int = 0,
) -> None:
    """Fail with every violation the independent checker finds in `plan`."""
    as_json = json.loads(plan.to_json())
    violations = check_plan(as_json, registrations, fleet, policy, rejected_rows)
    assert violations == [], "\n".join(violations[:30])


def registration_strategy(
    places: list[Place], prefix: str, most: int, first_days: int
) -> st.SearchStrategy[list[Registration]]:
    """Lists of up to `most` registrations between `places`, starting within `first_days`."""

    @st.composite
    def build(draw: st.DrawFn) -> list[Registration]:
        regs = []
        for i in range(draw(st.integers(1, most))):
            origin, destination = draw(st.permutations(places))[:2]
            earliest = dt.date(2022, 11, 21) + dt.timedelta(days=draw(st.integers(0, first_days)))
            regs.append(
                Registration(
                    registration_id=f"{prefix}{i:03d}",
                    direction=draw(st.sampled_from(["return_to_work", "return_home"])),
                    origin=origin,
                    destination=destination,
                    pickup=origin,
                    dropoff=destination,
                    earliest_date=earliest,
                    latest_date=earliest + dt.timedelta(days=draw(st.integers(0, 3))),
                    party_size=draw(st.integers(1, 4)),
                )
            )
        return regs

    return build()

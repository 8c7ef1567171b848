"""Scenarios: `compare`, the scenarios file, date flexibility, `pointplan compare`, the charts."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from matplotlib import pyplot
from pydantic import ValidationError

from pointplan import InputError, Scenario, compare, load_scenarios
from pointplan.cli import main
from pointplan.domain import Fleet, Plan, Policy, Registration, VehicleType
from pointplan.plots import comparison_chart, font_families, load_histogram, vehicles_per_day
from pointplan.problem import Problem
from pointplan.scenarios import COLUMNS, run_scenarios, widen_windows
from pointplan.solve import solve
from tests.conftest import BAOTOU, SAMPLE, TUZUOQI, RegistrationFactory

matplotlib.use("Agg")

NOV = dt.date(2022, 11, 21)
HEADER = "registration_id,direction,origin,destination,earliest_date,latest_date,party_size"
MINIBUS = {
    "name": "minibus-19",
    "layout": ["AB|C", "AB|C", "AB|C", "AB|C", "AB|C", "ABCD"],
    "rated_seats": 19,
}


@pytest.fixture
def three_days(make_registration: RegistrationFactory) -> list[Registration]:
    """One person a day on three days, each bound to that day, on the same road."""
    return [
        make_registration(earliest_date=NOV + dt.timedelta(d), latest_date=NOV + dt.timedelta(d))
        for d in range(3)
    ]


@pytest.fixture
def regs_csv(tmp_path: Path) -> Path:
    """Three good rows and one whose dates are the wrong way round (row 5)."""
    path = tmp_path / "regs.csv"
    rows = [
        HEADER,
        "A1,return_to_work,150121,150203,2022-11-21,2022-11-21,2",
        "A2,return_to_work,150121,150203,2022-11-22,2022-11-22,1",
        "A3,return_home,150203,150121,2022-11-21,2022-11-21,1",
        "A4,return_home,150203,150121,2022-11-30,2022-11-21,1",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    pyplot.close("all")


# compare -------------------------------------------------------------------------------------


def test_compare_lines_up_one_row_per_scenario(three_days: list[Registration]) -> None:
    """Each scenario gets a row of every figure; ±1 day puts the three on one vehicle."""
    scenarios = [
        Scenario(name="fixed"),
        Scenario(name="±1 day", date_flexibility_days=1),
        Scenario(name="greedy", solver="greedy"),
    ]
    table = compare(three_days, scenarios, time_limit=1)
    assert list(table.index) == ["fixed", "±1 day", "greedy"]
    assert list(table.columns) == list(COLUMNS)
    assert table.loc["fixed", "vehicles"] == 3
    assert table.loc["±1 day", "vehicles"] == 1
    assert table.loc["±1 day", "people_per_vehicle"] == 3
    assert (table.vehicles >= table.vehicles_lower_bound).all()
    assert (table.served_share == 1.0).all()


def test_compare_is_deterministic(three_days: list[Registration]) -> None:
    """The same inputs and seeds give the same table, but for the solve time."""
    scenarios = [Scenario(name="a"), Scenario(name="b", policy={"max_dropoffs": 1}, seed=3)]
    first, second = (compare(three_days, scenarios, time_limit=1) for _ in range(2))
    pd.testing.assert_frame_equal(
        first.drop(columns="solve_seconds"), second.drop(columns="solve_seconds")
    )


def test_scenario_policy_and_fleet_apply(three_days: list[Registration]) -> None:
    """Policy keys override the base policy; a scenario's fleet replaces the base fleet."""
    minibuses = Fleet.model_validate({"vehicle_types": [MINIBUS]})
    scenarios = [
        Scenario(name="minibus", fleet=minibuses),
        Scenario(name="minibus, no gap seat", fleet=minibuses, policy={"alternate_seating": False}),
    ]
    table = compare(three_days, scenarios, policy=Policy(max_load_factor=0.75), time_limit=1)
    assert table.loc["minibus", "mean_capacity"] == 8
    assert table.loc["minibus, no gap seat", "mean_capacity"] == 12  # 4 rows of 3, 75% cap 14


def test_compare_reads_a_table_and_stops_on_bad_rows(regs_csv: Path) -> None:
    """A path or DataFrame is read; a bad row stops the comparison unless keep_going."""
    with pytest.raises(InputError, match=r"row 5, column earliest_date"):
        compare(regs_csv, [Scenario(name="a")], time_limit=1)
    table = compare(regs_csv, [Scenario(name="a")], time_limit=1, keep_going=True)
    assert list(table.loc["a", ["registrations", "rejected", "people"]]) == [4, 1, 4]
    frame = pd.read_csv(regs_csv, dtype=str).iloc[:3]
    assert compare(frame, [Scenario(name="a")], time_limit=1).loc["a", "rejected"] == 0


def test_pickup_search_needs_a_table(three_days: list[Registration], regs_csv: Path) -> None:
    """Pickups are chosen on reading: changing their search distance needs the table."""
    scenario = Scenario(name="far", policy={"pickup_search_km": 50})
    with pytest.raises(InputError, match=r"scenario 'far': policy: pickup_search_km"):
        compare(three_days, [scenario], time_limit=1)
    plans = run_scenarios(regs_csv, [scenario], time_limit=1, keep_going=True)
    assert plans["far"].summary.registrations == 4


def test_scenario_names_must_be_unique(three_days: list[Registration]) -> None:
    """Two scenarios of one name would share a row: refused."""
    with pytest.raises(ValueError, match="named twice: a"):
        compare(three_days, [Scenario(name="a"), Scenario(name="a")])


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ({"max_load_facter": 0.7}, "unknown policy key 'max_load_facter' .*'max_load_factor'"),
        ({"max_load_factor": 2}, "max_load_factor: Input should be less than or equal to 1"),
        ({"max_dropoffs": "two"}, "max_dropoffs: Input should be a valid integer"),
    ],
)
def test_bad_policy_override_names_the_key(policy: dict[str, object], message: str) -> None:
    """A policy key that is unknown or has a bad value is refused, naming the key."""
    with pytest.raises(ValidationError, match=message):
        Scenario(name="x", policy=policy)


def test_override_against_base_policy_names_the_scenario() -> None:
    """Rules between keys are checked against the base policy, naming the scenario."""
    scenario = Scenario(name="nights", policy={"continuous_night_hours": 5})
    with pytest.raises(
        InputError, match=r"scenario 'nights': policy: continuous_night_hours is more"
    ):
        scenario.policy_for(Policy())
    assert scenario.policy_for(Policy(continuous_day_hours=6)).continuous_night_hours == 5


# date flexibility ----------------------------------------------------------------------------


def test_widen_windows_stays_inside_the_week(three_days: list[Registration]) -> None:
    """Windows widen by N days on both sides, clamped to the dates of the whole demand."""
    widened = widen_windows(three_days, 1)
    windows = [(r.earliest_date.day, r.latest_date.day) for r in widened]
    assert windows == [(21, 22), (21, 23), (22, 23)]
    assert [(r.earliest_date.day, r.latest_date.day) for r in widen_windows(three_days, 5)] == [
        (21, 23)
    ] * 3
    assert widened[1].registration_id == three_days[1].registration_id


def test_widen_windows_with_a_horizon_and_no_days(three_days: list[Registration]) -> None:
    """An explicit horizon wins but never narrows a window; 0 days changes nothing; negative
    days are refused."""
    horizon = (NOV - dt.timedelta(2), NOV + dt.timedelta(9))
    first = widen_windows(three_days, 2, horizon)[0]
    assert (first.earliest_date, first.latest_date) == (
        NOV - dt.timedelta(2),
        NOV + dt.timedelta(2),
    )
    assert widen_windows(three_days, 0) == tuple(three_days)
    narrow = (NOV + dt.timedelta(1), NOV + dt.timedelta(1))  # a horizon inside the windows
    windows = [
        (r.earliest_date.day, r.latest_date.day) for r in widen_windows(three_days, 1, narrow)
    ]
    assert windows == [(21, 22), (22, 22), (22, 23)]  # widened up to it, never narrowed
    with pytest.raises(ValueError, match="0 or more"):
        widen_windows(three_days, -1)


# the scenarios file --------------------------------------------------------------------------


def test_sample_scenarios_file() -> None:
    """The shipped file holds the notebook's scenarios."""
    scenarios = load_scenarios(SAMPLE / "scenarios.yaml")
    assert [s.name for s in scenarios] == [
        "direct only",
        "load 75%",
        "1 drop-off",
        "2 drop-offs",
        "±1 day",
        "hubs",
        "hubs + rail",
        "hubs ±1 day",
    ]
    assert scenarios[1].policy == {"transfers": False, "max_load_factor": 0.75}
    assert scenarios[4].date_flexibility_days == 1
    assert scenarios[5].policy == {} == scenarios[7].policy  # the sample policy: transfers on
    assert scenarios[6].policy == {"rail": True}
    rail = scenarios[6].fleet
    assert rail is not None and rail.by_name("rail-yz25").count == 40


def test_scenario_fleet_from_a_file_or_inline(tmp_path: Path) -> None:
    """`fleet` names a file beside the scenarios file, or is given inline."""
    (tmp_path / "small.yaml").write_text(f"vehicle_types: [{MINIBUS}]", encoding="utf-8")
    path = tmp_path / "scenarios.yaml"
    path.write_text(
        f"scenarios:\n  - name: file\n    fleet: small.yaml\n"
        f"  - name: inline\n    fleet: {{vehicle_types: [{MINIBUS}]}}\n    time_limit: 2\n",
        encoding="utf-8",
    )
    by_file, inline = load_scenarios(path)
    assert by_file.fleet == inline.fleet
    assert inline.fleet is not None and inline.fleet.vehicle_types[0].name == "minibus-19"
    assert inline.time_limit == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scenarios: []", "a scenarios file holds one key, 'scenarios': a list"),
        ("- name: a", "a scenarios file holds one key, 'scenarios': a list"),
        ("scenarios:\n  - just text", "scenario 1: give an object of keys"),
        ("scenarios:\n  - policy: {max_dropoffs: 1}", "scenario 1: name: Field required"),
        (
            "scenarios:\n  - name: a\n    polcy: {max_dropoffs: 1}",
            "scenario 1 'a': polcy: unknown key 'polcy' (did you mean 'policy'?)",
        ),
        (
            "scenarios:\n  - name: a\n  - name: b\n    policy: {max_load: 0.6}",
            "scenario 2 'b': policy: unknown policy key 'max_load' "
            "(did you mean 'max_load_factor'?)",
        ),
        (
            "scenarios:\n  - name: a\n    policy: {max_load_factor: 1.5}",
            "scenario 1 'a': policy: max_load_factor: Input should be less than or equal to 1",
        ),
        (
            "scenarios:\n  - name: a\n    date_flexibility_days: -1",
            "scenario 1 'a': date_flexibility_days: Input should be greater than or equal to 0",
        ),
        (
            "scenarios:\n  - name: a\n    solver: fast",
            "scenario 1 'a': solver: Input should be 'consolidate' or 'greedy'",
        ),
        (
            "scenarios:\n  - name: a\n    fleet: missing.yaml",
            "scenario 1 'a': fleet: " + "{tmp}/missing.yaml: cannot read the file",
        ),
        (
            "scenarios:\n  - name: a\n  - name: a",
            "scenario 2 'a': the name is used twice (first by scenario 1)",
        ),
    ],
)
def test_scenarios_file_errors(tmp_path: Path, text: str, message: str) -> None:
    """Each problem of a scenarios file names the file, the scenario and the key."""
    path = tmp_path / "scenarios.yaml"
    path.write_text(text + "\n", encoding="utf-8")
    message = message.replace("{tmp}", str(tmp_path))
    with pytest.raises(InputError) as raised:
        load_scenarios(path)
    assert len(raised.value.issues) == 1
    assert raised.value.issues[0].source == str(path)
    assert message in raised.value.issues[0].message


# the command line ----------------------------------------------------------------------------


def _scenarios_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenarios.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_compare_prints_and_writes_the_table(
    regs_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`pointplan compare` prints the table and writes compare.csv and compare.xlsx."""
    scenarios = _scenarios_file(
        tmp_path, "scenarios:\n  - name: base\n  - name: ±1 day\n    date_flexibility_days: 1\n"
    )
    out = tmp_path / "out"
    args = ["compare", str(regs_csv), "--scenarios", str(scenarios), "--out", str(out)]
    code = main([*args, "--time-limit", "1", "--workers", "1", "--keep-going", "--seed", "2"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "vehicles_lower_bound" in printed and "±1 day" in printed
    table = pd.read_csv(out / "compare.csv", index_col="scenario")
    assert list(table.index) == ["base", "±1 day"]
    assert table.loc["base", "rejected"] == 1
    assert (out / "compare.xlsx").stat().st_size > 0


def test_cli_compare_bad_input_exits_2(
    regs_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad row (without --keep-going) or a bad scenarios file: exit 2, with the message."""
    good = _scenarios_file(tmp_path, "scenarios:\n  - name: base\n")
    out = tmp_path / "out"
    assert main(["compare", str(regs_csv), "--scenarios", str(good), "--out", str(out)]) == 2
    assert "regs.csv, row 5, column earliest_date" in capsys.readouterr().err
    assert not out.exists()
    bad = _scenarios_file(tmp_path, "scenarios:\n  - name: base\n    policy: {max_pickup: 2}\n")
    assert main(["compare", str(regs_csv), "--scenarios", str(bad), "--keep-going"]) == 2
    assert "unknown policy key 'max_pickup' (did you mean 'max_pickups'?)" in (
        capsys.readouterr().err
    )


# charts --------------------------------------------------------------------------------------


@pytest.fixture
def two_way_plan(make_registration: RegistrationFactory, fleet: Fleet, policy: Policy) -> Plan:
    """Trips both ways on the 21st and the 23rd, none on the 22nd."""
    regs = [
        make_registration(earliest_date=day, latest_date=day, direction=direction, origin=origin)
        for day in (NOV, NOV + dt.timedelta(2))
        for direction, origin in (("return_to_work", TUZUOQI), ("return_home", BAOTOU))
    ]
    return solve(Problem(tuple(regs), fleet, policy), solver="greedy")


def test_vehicles_per_day_has_a_bar_a_day_each_way(two_way_plan: Plan) -> None:
    """Two stacked series (one per direction), a bar for every day, the empty day too."""
    ax = vehicles_per_day(two_way_plan)
    assert [len(bars) for bars in ax.containers] == [3, 3]
    heights = [bar.get_height() for bars in ax.containers for bar in bars]
    assert sum(heights) == len(two_way_plan.trips) == 4
    assert [label.get_text() for label in ax.get_xticklabels()][1] == "11-22 Tue"


def test_load_histogram_marks_the_cap(two_way_plan: Plan, fleet: Fleet, policy: Policy) -> None:
    """With the fleet, loads are over rated seats and the cap is drawn; without, over capacity."""
    ax = load_histogram(two_way_plan, fleet, policy, bins=10)
    assert len(ax.patches) == 10
    heights = [patch.get_height() for patch in ax.patches]  # type: ignore[attr-defined]
    assert sum(heights) == len(two_way_plan.trips)
    assert list(ax.lines[0].get_xdata()) == [0.5, 0.5]  # type: ignore[arg-type]
    without_fleet = load_histogram(two_way_plan).lines[0].get_xdata()
    assert list(without_fleet) == [1.0, 1.0]  # type: ignore[arg-type]


def test_comparison_chart_draws_chinese_names() -> None:
    """Vehicles and bound bars for each scenario; Chinese names render without a warning."""
    table = pd.DataFrame(
        {"vehicles": [12, 9], "vehicles_lower_bound": [10, 9], "distance_km": [900.0, 700.0]},
        index=pd.Index(["基线", "±1 天"], name="scenario"),
    )
    ax = comparison_chart(table)
    assert [len(bars) for bars in ax.containers] == [2, 2]
    assert [label.get_text() for label in ax.get_xticklabels()] == ["基线", "±1 天"]
    assert ax.get_xticklabels()[0].get_fontfamily() == list(font_families())
    ax.figure.savefig(io.BytesIO(), format="png")  # type: ignore[union-attr]  # a missing glyph would warn: an error here
    assert font_families()[0] == "DejaVu Sans" and len(font_families()) > 1


def test_load_histogram_names_a_vehicle_type_missing_from_the_fleet(
    fleet: Fleet, policy: Policy, make_registration: RegistrationFactory
) -> None:
    """A fleet that lacks a vehicle type of the plan is a clear error, not a KeyError."""
    plan = solve(Problem((make_registration(),), fleet, policy), time_limit=1)
    other = Fleet(vehicle_types=(VehicleType(name="van", layout=("AB",), rated_seats=2),))
    with pytest.raises(ValueError, match="no vehicle type"):
        load_histogram(plan, other, policy)

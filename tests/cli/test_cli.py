"""The command line: `pointplan plan` and `pointplan sample`, their output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pointplan.cli import main
from pointplan.domain import Plan
from pointplan.io import read_points, read_registrations
from pointplan.io.config import default_fleet, load_policy
from tests.conftest import ROOT, assert_valid_plan

HEADER = "registration_id,direction,origin,destination,earliest_date,latest_date,party_size"


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    """Four good rows and one with a bad date."""
    path = tmp_path / "regs.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                "A1,return_to_work,150121,150203,2022-11-21,2022-11-22,2",
                "A2,return_to_work,土默特左旗,包头市昆都仑区,2022-11-22,2022-11-22,1",
                "A3,return_home,150203,150121,2022-11-21,2022-11-21,1",
                "A4,return_home,150203,150121,2022-11-30,2022-11-21,1",
                "A5,返岗,150121,150203,2022-11-21,2022-11-21,3",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return path


def test_bad_row_stops_with_exit_2_and_names_it(
    small_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --keep-going a bad row stops the run: exit 2, row and column named, no plan."""
    code = main(["plan", str(small_csv), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "regs.csv, row 5, column earliest_date: after latest_date" in err
    assert not (tmp_path / "out" / "plan.json").exists()


def test_keep_going_plans_the_rest_and_lists_rejected(
    small_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --keep-going the bad row lands in 'rejected' and everyone else is planned."""
    out = tmp_path / "out"
    assert main(["plan", str(small_csv), "--out", str(out), "--keep-going", "--no-pdf"]) == 0
    printed = capsys.readouterr().out
    assert "vehicles" in printed and "lower bound" in printed
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["rejected"] == [
        {
            "row": 5,
            "registration_id": "A4",
            "reason": "earliest_date: after latest_date",
        }
    ]
    batch = read_registrations(small_csv)
    assert_valid_plan(
        Plan.model_validate(plan),
        batch.registrations,
        default_fleet(),
        load_policy(None),
        rejected_rows=1,
    )
    assert plan["summary"]["registrations"] == 5


def test_plan_json_has_the_contract_fields(small_csv: Path, tmp_path: Path) -> None:
    """plan.json carries every field interchange.md names, with the right types."""
    out = tmp_path / "out"
    main(["plan", str(small_csv), "--out", str(out), "--keep-going", "--no-pdf"])
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert set(plan) == {"summary", "trips", "unassigned", "rejected"}
    assert {
        "registrations",
        "passengers",
        "served_passengers",
        "vehicles",
        "vehicles_lower_bound",
        "stops",
        "distance_km",
        "cost",
        "solve_seconds",
    } <= set(plan["summary"])
    trip = plan["trips"][0]
    assert {
        "trip_id",
        "direction",
        "date",
        "departure",
        "vehicle_type",
        "layout",
        "capacity",
        "stops",
        "seats",
        "passengers",
        "distance_km",
    } <= set(trip)
    assert {"kind", "place", "lat", "lon", "registrations"} <= set(trip["stops"][0])
    assert set(trip["seats"][0]) >= {"row", "seat", "registration_id"}
    assert len(trip["date"]) == 10 and len(trip["departure"]) == 5


def test_bad_policy_file_exits_2(
    small_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A misspelled policy key stops the run with exit 2 and names the key."""
    policy = tmp_path / "policy.yaml"
    policy.write_text("max_pickup: 2\n", encoding="utf-8")
    assert main(["plan", str(small_csv), "--policy", str(policy)]) == 2
    assert "unknown key 'max_pickup' (did you mean 'max_pickups'?)" in capsys.readouterr().err


def test_internal_fault_exits_1(
    small_csv: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An unexpected fault is exit 1 with a one-line message, not a traceback."""
    import pointplan.cli.plan

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(pointplan.cli.plan, "solve", broken)
    code = main(["plan", str(small_csv), "--keep-going", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 1 and "internal error: RuntimeError: boom" in err and "Traceback" not in err


def test_help_lists_commands_and_options(capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m pointplan --help` lists the commands; `pointplan plan --help` the options."""
    top = subprocess.run(
        [sys.executable, "-m", "pointplan", "--help"], capture_output=True, text=True, check=True
    )
    assert "plan" in top.stdout and "sample" in top.stdout
    with pytest.raises(SystemExit) as done:  # the sub-command's help, in this process
        main(["plan", "--help"])
    assert done.value.code == 0
    plan_help = capsys.readouterr().out
    for option in ("--fleet", "--policy", "--points", "--time-limit", "--out", "--keep-going"):
        assert option in plan_help


def test_sample_command_is_reproducible(tmp_path: Path) -> None:
    """The same size and seed write the same files; the rows are all valid."""
    for name in ("a", "b"):
        assert main(["sample", "--size", "200", "--seed", "7", "--out", str(tmp_path / name)]) == 0
    for file in ("registrations.csv", "points.csv"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    points = read_points(tmp_path / "a" / "points.csv")
    batch = read_registrations(tmp_path / "a" / "registrations.csv", points=points)
    assert batch.rejected == () and len(batch.registrations) == 200


def test_plan_json_round_trips(small_csv: Path, tmp_path: Path) -> None:
    """Reading plan.json and writing it again gives the same bytes."""
    out = tmp_path / "out"
    main(["plan", str(small_csv), "--out", str(out), "--keep-going", "--no-pdf"])
    text = (out / "plan.json").read_text(encoding="utf-8")
    assert Plan.from_json(text).to_json() == text
    assert "土默特左旗" in text  # Chinese is written as text, not \\u escapes


def test_same_command_same_plan_json(small_csv: Path, tmp_path: Path) -> None:
    """Running the same command twice writes the same plan.json apart from solve_seconds."""
    texts = []
    for name in ("a", "b"):
        main(
            [
                "plan",
                str(small_csv),
                "--out",
                str(tmp_path / name),
                "--keep-going",
                "--no-pdf",
                "--seed",
                "5",
            ]
        )
        data = json.loads((tmp_path / name / "plan.json").read_text(encoding="utf-8"))
        data["summary"].pop("solve_seconds")
        texts.append(data)
    assert texts[0] == texts[1]


@pytest.mark.parametrize(
    ("policy_text", "fleet_text", "pattern"),
    [
        ("reserved_rear_rows: 100\n", None, "no vehicle type can carry a passenger"),
        ("max_load_factor: 0.01\n", None, "load cap leave no seat"),
        (
            None,
            "vehicle_types:\n  - {name: a, layout: ['AB'], rated_seats: 2, count: 0}\n",
            "every road vehicle type has count 0",
        ),
    ],
)
def test_a_fleet_that_can_carry_nobody_is_bad_input(
    small_csv: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    policy_text: str | None,
    fleet_text: str | None,
    pattern: str,
) -> None:
    """A policy or fleet under which no seat can be sold stops with exit 2 and says why."""
    args = ["plan", str(small_csv), "--keep-going", "--out", str(tmp_path / "o")]
    if policy_text:
        (tmp_path / "p.yaml").write_text(policy_text, encoding="utf-8")
        args += ["--policy", str(tmp_path / "p.yaml")]
    if fleet_text:
        (tmp_path / "f.yaml").write_text(fleet_text, encoding="utf-8")
        args += ["--fleet", str(tmp_path / "f.yaml")]
    assert main(args) == 2
    assert pattern in capsys.readouterr().err


def test_readme_python_example_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's Python example, as written there, plans the sample week."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("From Python")[1].split("```python\n")[1].split("```")[0]
    monkeypatch.chdir(ROOT)
    namespace: dict[str, Any] = {}
    exec(compile(example, "README.md", "exec"), namespace)
    plan, problem = namespace["plan"], namespace["problem"]
    assert plan.summary.registrations == 3000
    assert "served_passengers" in capsys.readouterr().out
    assert_valid_plan(plan, problem.registrations, problem.fleet, problem.policy)


def test_a_misspelt_column_is_bad_input(
    small_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A misspelt optional column would make every party 1: exit 2 naming the column, with
    or without --keep-going, and no plan."""
    text = small_csv.read_text(encoding="utf-8").replace("party_size", "party_sise", 1)
    small_csv.write_text(text, encoding="utf-8")
    for extra in ([], ["--keep-going"]):
        out = tmp_path / f"out{len(extra)}"
        assert main(["plan", str(small_csv), "--out", str(out), *extra]) == 2
        err = capsys.readouterr().err
        assert "unknown column(s): party_sise (did you mean 'party_size'?)" in err
        assert not (out / "plan.json").exists()


def test_workers_below_one_is_bad_input(
    small_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """argparse refuses it with exit 2 and says which argument."""
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        main(["plan", str(small_csv), "--keep-going", "--workers", "0", "--out", str(out)])
    assert exit_info.value.code == 2
    assert "argument --workers: must be at least 1" in capsys.readouterr().err


def test_progress_bar_counts_parts_and_shows_vehicles_and_bound(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from pointplan.cli.plan import ProgressBar
    from pointplan.stop import Progress

    with ProgressBar(enabled=True) as bar:
        bar.update(Progress(0.5, vehicles=12, lower_bound=10, parts_done=1, parts_total=3))
        bar.update(Progress(1.5, vehicles=11, lower_bound=10, parts_done=3, parts_total=3))
    err = capsys.readouterr().err
    assert "searching parts" in err and "3/3" in err and "vehicles=11" in err
    with ProgressBar(enabled=False) as quiet:
        quiet.update(Progress(0.5, vehicles=12, lower_bound=10, parts_done=1, parts_total=3))
    assert capsys.readouterr().err == ""

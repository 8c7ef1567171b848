"""Planning on a Dask cluster: the same plan.json as on one process and on the process pool,
even when a worker is killed mid-run."""

from __future__ import annotations

import json
import os
import re
import signal
from typing import Any

import pytest

from pointplan.builder import build_problem
from pointplan.cluster import ClusterExecutor, ClusterUnreachable, open_cluster
from pointplan.io import read_points
from pointplan.problem import Problem
from pointplan.solve import solve
from pointplan.stop import Progress
from pointplan.synthetic import make_week

BUDGET = 2.0
"""Solver seconds: the comparisons need the same search, not a long one."""


def without_timing(text: str) -> dict[str, Any]:
    """plan.json without its one timing field."""
    data: dict[str, Any] = json.loads(text)
    data["summary"].pop("solve_seconds")
    return data


@pytest.fixture(scope="module")
def week_20k(tmp_path_factory: pytest.TempPathFactory) -> Problem:
    """A synthetic week of 20,000 registrations."""
    folder = tmp_path_factory.mktemp("week")
    week = make_week(20_000, seed=3)
    week.registrations.to_csv(folder / "registrations.csv", index=False)
    week.points.to_csv(folder / "points.csv", index=False)
    points = read_points(folder / "points.csv")
    return build_problem(folder / "registrations.csv", points=points)


@pytest.fixture(scope="module")
def one_process(week_20k: Problem) -> dict[str, Any]:
    """The 20k week's plan.json made on one process."""
    return without_timing(solve(week_20k, time_limit=BUDGET, workers=1).to_json())


def test_20k_week_same_plan_on_pool_and_local_cluster(
    week_20k: Problem, one_process: dict[str, Any]
) -> None:
    """The process pool and a local Dask cluster give the plan of one process, field for
    field but the timing."""
    pooled = solve(week_20k, time_limit=BUDGET, workers=2)
    assert without_timing(pooled.to_json()) == one_process
    with open_cluster("local", workers=2) as executor:
        assert executor.workers == 2
        clustered = solve(week_20k, time_limit=BUDGET, executor=executor)
    assert without_timing(clustered.to_json()) == one_process
    assert one_process["summary"]["vehicles"] >= one_process["summary"]["vehicles_lower_bound"]


def test_a_worker_killed_mid_run_costs_only_its_parts(
    week_20k: Problem, one_process: dict[str, Any]
) -> None:
    """SIGKILL one of the cluster's worker processes after the first part comes back: Dask
    runs its parts again on the workers left (and the worker it restarts), and the plan is
    the one-process plan."""
    killed: list[int] = []

    with open_cluster("local", workers=2) as executor:
        before = executor.worker_pids()

        def kill_one(progress: Progress) -> None:
            if not killed:
                victim = sorted(before.values())[0]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)

        clustered = solve(week_20k, time_limit=BUDGET, executor=executor, on_progress=kill_one)
        after = executor.worker_pids()
    assert killed and killed[0] not in after.values(), "the worker was killed and replaced"
    assert without_timing(clustered.to_json()) == one_process


def test_no_scheduler_is_said_plainly() -> None:
    """An address where no scheduler answers is refused with the address, not a hang."""
    address = "tcp://127.0.0.1:1"
    with pytest.raises(ClusterUnreachable, match=re.escape(address)), open_cluster(address):
        pass


def test_executor_keeps_the_items_order() -> None:
    """Results come back in the items' order whichever worker finishes first."""
    with open_cluster("local", workers=2) as executor:
        assert isinstance(executor, ClusterExecutor)
        got = list(executor.ordered_map(_slow_square, 0.01, [5, 1, 4, 2, 3]))
    assert got == [25, 1, 16, 4, 9]


def _slow_square(pause: float, item: int) -> int:
    import time

    time.sleep(pause * item)
    return item * item

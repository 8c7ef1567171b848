"""Stopping criteria compose and say when to stop."""

from __future__ import annotations

import pytest

from pointplan.stop import AnyOf, GapReached, MaxRuntime, NoImprovement, Progress


def test_each_criterion() -> None:
    """Time, stagnation and gap each stop at their own threshold."""
    assert not MaxRuntime(10).should_stop(Progress(elapsed=9.9))
    assert MaxRuntime(10).should_stop(Progress(elapsed=10))
    assert NoImprovement(5).should_stop(Progress(elapsed=50, since_improvement=5))
    assert not GapReached(0.03).should_stop(Progress(elapsed=1))
    assert GapReached(0.03).should_stop(Progress(elapsed=1, vehicles=103, lower_bound=100))
    assert not GapReached(0.03).should_stop(Progress(elapsed=1, vehicles=104, lower_bound=100))


def test_any_of_takes_the_first_and_the_tightest_limit() -> None:
    """AnyOf stops when one criterion does, and its time limit is the smallest one."""
    stop = AnyOf((MaxRuntime(60), GapReached(0.0), MaxRuntime(30)))
    assert stop.time_limit() == 30
    assert stop.should_stop(Progress(elapsed=1, vehicles=5, lower_bound=5))
    assert not stop.should_stop(Progress(elapsed=1, vehicles=6, lower_bound=5))


def test_runtime_must_be_positive() -> None:
    """A zero or negative runtime is refused."""
    with pytest.raises(ValueError, match="more than 0"):
        MaxRuntime(0)

"""Stopping criteria for searching solvers: small composable objects, not keyword piles.

A criterion looks at the search's `Progress` and says whether to stop. `MaxRuntime` also
tells a solver how much time it may hand out to the parts of a problem.

Search time is counted in *search seconds*: the solver work handed out so far, each second
being the CP-SAT work that takes about one wall second on the reference machine
(`pointplan.solvers.budget`). The clock never decides what is searched, so the same input and
seed give the same plan on any machine; a wall-clock guard far beyond the budget stops only
a much slower machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Progress:
    """Where a search stands: search seconds spent (`elapsed`, solver work handed out, not
    the clock), best vehicles found, best lower bound, search seconds since the plan last
    improved, and how many of the parts to search are done."""

    elapsed: float
    vehicles: int | None = None
    lower_bound: int = 0
    since_improvement: float = 0.0
    parts_done: int = 0
    parts_total: int = 0


class StoppingCriterion(Protocol):
    """Says when a search should stop."""

    def should_stop(self, progress: Progress) -> bool:
        """True once the search should stop."""
        ...

    def time_limit(self) -> float | None:
        """The search seconds this criterion allows at most (None: no limit of its own)."""
        ...


@dataclass(frozen=True)
class MaxRuntime:
    """Stop once `seconds` of search are spent (search seconds: solver work, see above)."""

    seconds: float

    def __post_init__(self) -> None:
        if self.seconds <= 0:
            raise ValueError("MaxRuntime needs more than 0 seconds")

    def should_stop(self, progress: Progress) -> bool:
        """True once the time is spent."""
        return progress.elapsed >= self.seconds

    def time_limit(self) -> float | None:
        """The seconds allowed."""
        return self.seconds


@dataclass(frozen=True)
class NoImprovement:
    """Stop when the best plan has not improved for `seconds` of search."""

    seconds: float

    def should_stop(self, progress: Progress) -> bool:
        """True after `seconds` without a better plan."""
        return progress.since_improvement >= self.seconds

    def time_limit(self) -> float | None:
        """No limit of its own."""
        return None


@dataclass(frozen=True)
class GapReached:
    """Stop when vehicles are within `gap` (relative) of the lower bound; 0 means proven."""

    gap: float = 0.0

    def should_stop(self, progress: Progress) -> bool:
        """True once vehicles <= lower bound x (1 + gap)."""
        if progress.vehicles is None:
            return False
        return progress.vehicles <= progress.lower_bound * (1 + self.gap)

    def time_limit(self) -> float | None:
        """No limit of its own."""
        return None


@dataclass(frozen=True)
class AnyOf:
    """Stop as soon as any of the criteria says so."""

    criteria: tuple[StoppingCriterion, ...]

    def should_stop(self, progress: Progress) -> bool:
        """True when one criterion is met."""
        return any(c.should_stop(progress) for c in self.criteria)

    def time_limit(self) -> float | None:
        """The tightest time limit among the criteria."""
        limits = [t for c in self.criteria if (t := c.time_limit()) is not None]
        return min(limits, default=None)

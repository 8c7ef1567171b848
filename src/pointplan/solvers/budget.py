"""The search budget: seconds a planner may spend, counted as solver work, not on the clock.

A budget of S seconds is spent as CP-SAT work (deterministic time) at a calibrated rate, so that
the same input and seed give the same plan on any machine and under any load: with
`DETERMINISTIC_PER_SECOND` a budget of S takes about S seconds of wall time on the sample week
on the 2-core reference machine, model building and pattern enumeration included. A wall-clock
deadline far beyond that (3 x S + 30 s) is the guard that only a much slower or overloaded
machine reaches; before it, nothing depends on timing. Each part's exact search starts its own
guard for its own share, where it starts (on whichever process or machine runs it): the time
the sweep, the routing and the other parts took, which grows with the problem and the load
rather than the budget, never counts against it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from pointplan.solvers.ortools_adapter import WorkLimit

DEFAULT_SECONDS = 10.0
"""The search budget when none is given (`solve`, `compare`)."""
DETERMINISTIC_PER_SECOND = 0.075
"""CP-SAT deterministic time per budgeted second (see the module's description)."""


def wall_guard_seconds(seconds: float) -> float:
    """The wall-clock guard of a search of `seconds`: 3 x seconds + 30 s."""
    return 3 * seconds + 30


@dataclass(frozen=True)
class Budget:
    """`seconds` of search, and the wall-clock `deadline` (a `time.time()` value of the
    process that searches, or None for none) that stops it on a machine much slower than the
    reference."""

    seconds: float
    deadline: float | None = None

    @classmethod
    def starting_now(cls, seconds: float) -> Budget:
        """A budget of `seconds` whose wall-clock guard is 3 x seconds + 30 s from now."""
        return cls(seconds, time.time() + wall_guard_seconds(seconds))

    def part(self, seconds: float) -> Budget:
        """`seconds` of this budget, under the same deadline."""
        return replace(self, seconds=seconds)

    def cp_limit(self) -> WorkLimit:
        """The CP-SAT limit that spends these seconds: their deterministic work, never past
        the deadline (without one, a guard of 10 x seconds + 5 s)."""
        return WorkLimit.until(
            max(0.005, self.seconds * DETERMINISTIC_PER_SECOND),
            self.deadline,
            10 * self.seconds + 5,
        )

    @property
    def expired(self) -> bool:
        """The wall-clock deadline has passed."""
        return self.deadline is not None and time.time() >= self.deadline

    @staticmethod
    def seconds_in(deterministic_time: float) -> float:
        """The budgeted seconds that `deterministic_time` of CP-SAT work stands for."""
        return deterministic_time / DETERMINISTIC_PER_SECOND

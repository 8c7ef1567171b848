"""The planners by name: what `solve()`, the command line and scenarios choose from."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Literal, Protocol

from pointplan.domain.plan import Plan
from pointplan.parallel import Workers
from pointplan.problem import Problem
from pointplan.solvers.consolidate import solve_consolidated
from pointplan.solvers.greedy import solve_greedy
from pointplan.stop import Progress, StoppingCriterion

SolverName = Literal["consolidate", "greedy"]
DEFAULT_SOLVER: SolverName = "consolidate"


class Solver(Protocol):
    """A planner: a problem in, a plan out; the same problem and seed give the same plan."""

    def __call__(
        self,
        problem: Problem,
        *,
        seed: int = 0,
        stop: StoppingCriterion | None = None,
        workers: Workers | None = None,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> Plan: ...


SOLVERS: Mapping[SolverName, Solver] = MappingProxyType(
    {"consolidate": solve_consolidated, "greedy": solve_greedy}
)
"""Every planner by name: `consolidate` (the default) and `greedy` (the baseline)."""


def solver_named(name: str) -> Solver:
    """The planner called `name`; ValueError naming the choices when there is none."""
    try:
        return SOLVERS[name]  # type: ignore[index]
    except KeyError:
        raise ValueError(f"unknown solver {name!r}; choose from {sorted(SOLVERS)}") from None

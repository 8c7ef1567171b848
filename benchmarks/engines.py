"""Dask or Ray: the same week's parts searched on each engine's local cluster, side by side.

Each engine runs in a fresh process on the 20k synthetic week (default fleet and policy, the
same budget and seed): the engine's start-up, the search's wall time, the plan's equality to
the process pool's, the peak memory of the driver. Ray is not a dependency of pointplan
(docs/campaign.md, "Why Dask, not Ray"); this benchmark needs `pip install ray`.

    python -m benchmarks.engines --size 20000 --time-limit 5
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Generator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from benchmarks.results import machine_line, replace_section

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("pool", "dask", "ray")
HEADING = "## Dask or Ray: one week's parts on each engine"
Context = TypeVar("Context")
Item = TypeVar("Item")
Result = TypeVar("Result")


class RayExecutor:
    """`pointplan.parallel.Executor` on Ray: the context put in the object store once, a
    task per item (retried on a lost worker), results in the items' order."""

    def __init__(self) -> None:
        import ray

        self.ray = ray

    def ordered_map(
        self,
        function: Callable[[Context, Item], Result],
        context: Context,
        items: Sequence[Item],
    ) -> Generator[Result, None, None]:
        """`function(context, item)` for every item, in order."""
        ray = self.ray
        shared = ray.put(context)
        task = ray.remote(num_cpus=1, max_retries=3)(function)
        refs = [task.remote(shared, item) for item in items]
        try:
            for ref in refs:
                yield ray.get(ref)
        finally:
            for ref in refs:
                ray.cancel(ref)


def run_one(engine: str, size: int, time_limit: float, seed: int) -> dict[str, Any]:
    """Search the week on `engine` in this process; its figures and plan digest."""
    import hashlib

    from benchmarks.scale import week_problem
    from pointplan.solve import solve

    problem = week_problem(size, seed)
    began = time.perf_counter()
    if engine == "pool":
        started = time.perf_counter()
        plan = solve(problem, seed=seed, time_limit=time_limit, workers=2)
    elif engine == "dask":
        from pointplan.cluster import open_cluster

        with open_cluster("local", workers=2) as executor:
            started = time.perf_counter()
            plan = solve(problem, seed=seed, time_limit=time_limit, executor=executor)
    else:
        import ray

        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        started = time.perf_counter()
        plan = solve(problem, seed=seed, time_limit=time_limit, executor=RayExecutor())
        ray.shutdown()
    finished = time.perf_counter()
    data = json.loads(plan.to_json())
    data["summary"].pop("solve_seconds")
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]
    return {
        "engine": engine,
        "start_s": round(started - began, 1),
        "search_s": round(finished - started, 1),
        "vehicles": plan.summary.vehicles,
        "plan": digest,
        "driver_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def main() -> None:
    """Each engine in its own process, one after another; the table to RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--run", choices=ENGINES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run_one(args.run, args.size, args.time_limit, args.seed)))
        return
    rows = []
    for engine in ENGINES:
        command = [
            *(sys.executable, "-m", "benchmarks.engines", "--run", engine),
            *("--size", str(args.size), "--time-limit", str(args.time_limit)),
            *("--seed", str(args.seed)),
        ]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    pool = rows[0]
    lines = [
        HEADING,
        "",
        machine_line(),
        f"Command: `python -m benchmarks.engines --size {args.size} --time-limit "
        f"{args.time_limit:g}` (each engine in a fresh process, 2 workers of 1 thread; the "
        "20k synthetic week's parts; the same plan is the same digest of plan.json without "
        "its timing field).",
        "",
        "| engine | start s | search s | search / pool | vehicles | plan | same as pool "
        "| driver peak MB |",
        "|---|---:|---:|---:|---:|---|---|---:|",
        *(
            f"| {r['engine']} | {r['start_s']} | {r['search_s']} | "
            f"{r['search_s'] / pool['search_s']:.2f} | {r['vehicles']:,} | {r['plan']} | "
            f"{'yes' if r['plan'] == pool['plan'] else 'NO'} | {r['driver_peak_mb']:,} |"
            for r in rows
        ),
        "",
    ]
    replace_section(HEADING, "\n".join(lines))


if __name__ == "__main__":
    main()

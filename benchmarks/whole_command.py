"""The whole default command on a synthetic week: from reading to every export it writes.

Makes the week with `pointplan sample --size N --seed 2`, then runs `pointplan plan` with the
default fleet, policy and `--time-limit` in a fresh process `--runs` times, each under
/usr/bin/time -v. Reported per run: the wall time of the process (start-up included), the
stages the command prints (reading, planning, writing), and the largest resident memory of
the command's processes (the main one or a worker, whichever peaked higher).

    python -m benchmarks.whole_command --size 20000 --runs 3
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.results import machine_line, replace_section

STAGES = re.compile(r"reading ([\d.]+) s, planning ([\d.]+) s, writing ([\d.]+) s")


def one_run(week: Path, out: Path) -> dict[str, float]:
    """Run the default command once; its wall time, stages and peak memory."""
    command = [
        "/usr/bin/time", "-v", sys.executable, "-m", "pointplan", "plan",
        str(week / "registrations.csv"), "--points", str(week / "points.csv"), "--out", str(out),
        "--no-progress",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    report = done.stdout + done.stderr
    stages = STAGES.search(report)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\d+):([\d.]+)", report)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
    if not (stages and wall and peak):
        raise RuntimeError(f"unexpected output:\n{report[-2000:]}")
    return {
        "wall": int(wall.group(1)) * 60 + float(wall.group(2)),
        "reading": float(stages.group(1)),
        "planning": float(stages.group(2)),
        "writing": float(stages.group(3)),
        "peak_mb": int(peak.group(1)) / 1024,
    }


def main() -> None:
    """Run the command and write the section of RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        week = Path(folder) / "week"
        subprocess.run(
            [sys.executable, "-m", "pointplan", "sample", "--size", str(args.size), "--seed",
             "2", "--out", str(week)],
            check=True, capture_output=True,
        )  # fmt: skip
        runs = []
        for number in range(args.runs):
            runs.append(one_run(week, Path(folder) / f"out{number}"))
            print(runs[-1], flush=True)
    lines = [
        "## The whole default command on the 20k week",
        "",
        machine_line(),
        f"Command: `python -m benchmarks.whole_command --size {args.size} --runs {args.runs}` "
        f"(`pointplan sample --size {args.size} --seed 2`, then `pointplan plan "
        "registrations.csv --points points.csv --out DIR` with the default fleet, policy and "
        "time limit, each run a fresh process under /usr/bin/time -v).",
        "",
        "| run | wall s (process) | reading s | planning s | writing s | peak MB (largest "
        "process) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for number, run in enumerate(runs, start=1):
        lines.append(
            f"| {number} | {run['wall']:.1f} | {run['reading']:.1f} | {run['planning']:.1f} "
            f"| {run['writing']:.1f} | {run['peak_mb']:,.0f} |"
        )
    median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    lines.append(
        f"| median | {median['wall']:.1f} | {median['reading']:.1f} | {median['planning']:.1f} "
        f"| {median['writing']:.1f} | {median['peak_mb']:,.0f} |"
    )
    replace_section("## The whole default command", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

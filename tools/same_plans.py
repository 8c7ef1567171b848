"""Do two revisions of pointplan make the same plans? plan.json byte for byte, timing aside.

A change meant to keep behaviour (a refactoring) must leave every plan as it was. This runs the
same inputs through an earlier revision (checked out in a temporary git worktree) and through
the working tree, in one run on one machine, and compares each plan.json with the one field
that depends on the clock (`summary.solve_seconds`) taken out:

- the shipped sample week with the sample fleet and policy (the README's main command), with
  both planners;
- the sample week with the default fleet, default policy and `--time-limit 20` (the exact model
  runs), with both planners;
- three generated weeks of 1,000, 3,000 and 5,000 registrations (`pointplan sample`, made by the
  earlier revision so both sides read the same files), with the default fleet and
  `--time-limit 20`, with both planners.

    python tools/same_plans.py --before 28fb9f2
    python tools/same_plans.py --before 28fb9f2 --cases sample-greedy-sample-fleet

Exit 0 when every plan is the same, 1 when one differs (the first differing lines are shown).
PDFs are not written (`--no-pdf`): they are laid out from plan.json.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
WEEKS = ((1000, 11), (3000, 12), (5000, 13))  # (size, seed) of the generated weeks


@dataclass(frozen=True)
class Case:
    """One plan to make on both sides: its name, its inputs and its options."""

    name: str
    registrations: str  # a file of sample_data, or "week-N" for a generated week
    options: tuple[str, ...]


def cases() -> list[Case]:
    """Every case, in the order they run."""
    sample_files = ("--fleet", str(SAMPLE / "fleet.yaml"), "--policy", str(SAMPLE / "policy.yaml"))
    found = []
    for solver in ("consolidate", "greedy"):
        found.append(
            Case(f"sample-{solver}-sample-fleet", "sample", (*sample_files, "--solver", solver))
        )
    for solver in ("consolidate", "greedy"):
        found.append(
            Case(
                f"sample-{solver}-default-fleet",
                "sample",
                ("--time-limit", "20", "--solver", solver),
            )
        )
    for size, _ in WEEKS:
        for solver in ("consolidate", "greedy"):
            found.append(
                Case(
                    f"week-{size}-{solver}",
                    f"week-{size}",
                    ("--time-limit", "20", "--solver", solver),
                )
            )
    return found


def pointplan(source: Path, *arguments: str) -> tuple[int, str, float]:
    """Run `python -m pointplan` from the `source` tree (its src/ first on the path); the exit
    code, stderr and wall seconds."""
    env = {**os.environ, "PYTHONPATH": str(source / "src")}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pointplan", *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stderr, time.perf_counter() - started


def normalised_plan(path: Path) -> str:
    """plan.json as text with `summary.solve_seconds` removed."""
    plan = json.loads(path.read_text(encoding="utf-8"))
    plan["summary"].pop("solve_seconds", None)
    return json.dumps(plan, ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    """Compare the plans of the chosen cases; 0 when every one is the same."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="the earlier revision (any git ref)")
    parser.add_argument("--cases", help="comma-separated case names (default: all)")
    parser.add_argument(
        "--work", type=Path, help="folder for the outputs (default: a temporary one)"
    )
    args = parser.parse_args()
    chosen = cases()
    if args.cases:
        names = set(args.cases.split(","))
        unknown = names - {case.name for case in chosen}
        if unknown:
            parser.error(f"unknown case(s): {', '.join(sorted(unknown))}")
        chosen = [case for case in chosen if case.name in names]
    with tempfile.TemporaryDirectory() as temporary:
        work = args.work or Path(temporary)
        before = work / "before-tree"
        subprocess.run(
            [
                "git",
                "-C",
                str(ROOT),
                "worktree",
                "add",
                "--detach",
                "--force",
                str(before),
                args.before,
            ],
            check=True,
            capture_output=True,
        )
        try:
            return compare(chosen, before, work)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)], check=False
            )


def compare(chosen: list[Case], before: Path, work: Path) -> int:
    """Plan every case on both sides and compare; the exit code."""
    inputs: dict[str, tuple[str, ...]] = {
        "sample": (str(SAMPLE / "registrations.csv"), "--points", str(SAMPLE / "points.csv"))
    }
    for size, seed in WEEKS:
        folder = work / f"week-{size}"
        if any(case.registrations == f"week-{size}" for case in chosen):
            code, err, _ = pointplan(
                before, "sample", "--size", str(size), "--seed", str(seed), "--out", str(folder)
            )
            if code != 0:
                print(f"week-{size}: the earlier revision could not generate it:\n{err}")
                return 1
        inputs[f"week-{size}"] = (
            str(folder / "registrations.csv"),
            "--points",
            str(folder / "points.csv"),
        )
    differing = 0
    print(f"{'case':<34} {'vehicles':>8} {'before s':>9} {'after s':>8}  same plan.json")
    for case in chosen:
        texts, seconds = [], []
        for side, tree in (("before", before), ("after", ROOT)):
            out = work / case.name / side
            code, err, wall = pointplan(
                tree,
                "plan",
                *inputs[case.registrations],
                *case.options,
                "--no-pdf",
                "--no-progress",
                "--out",
                str(out),
            )
            if code != 0:
                print(f"{case.name}: the {side} revision failed (exit {code}):\n{err}")
                return 1
            texts.append(normalised_plan(out / "plan.json"))
            seconds.append(wall)
        same = texts[0] == texts[1]
        vehicles = json.loads(texts[1])["summary"]["vehicles"]
        verdict = "yes" if same else "NO"
        print(f"{case.name:<34} {vehicles:>8} {seconds[0]:>9.1f} {seconds[1]:>8.1f}  {verdict}")
        if not same:
            differing += 1
            diff = difflib.unified_diff(
                texts[0].splitlines(), texts[1].splitlines(), "before", "after", lineterm="", n=2
            )
            print("\n".join(list(diff)[:40]))
    print("every plan is the same" if not differing else f"{differing} plan(s) differ")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())

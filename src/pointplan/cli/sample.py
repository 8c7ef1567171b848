"""`pointplan sample`: write a synthetic Inner Mongolia week."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pointplan.cli.common import EXIT_OK, positive_int


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the `sample` sub-command to `commands`."""
    sample = commands.add_parser(
        "sample",
        help="write a synthetic Inner Mongolia week",
        description="Write registrations.csv, points.csv and jobs.csv of a synthetic week "
        "with real county codes; the same size and seed give the same files.",
    )
    sample.add_argument(
        "--size", type=positive_int, default=3000, help="registrations (default 3000)"
    )
    sample.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    sample.add_argument("--out", type=Path, default=Path("sample_data"), metavar="DIR")
    sample.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write the sample week's files; the exit code."""
    from pointplan.synthetic import make_jobs, make_week

    week = make_week(args.size, seed=args.seed)
    jobs = make_jobs(seed=args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    week.registrations.to_csv(args.out / "registrations.csv", index=False)
    week.points.to_csv(args.out / "points.csv", index=False)
    jobs.to_csv(args.out / "jobs.csv", index=False)
    print(
        f"wrote {args.size} registrations, {len(week.points)} points and {len(jobs)} job "
        f"postings to {args.out}"
    )
    return EXIT_OK

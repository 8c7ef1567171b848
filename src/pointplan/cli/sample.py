"""`pointplan sample`: write a synthetic Inner Mongolia week, or a synthetic national campaign."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pointplan.cli.common import EXIT_OK, positive_int


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the `sample` sub-command to `commands`."""
    sample = commands.add_parser(
        "sample",
        help="write a synthetic Inner Mongolia week, or with --national a national campaign",
        description="Write registrations.csv, points.csv and jobs.csv of a synthetic week "
        "with real county codes; with --national, registrations (CSV, or Parquet with "
        "--parquet) and points.csv of a campaign where every mainland province sends and "
        "receives, written a chunk at a time. The same size and seed give the same files.",
    )
    sample.add_argument(
        "--size", type=positive_int, default=3000, help="registrations (default 3000)"
    )
    sample.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    sample.add_argument("--out", type=Path, default=Path("sample_data"), metavar="DIR")
    sample.add_argument(
        "--national",
        action="store_true",
        help="a national campaign (every province; millions of rows are fine)",
    )
    sample.add_argument(
        "--parquet",
        action="store_true",
        help="with --national: registrations.parquet instead of registrations.csv",
    )
    sample.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write the sample's files; the exit code."""
    args.out.mkdir(parents=True, exist_ok=True)
    if args.national:
        return _national(args)
    from pointplan.synthetic import make_jobs, make_week

    week = make_week(args.size, seed=args.seed)
    jobs = make_jobs(seed=args.seed)
    week.registrations.to_csv(args.out / "registrations.csv", index=False)
    week.points.to_csv(args.out / "points.csv", index=False)
    jobs.to_csv(args.out / "jobs.csv", index=False)
    print(
        f"wrote {args.size} registrations, {len(week.points)} points and {len(jobs)} job "
        f"postings to {args.out}"
    )
    return EXIT_OK


def _national(args: argparse.Namespace) -> int:
    from pointplan.national import national_points, write_registrations

    points = national_points(args.seed)
    points.to_csv(args.out / "points.csv", index=False)
    name = "registrations.parquet" if args.parquet else "registrations.csv"
    write_registrations(args.out / name, args.size, args.seed)
    print(f"wrote {args.size:,} registrations ({name}) and {len(points):,} points to {args.out}")
    return EXIT_OK

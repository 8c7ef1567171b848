"""`pointplan compare`: plan one registrations file under several scenarios, side by side."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from pointplan.cli.common import EXIT_OK, add_inputs, add_out, positive_float, positive_int
from pointplan.io.config import load_cost_sharing, load_fleet, load_policy
from pointplan.io.points import read_points
from pointplan.scenarios import DEFAULT_TIME_LIMIT, compare, load_scenarios, readable_table


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `compare` sub-command to `commands`."""
    parser = commands.add_parser(
        "compare",
        help="plan a registrations file under several scenarios and compare them",
        description="Plan the registrations under each scenario of a scenarios file (policy "
        "changes, fleet, date flexibility, solver settings), print one row of figures per "
        "scenario and write DIR/compare.csv and DIR/compare.xlsx. Exit 0 on a table, 2 on "
        "bad input, 1 on an internal fault.",
    )
    add_inputs(parser)
    parser.add_argument(
        "--scenarios", type=Path, required=True, metavar="FILE", help="scenarios YAML/JSON"
    )
    parser.add_argument(
        "--time-limit",
        type=positive_float,
        default=DEFAULT_TIME_LIMIT,
        metavar="S",
        help=f"search budget per scenario in seconds (default {DEFAULT_TIME_LIMIT:g}) where "
        "the scenario sets none",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        metavar="N",
        help="processes that search parts at once (default: every core); same table for any",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="random seed of every scenario (default: each scenario's own, else 0)",
    )
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="plan the valid rows and count bad ones as rejected instead of stopping",
    )
    parser.add_argument(
        "--cost-sharing",
        type=Path,
        metavar="FILE",
        help="cost-sharing rules (as for pointplan plan): a column per payer, what it pays a "
        "person carried",
    )
    add_out(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Compare the scenarios, print the table and write it; 0 on success.

    Bad input raises `InputError` (exit 2): bad registration rows stop the run unless
    `--keep-going`, as in `pointplan plan`.
    """
    started = time.perf_counter()
    scenarios = load_scenarios(args.scenarios)
    if args.seed is not None:
        scenarios = tuple(s.model_copy(update={"seed": args.seed}) for s in scenarios)
    table = compare(
        args.registrations,
        scenarios,
        points=read_points(args.points) if args.points else (),
        fleet=load_fleet(args.fleet),
        policy=load_policy(args.policy),
        time_limit=args.time_limit,
        workers=args.workers,
        keep_going=args.keep_going,
        cost_sharing=load_cost_sharing(args.cost_sharing) if args.cost_sharing else None,
    )
    print(format_table(table))
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "compare.csv")
    table.to_excel(args.out / "compare.xlsx", sheet_name="compare", engine="xlsxwriter")
    seconds = time.perf_counter() - started
    print(f"wrote compare.csv and compare.xlsx to {args.out} in {seconds:.1f} s")
    return EXIT_OK


def format_table(table: pd.DataFrame) -> str:
    """The comparison as text: scenarios as columns, figures as rows, rounded for reading."""
    return readable_table(table).T.to_string()

"""The `pointplan` command line."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Never

from tqdm import tqdm

from pointplan.domain.plan import Plan
from pointplan.exports.geojson import write_geojson
from pointplan.exports.workbook import write_workbook
from pointplan.io.config import check_fleet_carries, load_fleet, load_policy
from pointplan.io.errors import InputError
from pointplan.io.points import read_points
from pointplan.io.registrations import read_registrations
from pointplan.problem import Problem
from pointplan.solve import SOLVERS, solve
from pointplan.stop import Progress

log = logging.getLogger("pointplan")

EXIT_OK, EXIT_FAULT, EXIT_BAD_INPUT = 0, 1, 2


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(
        prog="pointplan",
        description="Plan point-to-point charter trips (点对点包车) for migrant workers.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    plan = commands.add_parser(
        "plan",
        help="plan trips for a registrations file",
        description="Read registrations (CSV or XLSX), plan trips, write DIR/plan.json and "
        "print a summary. Exit 0 on a plan, 2 on bad input, 1 on an internal fault.",
    )
    plan.add_argument("registrations", type=Path, help="registrations CSV or XLSX")
    plan.add_argument("--fleet", type=Path, help="fleet YAML/JSON (default: the shipped fleet)")
    plan.add_argument("--policy", type=Path, help="policy YAML/JSON (default: the default rules)")
    plan.add_argument("--points", type=Path, help="points CSV (stations, assembly points)")
    plan.add_argument(
        "--time-limit",
        type=_positive_float,
        default=60.0,
        metavar="S",
        help="search budget in seconds (default 60), spent as solver work so that the plan "
        "is the same on any machine; a hard stop at 3 x budget + 30 s",
    )
    plan.add_argument(
        "--out", type=Path, default=Path("out"), metavar="DIR", help="output folder (default ./out)"
    )
    plan.add_argument(
        "--keep-going",
        action="store_true",
        help="plan the valid rows and list bad ones in the plan's 'rejected' instead of stopping",
    )
    plan.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    plan.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes that search parts at once (default: every core); same plan for any",
    )
    plan.add_argument(
        "--show-personal-data",
        action="store_true",
        help="names, id numbers and phones in plan.xlsx in full (masked by default)",
    )
    plan.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar (it is shown only when stderr is a terminal)",
    )
    plan.add_argument(
        "--solver",
        choices=sorted(SOLVERS),
        default="consolidate",
        help="planning method: consolidate (default) or greedy, the baseline",
    )

    sample = commands.add_parser(
        "sample",
        help="write a synthetic Inner Mongolia week",
        description="Write registrations.csv and points.csv of a synthetic week with real "
        "county codes; the same size and seed give the same files.",
    )
    sample.add_argument("--size", type=int, default=3000, help="registrations (default 3000)")
    sample.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    sample.add_argument("--out", type=Path, default=Path("sample_data"), metavar="DIR")
    return parser


def _plan(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    policy = load_policy(args.policy)
    fleet = load_fleet(args.fleet)
    check_fleet_carries(fleet, policy, str(args.fleet or "default fleet"))
    points = read_points(args.points) if args.points else ()
    batch = read_registrations(args.registrations, points=points, policy=policy)
    if batch.issues and not args.keep_going:
        for issue in batch.issues:
            print(issue, file=sys.stderr)
        print(
            f"{len(batch.rejected)} of {batch.rows} rows are not valid; fix them or run "
            "with --keep-going to plan the rest and list these in 'rejected'.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    problem = Problem(batch.registrations, fleet, policy, points)
    if args.workers is not None and args.workers < 1:
        print("--workers must be at least 1", file=sys.stderr)
        return EXIT_BAD_INPUT
    with ProgressBar(enabled=not args.no_progress and sys.stderr.isatty()) as bar:
        plan = solve(
            problem,
            solver=args.solver,
            seed=args.seed,
            time_limit=args.time_limit,
            workers=args.workers,
            on_progress=bar.update,
        )
    plan = plan.with_rejected(batch.rejected)
    args.out.mkdir(parents=True, exist_ok=True)
    plan.write(args.out / "plan.json")
    write_geojson(plan, args.out / "plan.geojson")
    write_workbook(plan, args.out / "plan.xlsx", batch.registrations, args.show_personal_data)
    print(summary_table(plan))
    seconds = time.perf_counter() - started
    print(f"wrote plan.json, plan.geojson and plan.xlsx to {args.out} in {seconds:.1f} s")
    return EXIT_OK


class ProgressBar:
    """A progress bar on stderr over the parts being searched, with vehicles and bound."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: tqdm[Never] | None = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()

    def update(self, progress: Progress) -> None:
        """Show how many parts are searched and the plan's vehicles against its bound."""
        if not self.enabled:
            return
        bar = self._bar
        if bar is None:
            bar = self._bar = tqdm(
                total=progress.parts_total, desc="searching parts", unit="part", file=sys.stderr
            )
        bar.set_postfix(vehicles=progress.vehicles, bound=progress.lower_bound)
        bar.update(progress.parts_done - bar.n)


def summary_table(plan: Plan) -> str:
    """A short human summary of a plan's figures."""
    s = plan.summary
    share = f"{100 * s.served_passengers / s.passengers:.1f}%" if s.passengers else "-"
    lines = [
        ("registrations", f"{s.registrations} ({s.rejected} rejected, {s.unassigned} unassigned)"),
        ("passengers", f"{s.passengers}"),
        ("served", f"{s.served_passengers} ({share})"),
        ("vehicles", f"{s.vehicles} (lower bound {s.vehicles_lower_bound})"),
        ("stops", f"{s.stops}"),
        ("distance km", f"{s.distance_km:,.1f}"),
        ("cost", f"{s.cost:,.2f}"),
        ("solve seconds", f"{s.solve_seconds:.2f} ({s.solver}, seed {s.seed})"),
    ]
    return "\n".join(f"{name:<14} {value}" for name, value in lines)


def _sample(args: argparse.Namespace) -> int:
    from pointplan.synthetic import make_week

    if args.size < 1:
        print("--size must be at least 1", file=sys.stderr)
        return EXIT_BAD_INPUT
    week = make_week(args.size, seed=args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    week.registrations.to_csv(args.out / "registrations.csv", index=False)
    week.points.to_csv(args.out / "points.csv", index=False)
    print(f"wrote {args.size} registrations and {len(week.points)} points to {args.out}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 plan, 2 bad input, 1 fault)."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    handlers = {"plan": _plan, "sample": _sample}
    try:
        return handlers[args.command](args)
    except InputError as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:  # a fault of ours: say so plainly, keep the detail in the log
        log.debug("internal fault", exc_info=True)
        print(
            f"internal error: {type(error).__name__}: {error} (run with -v for details)",
            file=sys.stderr,
        )
        return EXIT_FAULT


if __name__ == "__main__":
    sys.exit(main())

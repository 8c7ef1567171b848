"""`pointplan plan`: plan trips for a registrations file and write every export."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, Never

from tqdm import tqdm

from pointplan.builder import build_problem
from pointplan.cli.common import (
    EXIT_OK,
    add_cluster,
    add_inputs,
    add_out,
    cluster_executor,
    positive_float,
    positive_int,
)
from pointplan.domain.cost_sharing import split_costs
from pointplan.domain.events import Standing, Status
from pointplan.domain.plan import Plan
from pointplan.exports.cost_sharing import write_cost_sharing
from pointplan.exports.outputs import write_outputs
from pointplan.io import load_fleet, load_policy, read_points
from pointplan.io.config import load_cost_sharing
from pointplan.io.errors import InputError, InputIssue
from pointplan.io.events import read_events, standings
from pointplan.io.registrations import RegistrationBatch, read_registrations
from pointplan.parallel import default_workers
from pointplan.replan import TRANSFERS_NOT_YET, Base, replan
from pointplan.solve import SOLVERS, solve
from pointplan.solvers.registry import DEFAULT_SOLVER
from pointplan.stop import Progress


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the `plan` sub-command to `commands`."""
    plan = commands.add_parser(
        "plan",
        help="plan trips for a registrations file",
        description="Read registrations (CSV or XLSX), plan trips, write DIR/plan.json with "
        "plan.geojson, plan.xlsx, map.html, the per-vehicle plans (vehicles/: one HTML "
        "page per trip, and with --pdf one PDF per date) and the weekly tables (weekly/), and "
        "print a "
        "summary. Exit 0 on a plan, 2 on "
        "bad input, 1 on an internal fault.",
    )
    add_inputs(plan)
    plan.add_argument(
        "--time-limit",
        type=positive_float,
        default=60.0,
        metavar="S",
        help="search budget in seconds (default 60), spent as solver work so that the plan "
        "is the same on any machine; a hard stop at 3 x budget + 30 s",
    )
    add_out(plan)
    plan.add_argument(
        "--keep-going",
        action="store_true",
        help="plan the valid rows and list bad ones in the plan's 'rejected' instead of stopping",
    )
    plan.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    plan.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="processes that search parts and write the outputs at once (default: every core); "
        "same plan for any",
    )
    add_cluster(plan)
    plan.add_argument(
        "--show-personal-data",
        action="store_true",
        help="names, id numbers and phones in full in plan.xlsx and the vehicle plans "
        "(masked by default)",
    )
    pdfs = plan.add_mutually_exclusive_group()
    pdfs.add_argument(
        "--pdf",
        action="store_true",
        help="also write the per-vehicle PDFs, one per travel date (the slowest export: about "
        "20 pages a second a core, so off by default; the HTML pages print the same)",
    )
    pdfs.add_argument(
        "--no-pdf",
        action="store_true",
        help="no PDFs (the default; kept for scripts that pass it)",
    )
    plan.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar (it is shown only when stderr is a terminal)",
    )
    plan.add_argument(
        "--events",
        type=Path,
        metavar="FILE",
        help="status events CSV or XLSX: boarded, handed-over and cancelled people get no "
        "trip, nor do those whose latest health check was abnormal (each unassigned with the "
        "reason); a reschedule's new window is planned",
    )
    plan.add_argument(
        "--base",
        type=Path,
        metavar="PLAN_JSON",
        help="re-plan from this plan.json: people keep their trip, date and seats wherever "
        "that costs no extra vehicle, and plan.json lists every change",
    )
    plan.add_argument(
        "--freeze-through",
        type=dt.date.fromisoformat,
        metavar="DATE",
        help="with --base: the base's trips dated on or before DATE (YYYY-MM-DD) are "
        "published and kept as they are, less the people who left them",
    )
    plan.add_argument(
        "--cost-sharing",
        type=Path,
        metavar="FILE",
        help="cost-sharing rules (YAML/JSON: shares by payer, minimum group sizes, caps per "
        "employer, toll waiver): writes cost_sharing.xlsx and prints what each payer pays",
    )
    plan.add_argument(
        "--solver",
        choices=sorted(SOLVERS),
        default=DEFAULT_SOLVER,
        help="planning method: consolidate (default) or greedy, the baseline",
    )
    plan.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Plan, write the exports, print the summary; the exit code."""
    started = time.perf_counter()
    if args.freeze_through and not args.base:
        raise InputError([InputIssue("--freeze-through", "needs --base PLAN_JSON")])
    base = read_base(args.base, args.freeze_through) if args.base else None
    policy = load_policy(args.policy)
    if base is not None and (policy.transfers or policy.min_trip_passengers > 1):
        raise InputError([InputIssue("--base", TRANSFERS_NOT_YET)])
    fleet = load_fleet(args.fleet)
    sharing = load_cost_sharing(args.cost_sharing) if args.cost_sharing else None
    points = read_points(args.points) if args.points else ()
    demand = read_registrations(args.registrations, points=points)
    held: dict[str, str] = {}
    if args.events:
        found = standings(read_events(args.events, demand.ids()), source=args.events.name)
        demand, held = with_events(demand, found)
        if base is not None:  # on their way: they stay on a frozen trip, never on a new one
            riding = frozenset(rid for rid, s in found.items() if s.status in RIDING)
            base = replace(base, riding=riding)
            held = {rid: reason for rid, reason in held.items() if rid not in riding}
    problem = build_problem(
        demand,
        points=points,
        fleet=fleet,
        policy=policy,
        keep_going=args.keep_going,
        fleet_label=str(args.fleet or "default fleet"),
        held=held,
    )
    read = time.perf_counter()
    with (
        ProgressBar(enabled=not args.no_progress and sys.stderr.isatty()) as bar,
        cluster_executor(args.cluster, args.workers) as executor,
    ):
        planner = solve if base is None else partial(replan, base=base)
        plan = planner(
            problem,
            solver=args.solver,
            seed=args.seed,
            time_limit=args.time_limit,
            workers=args.workers,
            executor=executor,
            on_progress=bar.update,
        )
    planned = time.perf_counter()
    written = write_outputs(
        plan,
        args.out,
        policy,
        fleet,
        problem.registrations,
        show_personal_data=args.show_personal_data,
        pdf=args.pdf,
        workers=args.workers or default_workers(),
    )
    print(summary_table(plan))
    if sharing is not None:
        split = split_costs(plan.trips, problem.registrations, sharing)
        written.append(write_cost_sharing(split, args.out / "cost_sharing.xlsx"))
        per_person = split.per_person()
        for payer, paid in sorted(split.by_payer.items()):
            print(f"paid by {payer:<12} {paid:,.2f} ({per_person.get(payer, 0):,.2f} a person)")
    finished = time.perf_counter()
    stages = (
        f"reading {read - started:.1f} s, planning {planned - read:.1f} s, "
        f"writing {finished - planned:.1f} s"
    )
    print(
        f"wrote {', '.join(path.name for path in written)} to {args.out} in "
        f"{finished - started:.1f} s ({stages})"
    )
    return EXIT_OK


RIDING = (Status.BOARDED, Status.HANDED_OVER)


def read_base(path: Path, freeze_through: dt.date | None) -> Base:
    """The base plan of a re-plan, read from its plan.json; exit 2 when it is not one."""
    try:
        plan = Plan.read(path)
    except (OSError, ValueError) as error:
        message = str(error).splitlines()[0] if isinstance(error, OSError) else "not a plan.json"
        raise InputError([InputIssue(path.name, message, column="--base")]) from None
    return Base(plan=plan, name=path.name, frozen_through=freeze_through)


def with_events(
    batch: RegistrationBatch, found: Mapping[str, Standing]
) -> tuple[RegistrationBatch, dict[str, str]]:
    """The batch with each reschedule's new window, and the registrations held off every
    trip with the reason (`Standing.hold_reason`), from each registration's standing after
    its events (`pointplan.io.events.standings`)."""
    held = {rid: reason for rid, s in found.items() if (reason := s.hold_reason())}
    moved = []
    for registration in batch.registrations:
        window = found.get(registration.registration_id, Standing(Status.PLANNED)).window
        if window is not None:
            registration = registration.model_copy(
                update={"earliest_date": window[0], "latest_date": window[1]}
            )
        moved.append(registration)
    return replace(batch, registrations=tuple(moved)), held


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
    """A short human summary of a plan's figures (legs, advised, buses and date guidance only
    when the plan has them)."""
    s = plan.summary
    share = f"{100 * s.served_passengers / s.passengers:.1f}%" if s.passengers else "-"
    lines = [
        ("registrations", f"{s.registrations} ({s.rejected} rejected, {s.unassigned} unassigned)"),
        ("passengers", f"{s.passengers}"),
        ("served", f"{s.served_passengers} ({share})"),
        ("vehicles", f"{s.vehicles} (lower bound {s.vehicles_lower_bound})"),
        ("stops", f"{s.stops}"),
        ("distance km", f"{s.distance_km:,.1f}"),
        ("cost", f"{s.cost:,.2f} ({s.cost_per_person:,.2f} a person)"),
        ("solve seconds", f"{s.solve_seconds:.2f} ({s.solver}, seed {s.seed})"),
    ]
    if s.legs:
        lines.insert(4, ("legs", f"{s.legs} of the vehicles are legs of journeys through hubs"))
    if s.advised:
        lines.insert(3, ("advised", f"{s.advised} registrations (too few for a charter)"))
    if plan.date_suggestions:
        groups = len({d.group for d in plan.date_suggestions})
        asked = len(plan.date_suggestions)
        lines.append(("date guidance", f"{groups} vehicles saved if {asked} registrations move"))
    if s.buses is not None:
        short = f", {s.buses_short} more than the depots have" if s.buses_short else ""
        lines.insert(
            4, ("buses", f"{s.buses} of the depots ({s.empty_km or 0:,.1f} km empty{short})")
        )
    return "\n".join(f"{name:<14} {value}" for name, value in lines)

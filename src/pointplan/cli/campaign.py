"""`pointplan campaign`: plan a national campaign area by area, on this machine or a cluster."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pointplan.cli.common import (
    EXIT_OK,
    add_cluster,
    add_inputs,
    add_out,
    cluster_executor,
    positive_float,
    positive_int,
)
from pointplan.io import load_fleet, load_policy, read_points
from pointplan.parallel import default_workers

SHOWN_REJECTIONS = 5


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the `campaign` sub-command to `commands`."""
    campaign = commands.add_parser(
        "campaign",
        help="plan a national campaign area by area (millions of registrations)",
        description="Read registrations (CSV, XLSX or Parquet) in chunks, plan each area "
        "(direction, destination province, week) on its own, on this machine's cores or on "
        "a Dask cluster, and write DIR/plan.json, trips.parquet, passengers.parquet and "
        "areas.csv, with each area's exports under DIR/areas/. Bad rows are listed in "
        "plan.json's 'rejected' with their row and reason. On a cluster of several machines "
        "DIR must be storage every worker shares. Exit 0 on a plan, 2 on bad input.",
    )
    add_inputs(campaign)
    add_out(campaign)
    campaign.add_argument(
        "--time-limit",
        type=positive_float,
        metavar="S",
        help="search budget of the whole campaign in solver seconds, shared by the areas by "
        "their registrations (default: 0.5 s per 1,000 registrations)",
    )
    campaign.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    add_cluster(campaign)
    campaign.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="processes planning areas at once (default: every core); with --cluster local, "
        "the local cluster's workers; the same plan for any",
    )
    campaign.add_argument(
        "--show-personal-data",
        action="store_true",
        help="names, id numbers and phones in full in the areas' exports (masked by default)",
    )
    campaign.add_argument(
        "--pdf", action="store_true", help="also write each area's per-vehicle PDFs"
    )
    campaign.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    campaign.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Plan the campaign, print its summary; the exit code."""
    from pointplan.campaign import plan_campaign  # Parquet's readers load only here

    fleet = load_fleet(args.fleet)
    policy = load_policy(args.policy)
    points = read_points(args.points) if args.points else ()

    def say(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    with cluster_executor(args.cluster, args.workers) as executor:
        campaign = plan_campaign(
            args.registrations,
            args.out,
            points=points,
            fleet=fleet,
            policy=policy,
            seed=args.seed,
            time_limit=args.time_limit,
            workers=executor or args.workers or default_workers(),
            show_personal_data=args.show_personal_data,
            pdf=args.pdf,
            on_progress=say,
        )
    s = campaign.summary
    bound = s.vehicles_lower_bound
    gap = (s.vehicles - bound) / bound if bound else 0.0
    print(
        f"{s.registrations:,} registrations ({s.rejected:,} rejected), {len(campaign.areas)} "
        f"areas: {s.vehicles:,} vehicles against a bound of {bound:,} "
        f"({gap:.1%}), {s.served_passengers:,} of {s.passengers:,} people on trips, "
        f"{s.unassigned:,} unassigned, cost {s.cost:,.2f}, {s.solve_seconds:.0f} s"
    )
    for rejection in campaign.rejected[:SHOWN_REJECTIONS]:
        print(f"rejected row {rejection.row}: {rejection.reason}", file=sys.stderr)
    if len(campaign.rejected) > SHOWN_REJECTIONS:
        more = len(campaign.rejected) - SHOWN_REJECTIONS
        print(f"and {more:,} more rejected rows (plan.json, 'rejected')", file=sys.stderr)
    print(f"wrote plan.json, trips.parquet, passengers.parquet, areas.csv, areas/ to {args.out}")
    return EXIT_OK

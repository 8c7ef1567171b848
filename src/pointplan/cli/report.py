"""`pointplan report weekly` (the weekly return-to-work and return-home tables),
`pointplan report classified` (the classified list of demand) and `pointplan report
coordination` (who coordinates which flow, and the lists for other provinces) and
`pointplan report ledger` (the return-home services ledger with job matching) and
`pointplan report warnings` (the early warning of involuntary returns) and `pointplan
report receiving` (the receiving side's lists).

Kept apart from `pointplan.cli` (which calls `add_parser`), so it imports nothing from it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pointplan.cli.common import EXIT_OK, add_inputs, add_out
from pointplan.domain.plan import Plan
from pointplan.exports.classified import write_classified_list
from pointplan.exports.coordination import write_coordination
from pointplan.exports.ledger import write_ledger
from pointplan.exports.receiving import write_receiving
from pointplan.exports.warnings import write_warnings
from pointplan.exports.weekly import registration_note, report_week, write_weekly_report
from pointplan.hr.flows import Level, flows
from pointplan.hr.matching import match_jobs, seekers
from pointplan.io.config import load_policy, load_thresholds
from pointplan.io.errors import InputError, InputIssue
from pointplan.io.events import read_events, standings
from pointplan.io.jobs import read_jobs
from pointplan.io.points import read_points
from pointplan.io.registrations import (
    FIRST_DATE,
    LAST_DATE,
    RegistrationBatch,
    read_registrations,
)

CLASSIFIED_FILE = "classified_list.xlsx"
COORDINATION_FILE = "coordination.xlsx"
LEDGER_FILE = "ledger.xlsx"
WARNINGS_FILE = "warnings.xlsx"
RECEIVING_FILE = "receiving.xlsx"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add `report` (with its sub-commands `weekly`, `classified`, `coordination`, `ledger`,
    `warnings` and `receiving`) to the command line's sub-commands."""
    report = commands.add_parser(
        "report",
        help="write reports from a plan",
        description="Write reports derived from registrations, a plan and status events.",
    )
    reports = report.add_subparsers(dest="report", required=True, metavar="REPORT")
    weekly = reports.add_parser(
        "weekly",
        help="the weekly return-to-work and return-home tables (周报)",
        description="Write DIR/weekly_return_to_work_WEEK.xlsx and "
        "DIR/weekly_return_home_WEEK.xlsx: one sheet per league or city, one row per county, "
        "for the week Monday WEEK to Sunday. Exit 0 on success, 2 on bad input.",
    )
    add_inputs(weekly, fleet_and_policy=False)
    weekly.add_argument(
        "--plan", type=Path, required=True, metavar="PLAN_JSON", help="plan.json of the week"
    )
    weekly.add_argument(
        "--week", required=True, metavar="YYYY-MM-DD", help="the Monday the week starts on"
    )
    weekly.add_argument("--events", type=Path, metavar="FILE", help="status events CSV or XLSX")
    weekly.add_argument(
        "--jobs",
        type=Path,
        metavar="FILE",
        help="the jobs file: fills the return-home table's jobs pushed (docs/hr.md)",
    )
    weekly.add_argument(
        "--thresholds",
        type=Path,
        metavar="FILE",
        help="the early warning's thresholds (YAML/JSON): fills the warnings column",
    )
    add_out(weekly)
    _add_keep_going(weekly, "the counts")
    weekly.set_defaults(handler=weekly_report)
    classified = reports.add_parser(
        "classified",
        help="the classified list of demand (分类汇总清单)",
        description="Write DIR/classified_list.xlsx: registrations and people by direction, "
        "origin county, destination, travel window and employer, the list human resources "
        "sends to health and transport. Exit 0 on success, 2 on bad input.",
    )
    add_inputs(classified, fleet_and_policy=False)
    add_out(classified)
    _add_keep_going(classified, "the list")
    classified.set_defaults(handler=classified_report)
    coordination = reports.add_parser(
        "coordination",
        help="who coordinates which flow, and the lists for other provinces (协调清单)",
        description="Write DIR/coordination.xlsx: every flow (direction, origin county, "
        "destination county) classified as inside a county, inside a league, between leagues "
        "or between provinces, with the level and office that answer for it, and for each "
        "other province the coordination list the region sends it (with --plan, the dates "
        "and places of the trips). Exit 0 on success, 2 on bad input.",
    )
    add_inputs(coordination, fleet_and_policy=False)
    coordination.add_argument(
        "--plan", type=Path, metavar="PLAN_JSON", help="plan.json, for the dates and places"
    )
    add_out(coordination)
    _add_keep_going(coordination, "the lists")
    coordination.set_defaults(handler=coordination_report)
    ledger = reports.add_parser(
        "ledger",
        help="the return-home services ledger, with job matching (台账)",
        description="Write DIR/ledger.xlsx: every need of every returnee with its state and "
        "office, the job seekers matched to the postings of the jobs file (the most matches "
        "within each posting's distance and trade, then the least distance), the push list "
        "per county and the routed training, business and rights requests. Exit 0 on "
        "success, 2 on bad input.",
    )
    add_inputs(ledger, fleet_and_policy=False)
    ledger.add_argument(
        "--jobs", type=Path, required=True, metavar="FILE", help="the jobs file (CSV or XLSX)"
    )
    ledger.add_argument(
        "--events", type=Path, metavar="FILE", help="status events: the ledger's steps"
    )
    _add_show_personal_data(ledger, "in the push list")
    add_out(ledger)
    _add_keep_going(ledger, "the ledger")
    ledger.set_defaults(handler=ledger_report)
    warnings = reports.add_parser(
        "warnings",
        help="the early warning of involuntary returns for a week (预警)",
        description="Write DIR/warnings.xlsx: for the week Monday WEEK to Sunday, each home "
        "county's returnees, involuntary returns by reason, their share, the change against "
        "the weeks before and the open rights claims, and the warning level the thresholds "
        "file raises. Exit 0 on success, 2 on bad input.",
    )
    add_inputs(warnings, fleet_and_policy=False)
    warnings.add_argument(
        "--thresholds", type=Path, required=True, metavar="FILE", help="thresholds (YAML/JSON)"
    )
    warnings.add_argument(
        "--week", required=True, metavar="YYYY-MM-DD", help="the Monday the week starts on"
    )
    warnings.add_argument(
        "--events", type=Path, metavar="FILE", help="status events: rights claims served"
    )
    add_out(warnings)
    _add_keep_going(warnings, "the indicators")
    warnings.set_defaults(handler=warnings_report)
    receiving = reports.add_parser(
        "receiving",
        help="the receiving side's lists: who arrives when and where (接收名单)",
        description="Write DIR/receiving.xlsx: for each receiving county and employer, who "
        "arrives on which trip, when and where they are handed over, with the escort seats "
        "and the pickup they came from. Exit 0 on success, 2 on bad input.",
    )
    add_inputs(receiving, fleet_and_policy=False)
    receiving.add_argument(
        "--plan", type=Path, required=True, metavar="PLAN_JSON", help="plan.json"
    )
    receiving.add_argument(
        "--events", type=Path, metavar="FILE", help="status events: the follow-up on arrival"
    )
    receiving.add_argument(
        "--policy",
        type=Path,
        metavar="FILE",
        help="policy YAML/JSON: its arrival_measure lists whom to house or follow up",
    )
    _add_show_personal_data(receiving, "in the lists")
    add_out(receiving)
    _add_keep_going(receiving, "the lists")
    receiving.set_defaults(handler=receiving_report)


def _add_show_personal_data(parser: argparse.ArgumentParser, where: str) -> None:
    parser.add_argument(
        "--show-personal-data",
        action="store_true",
        help=f"names and phones in full {where} (masked by default)",
    )


def _add_keep_going(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help=f"leave bad registration rows out of {what} (listed on stderr) instead of stopping",
    )


def _registrations(args: argparse.Namespace, then: str) -> RegistrationBatch:
    """The registrations of the command line, checked: bad rows stop it unless --keep-going
    (then they are listed on stderr and `then` says what becomes of them)."""
    points = read_points(args.points) if args.points else ()
    batch = read_registrations(args.registrations, points=points)
    batch.require_valid(args.keep_going, then=then)
    for issue in batch.issues:
        print(issue, file=sys.stderr)
    return batch


def weekly_report(args: argparse.Namespace) -> int:
    """Handle `pointplan report weekly`: read and check the inputs, write both workbooks."""
    week_start = parse_week(args.week)
    batch = _registrations(args, then="leave them out of the counts")
    known = batch.ids()
    plan = read_plan(args.plan)
    check_plan_registrations(plan, known, args.plan.name)
    events = read_events(args.events, known) if args.events else ()
    if args.events:
        unplanned = {u.registration_id for u in plan.unassigned}
        standings(events, unplanned, args.events.name)  # refuses what the machine refuses
    offered = None
    if args.jobs:
        matching = match_jobs(seekers(batch.registrations), read_jobs(args.jobs))
        offered = {m.registration_id for m in matching.matches}
    thresholds = load_thresholds(args.thresholds) if args.thresholds else None
    paths = write_weekly_report(
        args.out, batch.registrations, plan, events, week_start, offered=offered,
        thresholds=thresholds,
    )  # fmt: skip
    print(f"wrote {', '.join(path.name for path in paths)} to {args.out}")
    if any(r.registered_at is None for r in batch.registrations):
        print(f"note: {registration_note(batch.registrations)}", file=sys.stderr)
    return EXIT_OK


def classified_report(args: argparse.Namespace) -> int:
    """Handle `pointplan report classified`: read and check the registrations, write the
    classified list."""
    batch = _registrations(args, then="leave them out of the list")
    path = args.out / CLASSIFIED_FILE
    table = write_classified_list(path, batch.registrations)
    print(f"wrote {path.name} to {args.out}: {len(table)} groups, {table['people'].sum()} people")
    return EXIT_OK


def coordination_report(args: argparse.Namespace) -> int:
    """Handle `pointplan report coordination`: read and check the inputs, write the workbook
    and print how many flows each level answers for."""
    batch = _registrations(args, then="leave them out of the lists")
    plan = None
    if args.plan:
        plan = read_plan(args.plan)
        check_plan_registrations(plan, batch.ids(), args.plan.name)
    path = write_coordination(args.out / COORDINATION_FILE, batch.registrations, plan)
    found = flows(batch.registrations)
    print(f"wrote {path.name} to {args.out}: {len(found)} flows")
    for level in Level:
        mine = [f for f in found if f.level is level]
        people = sum(f.people for f in mine)
        print(f"  {level.value:<7} {len(mine):>6} flows {people:>8} people")
    return EXIT_OK


def ledger_report(args: argparse.Namespace) -> int:
    """Handle `pointplan report ledger`: read and check the inputs, match the job seekers,
    write the workbook and print the counts."""
    batch = _registrations(args, then="leave them out of the ledger")
    jobs = read_jobs(args.jobs)
    events = read_events(args.events, batch.ids()) if args.events else ()
    found = seekers(batch.registrations)
    matching = match_jobs(found, jobs)
    path = write_ledger(
        args.out / LEDGER_FILE, batch.registrations, jobs, matching, args.show_personal_data,
        events,
    )  # fmt: skip
    openings = sum(job.openings for job in jobs)
    print(
        f"wrote {path.name} to {args.out}: {len(found)} job seekers, {len(matching.matches)} "
        f"matched to {openings} openings of {len(jobs)} postings ({matching.total_km:,.1f} km)"
    )
    return EXIT_OK


def warnings_report(args: argparse.Namespace) -> int:
    """Handle `pointplan report warnings`: read and check the inputs, write the workbook and
    print the counties warned at each level."""
    week_start = parse_week(args.week)
    thresholds = load_thresholds(args.thresholds)
    batch = _registrations(args, then="leave them out of the indicators")
    events = read_events(args.events, batch.ids()) if args.events else ()
    path = args.out / WARNINGS_FILE
    table = write_warnings(path, batch.registrations, week_start, thresholds, events)
    levels = Counter(table["预警 level"]) if len(table) else Counter[str]()
    shown = ", ".join(f"{level} {count}" for level, count in sorted(levels.items()))
    print(f"wrote {path.name} to {args.out}: {len(table)} counties ({shown or 'none'})")
    return EXIT_OK


def receiving_report(args: argparse.Namespace) -> int:
    """Handle `pointplan report receiving`: read and check the inputs, write the lists."""
    batch = _registrations(args, then="leave them out of the lists")
    plan = read_plan(args.plan)
    check_plan_registrations(plan, batch.ids(), args.plan.name)
    events = read_events(args.events, batch.ids()) if args.events else ()
    measure = load_policy(args.policy).arrival_measure if args.policy else "none"
    path = args.out / RECEIVING_FILE
    table = write_receiving(
        path, batch.registrations, plan, args.show_personal_data, events, measure
    )
    counties = table["接收旗县代码 receiving county"].nunique() if len(table) else 0
    people = int(table["人数 people"].sum()) if len(table) else 0
    print(f"wrote {path.name} to {args.out}: {people} people received in {counties} counties")
    return EXIT_OK


def parse_week(text: str) -> dt.date:
    """The Monday `--week` names; anything else is an `InputError` that says why."""
    try:
        day = dt.date.fromisoformat(text) if _ISO_DATE.match(text) else None
    except ValueError:
        day = None
    if day is None:
        raise InputError([InputIssue("--week", f"'{text}' is not a date (YYYY-MM-DD)")])
    if not FIRST_DATE <= day <= LAST_DATE:
        raise InputError([InputIssue("--week", f"{day} is outside {FIRST_DATE}..{LAST_DATE}")])
    try:
        report_week(day)
    except ValueError as error:
        raise InputError([InputIssue("--week", str(error))]) from None
    return day


def read_plan(path: Path) -> Plan:
    """plan.json, or an `InputError` saying why it cannot be read."""
    try:
        return Plan.read(path)
    except FileNotFoundError:
        raise InputError([InputIssue(str(path), "no such file")]) from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the file"
        why = f"not a plan.json: {where}: {first['msg']}"
        raise InputError([InputIssue(str(path), why)]) from None
    except OSError as error:
        raise InputError([InputIssue(str(path), f"cannot read: {error}")]) from None


def check_plan_registrations(plan: Plan, known: set[str], source: str) -> None:
    """Refuse a plan that names registrations the registrations file does not have: it was
    made from another file, and its counts would be wrong."""
    issues = [
        InputIssue(source, f"trip {trip.trip_id} carries unknown registration '{rid}'")
        for trip in plan.trips
        for rid in trip.registration_ids()
        if rid not in known
    ] + [
        InputIssue(source, f"unassigned lists unknown registration '{u.registration_id}'")
        for u in plan.unassigned
        if u.registration_id not in known
    ]
    if issues:
        hint = InputIssue(source, "give the registrations file the plan was made from")
        raise InputError([*issues[:20], hint])

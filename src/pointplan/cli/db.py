"""`pointplan db check|new-key|rotate-key|erase-personal|backup|restore`: keeping the
service's database (docs/operations.md)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from pointplan.cli.common import EXIT_BAD_INPUT, EXIT_OK, in_database, positive_int
from pointplan.store.database import DEFAULT_URL

ACTOR = "command line"


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add `db` (with its actions) to `commands`."""
    db = commands.add_parser("db", help="keep the service's database")
    actions = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="list stored records to mend (ids of a bad shape, refused characters)",
        description="List each stored registration or point whose id is not 1 to 100 of "
        "A-Z a-z 0-9 . _ -, or whose text holds a lone surrogate, a control character or a "
        "bidirectional override (stored before these were checked), with the field. Exit 0 "
        "when there is none, 2 when there are some to mend.",
    )
    check.set_defaults(handler=run_check)
    new_key = actions.add_parser(
        "new-key",
        help="print a fresh data key",
        description="Print a fresh key for POINTPLAN_DATA_KEYS or the key file.",
    )
    new_key.set_defaults(handler=run_new_key)
    rotate = actions.add_parser(
        "rotate-key",
        help="seal all personal data again with the first data key",
        description="Seal every registration's id number and phone again with the first of "
        "the data keys (POINTPLAN_DATA_KEYS or the key file), and hash them again under it for "
        "the hotline's lookup; values stored in clear are sealed too. Afterwards the older "
        "keys can be dropped.",
    )
    rotate.set_defaults(handler=run_rotate)
    erase = actions.add_parser(
        "erase-personal",
        help="erase personal data a set time after the campaign",
        description="Remove names, id numbers and phones from every registration whose "
        "travel window ended more than DAYS days before TODAY; each registration's history "
        "records it.",
    )
    erase.add_argument(
        "--days", type=positive_int, default=90, help="days kept after travel (default 90)"
    )
    erase.add_argument("--today", type=dt.date.fromisoformat, default=None, metavar="YYYY-MM-DD")
    erase.set_defaults(handler=run_erase)
    backup = actions.add_parser(
        "backup",
        help="copy the database while it runs",
        description="Copy the database to FILE (readable by its owner only): SQLite's online "
        "backup, or pg_dump's custom format for PostgreSQL. The data keys are not in it: keep "
        "them apart.",
    )
    backup.add_argument("file", type=Path, metavar="FILE")
    backup.set_defaults(handler=run_backup)
    restore = actions.add_parser(
        "restore",
        help="replace the database with a backup",
        description="Replace the database's contents with FILE, made by `pointplan db "
        "backup`. Stop the service first.",
    )
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.set_defaults(handler=run_restore)
    for action in (check, rotate, erase, backup, restore):
        action.add_argument(
            "--db", default=DEFAULT_URL, metavar="URL", help="SQLAlchemy database URL"
        )


def run_check(args: argparse.Namespace) -> int:
    """Print the stored records to mend, one a line: table, id (escaped), field."""
    from pointplan.store.maintenance import records_to_mend

    found = in_database(args.db, lambda session: list(records_to_mend(session)))
    for table, value, field in found:
        print(f"{table}\t{value.encode('unicode_escape').decode('ascii')[:120]}\t{field}")
    print(f"{len(found)} stored record field(s) to mend")
    return EXIT_BAD_INPUT if found else EXIT_OK


def run_new_key(args: argparse.Namespace) -> int:
    """Print a fresh data key."""
    from pointplan.store.sealing import new_key

    print(new_key())
    return EXIT_OK


def run_rotate(args: argparse.Namespace) -> int:
    """Seal again with the first key."""
    from pointplan.api.settings import Settings
    from pointplan.store.maintenance import rotate_keys

    sealer = Settings(database_url=args.db).sealer()
    changed = in_database(args.db, lambda session: rotate_keys(session, sealer, ACTOR))
    print(f"sealed {changed} registration(s) with the first data key")
    return EXIT_OK


def run_erase(args: argparse.Namespace) -> int:
    """Erase personal data of registrations past the retention time."""
    from pointplan.store.maintenance import erase_personal_data

    cutoff = (args.today or dt.date.today()) - dt.timedelta(days=args.days)
    erased = in_database(args.db, lambda session: erase_personal_data(session, cutoff, ACTOR))
    print(f"erased the personal data of {erased} registration(s) that travelled before {cutoff}")
    return EXIT_OK


def run_backup(args: argparse.Namespace) -> int:
    """Back the database up."""
    from pointplan.store.maintenance import backup

    backup(args.db, args.file)
    print(f"backed up to {args.file}")
    return EXIT_OK


def run_restore(args: argparse.Namespace) -> int:
    """Restore a backup."""
    from pointplan.io.errors import InputError, InputIssue
    from pointplan.store.maintenance import restore

    if not args.file.is_file():
        raise InputError([InputIssue(str(args.file), "no such backup file")])
    restore(args.db, args.file)
    print(f"restored {args.file}")
    return EXIT_OK

"""`pointplan token add`: make a bearer token for the HTTP service."""

from __future__ import annotations

import argparse
from typing import Any

from pointplan.cli.common import EXIT_OK
from pointplan.io.errors import InputError, InputIssue
from pointplan.store.database import DEFAULT_URL, Database, migrate
from pointplan.store.tokens import ROLES, add_token, check_role_and_area


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add `token` (with its sub-command `add`) to `commands`."""
    token = commands.add_parser("token", help="manage the service's bearer tokens")
    actions = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add",
        help="make a token and print it once",
        description="Make a bearer token for NAME with a role and an area (an adcode prefix: "
        "15 the region, 1501 a league or city, 150102 a county; none: everywhere), store "
        "only its hash, and print the token once.",
    )
    add.add_argument("name", help="who the token is for (shown in the audit trail)")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--area", default="", help="adcode prefix (default: everywhere)")
    add.add_argument("--db", default=DEFAULT_URL, metavar="URL", help="SQLAlchemy database URL")
    add.set_defaults(handler=run_add)


def run_add(args: argparse.Namespace) -> int:
    """Make the token and print it."""
    try:
        check_role_and_area(args.role, args.area)
    except ValueError as error:
        raise InputError([InputIssue("--area", str(error))]) from None
    db = Database(args.db)
    try:
        migrate(db.engine)
        with db.session() as session:
            token = add_token(session, args.name, args.role, args.area)
    finally:
        db.dispose()
    print(token)
    return EXIT_OK

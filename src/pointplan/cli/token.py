"""`pointplan token add|list|revoke`: the HTTP service's bearer tokens."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy.orm import Session

from pointplan.cli.common import EXIT_OK, in_database
from pointplan.io.errors import InputError, InputIssue
from pointplan.store.database import DEFAULT_URL
from pointplan.store.tokens import (
    ROLES,
    TOKEN_CACHE_SECONDS,
    add_token,
    check_role_and_area,
    list_tokens,
    revoke_tokens,
)


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add `token` (with its actions `add`, `list` and `revoke`) to `commands`."""
    token = commands.add_parser("token", help="manage the service's bearer tokens")
    actions = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add",
        help="make a token and print it once",
        description="Make a bearer token for NAME with a role and an area (an adcode prefix: "
        "15 the region, 1501 a league or city, 150102 a county; every role but admin needs "
        "one, and admin tokens reach everywhere), store only its hash, and print the token "
        "once.",
    )
    add.add_argument("name", help="who the token is for (shown in the audit trail)")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--area", default="", help="adcode prefix (required for every role but admin)")
    add.set_defaults(handler=run_add)
    listing = actions.add_parser(
        "list",
        help="list the tokens (never the tokens themselves)",
        description="List every token's name, role, area and when it was made and revoked.",
    )
    listing.set_defaults(handler=run_list)
    revoke = actions.add_parser(
        "revoke",
        help="revoke every live token of NAME",
        description="Revoke every live token of NAME. A running service stops accepting "
        f"them within {TOKEN_CACHE_SECONDS:g} s (it trusts a token it has seen that long).",
    )
    revoke.add_argument("name", help="the name the tokens were made for")
    revoke.set_defaults(handler=run_revoke)
    for action in (add, listing, revoke):
        action.add_argument(
            "--db", default=DEFAULT_URL, metavar="URL", help="SQLAlchemy database URL"
        )


def run_add(args: argparse.Namespace) -> int:
    """Make the token and print it."""
    try:
        check_role_and_area(args.role, args.area)
    except ValueError as error:
        raise InputError([InputIssue("--area", str(error))]) from None
    token = in_database(
        args.db, lambda session: add_token(session, args.name, args.role, args.area)
    )
    print(token)
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    """Print the tokens as a table, one a line."""

    def rows(session: Session) -> list[str]:
        return [
            "\t".join(
                (
                    t.name,
                    t.role,
                    t.area or "everywhere",
                    f"{t.created_at:%Y-%m-%d %H:%M} UTC",
                    f"revoked {t.revoked_at:%Y-%m-%d %H:%M} UTC" if t.revoked_at else "live",
                )
            )
            for t in list_tokens(session)
        ]

    print("name\trole\tarea\tmade\tstate")
    for row in in_database(args.db, rows):
        print(row)
    return EXIT_OK


def run_revoke(args: argparse.Namespace) -> int:
    """Revoke the tokens of a name; bad input when it has none live."""
    revoked = in_database(args.db, lambda session: revoke_tokens(session, args.name))
    if not revoked:
        raise InputError([InputIssue("name", f"no live token is named {args.name!r}")])
    print(f"revoked {revoked} token(s) of {args.name!r}")
    return EXIT_OK

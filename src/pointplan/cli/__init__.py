"""The `pointplan` command line: one module per sub-command, `main` runs them."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from pointplan.cli import campaign, compare, db, plan, report, sample, serve, token, worker
from pointplan.cli.common import EXIT_BAD_INPUT, EXIT_FAULT
from pointplan.io.errors import InputError

log = logging.getLogger("pointplan")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(
        prog="pointplan",
        description="Plan point-to-point charter trips (点对点包车) for migrant workers.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in (plan, campaign, sample, compare, report, serve, token, db, worker):
        command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 done, 2 bad input, 1 fault)."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(args.handler(args))
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

"""What the sub-commands share: exit codes and argument types."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

EXIT_OK, EXIT_FAULT, EXIT_BAD_INPUT = 0, 1, 2


def positive_float(text: str) -> float:
    """An argument that must be a number above 0."""
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def positive_int(text: str) -> int:
    """An argument that must be a whole number of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_inputs(parser: argparse.ArgumentParser, fleet_and_policy: bool = True) -> None:
    """The registrations file and the --points (and --fleet, --policy) files."""
    parser.add_argument("registrations", type=Path, help="registrations CSV or XLSX")
    parser.add_argument(
        "--points", type=Path, metavar="FILE", help="points CSV (stations, assembly points)"
    )
    if fleet_and_policy:
        parser.add_argument(
            "--fleet", type=Path, metavar="FILE", help="fleet YAML/JSON (default: the shipped one)"
        )
        parser.add_argument(
            "--policy", type=Path, metavar="FILE", help="policy YAML/JSON (default: the rules)"
        )


def add_out(parser: argparse.ArgumentParser) -> None:
    """The --out folder."""
    parser.add_argument(
        "--out", type=Path, default=Path("out"), metavar="DIR", help="output folder (default ./out)"
    )


T = TypeVar("T")


def in_database(url: str, work: Callable[[Session], T]) -> T:
    """`work` done in one transaction on the database at `url` (brought up to date first)."""
    from pointplan.store.database import Database, migrate  # only the service's commands pay

    db = Database(url)
    try:
        migrate(db.engine)
        with db.session() as session:
            return work(session)
    finally:
        db.dispose()

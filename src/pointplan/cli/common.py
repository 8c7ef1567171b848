"""What the sub-commands share: exit codes and argument types."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pointplan.io.errors import InputError, InputIssue
from pointplan.parallel import Executor

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


def add_cluster(parser: argparse.ArgumentParser) -> None:
    """The --cluster address."""
    parser.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="plan the parts on a Dask cluster: its scheduler's address (tcp://host:8786), or "
        "'local' for a cluster of this machine's cores (--workers of them) started for the "
        "run; the same plan as without",
    )


@contextmanager
def cluster_executor(cluster: str | None, workers: int | None) -> Iterator[Executor | None]:
    """The Dask cluster at `cluster`, or None (this machine's processes) without one; a
    scheduler that does not answer is bad input (`InputError`)."""
    if cluster is None:
        yield None
        return
    # only a cluster's runs pay for importing Dask
    from pointplan.cluster import ClusterUnreachable, open_cluster

    try:
        with open_cluster(cluster, workers) as executor:
            yield executor
    except ClusterUnreachable as error:
        raise InputError([InputIssue("--cluster", str(error))]) from None


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

"""Independent work on a Dask cluster: a local one started for the run, or one already running.

`ClusterExecutor` is an `Executor` (`pointplan.parallel`): the shared context is sent to the
workers once (scattered), each item travels alone with its own data, and results come back
in the items' order, so a plan made on a cluster is the plan made on one process for the
same seed (as long as no part's search reaches its own wall-clock guard, 3 x its share of the
budget + 30 s from its start on the worker: `pointplan.solvers.budget`).
Dask reruns the items of a worker that is lost mid-run on the workers left; only an item
that kills the workers it runs on three times fails the run (Dask's
`distributed.scheduler.allowed-failures`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from distributed import Client, LocalCluster

from pointplan.parallel import default_workers

Context = TypeVar("Context")
Item = TypeVar("Item")
Result = TypeVar("Result")

LOCAL = "local"
"""The address that asks for a cluster of this machine's cores, started for the run."""
WORKER_MEMORY = "4GiB"
"""The memory each worker of a local cluster may hold; Dask restarts a worker that passes it."""


CONNECT_SECONDS = 20
"""How long to wait for a cluster's scheduler to answer."""


class ClusterUnreachable(RuntimeError):
    """No scheduler answers at the address given."""


class ClusterExecutor:
    """Runs `ordered_map` work on the Dask cluster of `client`."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def ordered_map(
        self,
        function: Callable[[Context, Item], Result],
        context: Context,
        items: Sequence[Item],
    ) -> Generator[Result, None, None]:
        """`function(context, item)` for every item on the cluster, yielded in the items'
        order; closing the iterator early cancels the items not yet done."""
        if not items:
            return
        shared = self.client.scatter(context, broadcast=True, hash=False)
        futures = self.client.map(function, [shared] * len(items), list(items), pure=False)
        try:
            for future in futures:
                yield future.result()
        finally:
            self.client.cancel(futures)

    @property
    def workers(self) -> int:
        """Workers in the cluster now."""
        return len(self.client.scheduler_info(n_workers=-1)["workers"])

    def worker_pids(self) -> dict[str, int]:
        """Each worker's address and the process id of its worker process."""
        import os

        pids: dict[str, int] = self.client.run(os.getpid)
        return pids


@contextmanager
def open_cluster(address: str, workers: int | None = None) -> Iterator[ClusterExecutor]:
    """An executor on the Dask scheduler at `address` (`tcp://host:8786`), or on a local
    cluster of `workers` single-threaded worker processes (default: this machine's cores),
    each held to `WORKER_MEMORY`, when `address` is `local`. A local cluster is shut down on
    leaving; a remote one is left running."""
    if address != LOCAL:
        try:
            client = Client(address, timeout=CONNECT_SECONDS)
        except (OSError, ValueError) as error:  # refused, timed out, or not an address
            raise ClusterUnreachable(
                f"no Dask scheduler answers at {address} ({str(error).splitlines()[0]})"
            ) from None
        with client:
            yield ClusterExecutor(client)
        return
    # the scheduler of a local cluster runs in this process; its connection chatter is not ours
    logging.getLogger("distributed").setLevel(logging.WARNING)
    with (
        LocalCluster(
            n_workers=workers or default_workers(),
            threads_per_worker=1,
            processes=True,
            memory_limit=WORKER_MEMORY,
            dashboard_address=":0",  # a free port: two clusters on one machine do not clash
            silence_logs=logging.WARNING,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield ClusterExecutor(client)

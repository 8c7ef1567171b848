"""A real `pointplan serve` for tests: a free port, the server in its own process group."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx

from pointplan.store.sealing import new_key

LIVE_DATA_KEY = new_key()
"""The data key of every server this process starts (the same across restarts)."""

LIVE_TIMEOUT = 60.0
"""Seconds a test waits for one answer of a live server: CI machines are shared and slow at
times, and httpx's default of 5 s failed a first batch there."""


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database for a live server: a SQLite file in `folder`, or a fresh
    PostgreSQL database (the test is skipped when no PostgreSQL server answers)."""
    from tests.api.conftest import postgres_database

    if kind == "sqlite":
        yield f"sqlite:///{folder / 'live.db'}"
    else:
        with postgres_database() as url:
            yield url


def token_add(url: str, *options: str) -> str:
    """A token made as the README says, with `pointplan token add ... --db url`."""
    done = subprocess.run(
        [sys.executable, "-m", "pointplan", "token", "add", *options, "--db", url],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def free_port() -> int:
    """A port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve(
    url: str, port: int, log: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """`pointplan serve` in its own process group, ready to answer (`env`: more settings,
    POINTPLAN_*)."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "pointplan", "serve", "--port", str(port), "--db", url],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "POINTPLAN_DATA_KEYS": LIVE_DATA_KEY, **(env or {})},
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError(f"the server did not start: {log.read_text(errors='replace')}")
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


@contextmanager
def plan_worker(
    url: str, log: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """`pointplan worker` in its own process group (`env`: more settings, POINTPLAN_*);
    killed with its solver processes at the end."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "pointplan", "worker", "--db", url],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "POINTPLAN_DATA_KEYS": LIVE_DATA_KEY, **(env or {})},
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

"""Fixtures of the console's browser tests: the service on a port of this machine (a SQLite
file, the sample's points, a token of each role), Debian's Chromium driven by Playwright, and
a page that fails its test on any request to another host.

Chromium is installed by apt when it is missing and the tests run as root (as in CI); where
no browser can be had, the tests skip saying so.
"""

from __future__ import annotations

import csv
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx2 as httpx
import pytest
import uvicorn
from playwright.sync_api import ViewportSize

from pointplan.api import Settings, create_app
from pointplan.store.database import Database, migrate
from pointplan.store.tokens import add_token
from tests.conftest import SAMPLE

CHROMIUM_PATHS = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
AREA, OTHER_AREA = "1502", "1501"  # 包头市 Baotou, 呼和浩特市 Hohhot
DATES = ("2022-11-21", "2022-11-22")
ROLES = ("admin", "planner", "registrar", "viewer", "hr")
SCREEN = ViewportSize(width=1366, height=768)
BATCH_LIMIT = 1000
"""The console service's registrations a request (the week's files hold far fewer)."""
"""A small laptop's screen."""


def _chromium() -> str | None:
    found = next((path for path in CHROMIUM_PATHS if Path(path).exists()), None)
    return found or shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium, installed with apt when missing and the tests run as root."""
    found = _chromium()
    if found is None and shutil.which("apt-get") and _is_root():
        env = {"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
        install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"]
        if subprocess.run(install, capture_output=True, env=env, check=False).returncode:
            subprocess.run(["apt-get", "update", "-q"], capture_output=True, env=env, check=False)
            subprocess.run(install, capture_output=True, env=env, check=False)
        found = _chromium()
    if found is None:
        pytest.skip(
            "no Chromium: install Debian's (`apt-get install chromium`) or run as root so the "
            "tests install it"
        )
    return found


def _is_root() -> bool:
    import os

    return os.geteuid() == 0


@dataclass
class Console:
    """The service under test: its address and a token of each role (Baotou, and a
    registrar of Hohhot)."""

    url: str
    tokens: dict[str, str]
    folder: Path
    database_url: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """`pointplan serve`'s app on 127.0.0.1 (a thread of this process), on a fresh SQLite
    file with the sample's points loaded."""
    folder = tmp_path_factory.mktemp("console")
    database_url = f"sqlite:///{folder / 'pointplan.sqlite'}"
    db = Database(database_url)
    migrate(db.engine)
    with db.session() as session:
        tokens = {
            role: add_token(session, role, role, "" if role == "admin" else AREA) for role in ROLES
        }
        tokens["other-registrar"] = add_token(session, "other-registrar", "registrar", OTHER_AREA)
    db.dispose()
    settings = Settings(
        database_url=database_url,
        plan_workers=1,
        validation_processes=0,
        token_cache_seconds=1,
        max_batch=BATCH_LIMIT,
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the service did not start")
        time.sleep(0.05)
    _load_points(url, tokens["admin"])
    yield Console(url, tokens, folder, database_url)
    server.should_exit = True
    thread.join(timeout=30)


def _load_points(url: str, admin_token: str) -> None:
    with (SAMPLE / "points.csv").open(encoding="utf-8") as handle:
        points = [
            {**row, "lat": float(row["lat"]), "lon": float(row["lon"])}
            for row in csv.DictReader(handle)
        ]
    answer = httpx.post(
        f"{url}/v1/points", json=points, headers={"Authorization": f"Bearer {admin_token}"}
    )
    answer.raise_for_status()


@dataclass
class Outside:
    """Requests the page sent to another host (each one fails the test)."""

    hosts: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[object]:
    """A headless Chromium for the module's tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path, args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


@pytest.fixture
def outside() -> Outside:
    """Where the test's pages tried to go off this machine."""
    return Outside()


def open_page(browser: object, outside: Outside) -> object:
    """A new page on a small laptop's screen, in Chinese, whose requests to any host but
    127.0.0.1 are refused and recorded in `outside`."""
    from playwright.sync_api import Browser, Route

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport=SCREEN, locale="zh-CN", accept_downloads=True)

    def guard(route: Route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:", "about:")) or host == "127.0.0.1":
            route.continue_()
        else:
            outside.hosts.append(host)
            route.abort()

    context.route("**/*", guard)
    context.set_default_timeout(30_000)
    return context.new_page()

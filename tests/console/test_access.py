"""Who sees what in the console: each role its menu and only its area's registrations and
plans (in the browser), and the console's answers to what it refuses: a page saying why,
never a traceback, never JSON, never the value sent."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2 as httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.console.conftest import (
    AREA,
    BATCH_LIMIT,
    DATES,
    OTHER_AREA,
    Console,
    Outside,
    open_page,
)
from tests.console.week import WeekFiles, week_files

MENUS = {
    "registrar": ["登记 Registrations", "方案 Plans"],
    "planner": ["登记 Registrations", "方案 Plans", "比较 Scenarios"],
    "viewer": ["方案 Plans"],
    "hr": ["报表 Reports"],
    "admin": ["登记 Registrations", "方案 Plans", "比较 Scenarios", "报表 Reports"],
}


@pytest.fixture(scope="module")
def saved(console: Console, tmp_path_factory: pytest.TempPathFactory) -> WeekFiles:
    """The week's registrations of Baotou, saved through the API."""
    files = week_files(tmp_path_factory.mktemp("access"), AREA, OTHER_AREA, *DATES)
    with files.fixed.open(encoding="utf-8") as handle:
        items = [{k: v for k, v in row.items() if v} for row in csv.DictReader(handle)]
    answer = httpx.post(
        f"{console.url}/v1/registrations", json=items, headers=_bearer(console, "admin")
    )
    answer.raise_for_status()
    assert answer.json()["accepted"] == len(items)
    return files


def _bearer(console: Console, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {console.tokens[role]}"}


def _signed_in(browser: Browser, outside: Outside, console: Console, role: str) -> Page:
    page = open_page(browser, outside)
    assert isinstance(page, Page)
    page.goto(f"{console.url}/console/sign-in")
    page.get_by_label("令牌 Token").fill(console.tokens[role])
    page.get_by_role("button", name="登录 Sign in").click()
    expect(page.get_by_role("button", name="退出 Sign out")).to_be_visible()
    return page


@pytest.mark.parametrize("role", sorted(MENUS))
def test_each_role_sees_its_menu(
    browser: Browser, console: Console, outside: Outside, role: str
) -> None:
    page = _signed_in(browser, outside, console, role)
    menu = page.get_by_role("navigation", name="主菜单 Main menu").get_by_role("link")
    expect(menu).to_have_text(MENUS[role])
    assert not outside.hosts


def test_a_registrar_sees_only_its_areas_registrations(
    browser: Browser, console: Console, outside: Outside, saved: WeekFiles
) -> None:
    mine = _signed_in(browser, outside, console, "registrar")
    mine.goto(f"{console.url}/console/registrations")
    expect(mine.locator("#registrations tbody tr")).to_have_count(50)  # a page of them
    other = _signed_in(browser, outside, console, "other-registrar")
    other.goto(f"{console.url}/console/registrations")
    expect(other.get_by_text("没有符合条件的登记")).to_be_visible()
    other.goto(f"{console.url}/console/registrations/{saved.ids[0]}")
    expect(other.get_by_role("alert")).to_contain_text(f"no registration '{saved.ids[0]}'")
    assert not outside.hosts


def test_a_viewer_may_not_start_a_plan_and_a_registrar_may_not_read_one(
    browser: Browser, console: Console, outside: Outside
) -> None:
    viewer = _signed_in(browser, outside, console, "viewer")
    viewer.goto(f"{console.url}/console/plans")
    expect(viewer.get_by_role("button", name="开始排车 Start the plan")).to_have_count(0)
    viewer.goto(f"{console.url}/console/scenarios")
    expect(viewer.get_by_role("alert")).to_contain_text("viewer role may not")
    registrar = _signed_in(browser, outside, console, "registrar")
    registrar.goto(f"{console.url}/console/plans/0123456789abcdef")
    expect(registrar.get_by_role("alert")).to_contain_text("registrar role may not")
    assert not outside.hosts


def test_a_page_without_a_sign_in_sends_the_browser_to_sign_in(console: Console) -> None:
    for path in ("/console", "/console/registrations", "/console/plans/x", "/console/reports"):
        answer = httpx.get(f"{console.url}{path}", follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/console/sign-in"
    cookies = {"pointplan_console": "pp_revoked-or-made-up"}
    answer = httpx.get(f"{console.url}/console/plans", cookies=cookies, follow_redirects=False)
    assert answer.headers["location"] == "/console/sign-in"


@contextmanager
def _client(console: Console, role: str) -> Iterator[httpx.Client]:
    """A client signed in to the console as `role` (its cookie kept)."""
    with httpx.Client(base_url=console.url, follow_redirects=False) as client:
        answer = client.post("/console/sign-in", data={"token": console.tokens[role]})
        assert answer.status_code == 303
        yield client


def test_refusals_are_pages_that_say_why(console: Console, saved: WeekFiles) -> None:
    with _client(console, "planner") as client:
        not_a_table = client.post(
            "/console/registrations/check", files={"file": ("notes.txt", b"hello", "text/plain")}
        )
        assert not_a_table.status_code == 422
        assert "text/html" in not_a_table.headers["content-type"]
        assert "CSV 或 XLSX" in not_a_table.text
        no_columns = client.post(
            "/console/registrations/check", files={"file": ("a.csv", b"x,y\n1,2\n", "text/csv")}
        )
        assert no_columns.status_code == 422
        assert "文件无法读取" in no_columns.text
        bad_dates = client.post(
            "/console/plans",
            data={"area": AREA, "date_from": "2022-11-22", "date_to": "2022-11-21"},
        )
        assert bad_dates.status_code == 422
        assert "date_to is before date_from" in bad_dates.text
        outside_area = client.post(
            "/console/plans",
            data={"area": OTHER_AREA, "date_from": DATES[0], "date_to": DATES[1]},
        )
        assert outside_area.status_code == 403
        assert "outside your area" in outside_area.text
        unknown = client.get("/console/plans/no-such-plan")
        assert unknown.status_code == 404 and "no plan" in unknown.text
        not_confirmed = client.post("/console/plans/x/publish", data={"through": DATES[0]})
        assert not_confirmed.status_code == 422 and "Tick the box" in not_confirmed.text
        too_long = client.post("/console/plans", data={"area": "1" * 50})
        assert too_long.status_code == 422
        assert "text/html" in too_long.headers["content-type"]
        assert "1" * 50 not in too_long.text
        header, first = saved.fixed.read_text(encoding="utf-8").splitlines()[:2]
        too_many = "\n".join([header] + [first] * (BATCH_LIMIT + 1)) + "\n"
        for action in ("check", "save"):
            answer = client.post(
                f"/console/registrations/{action}",
                files={"file": ("big.csv", too_many.encode(), "text/csv")},
            )
            assert answer.status_code == 422 and f"at most {BATCH_LIMIT}" in answer.text
    with _client(console, "hr") as client:
        bad_note = client.post(
            "/console/reports/warnings/W-150203-20221121/acknowledge",
            data={"week": DATES[0], "note": "done\u202e"},
        )
        assert bad_note.status_code == 422 and "note" in bad_note.text
        far_week = client.get("/console/reports", params={"week": "0001-01-03"})
        assert far_week.status_code == 422 and "2000 to 2099" in far_week.text


def test_a_form_from_another_site_is_refused(console: Console) -> None:
    with _client(console, "planner") as client:
        answer = client.post(
            "/console/plans",
            data={"area": AREA, "date_from": DATES[0], "date_to": DATES[1]},
            headers={"origin": "https://elsewhere.example"},
        )
    assert answer.status_code == 403
    assert "another site" in answer.text


def test_an_event_that_does_not_fit_says_why_on_the_line(
    console: Console, saved: WeekFiles
) -> None:
    with _client(console, "registrar") as client:
        answer = client.post(
            f"/console/registrations/{saved.ids[1]}/events",
            data={"event": "handed_over"},
            headers={"hx-request": "true"},
        )
    assert answer.status_code == 200
    assert 'class="notice bad"' in answer.text
    assert re.search(r"handed_over|handed over", answer.text)


def test_the_api_keeps_its_json_answers(console: Console) -> None:
    answer = httpx.get(f"{console.url}/v1/plans/none", headers=_bearer(console, "planner"))
    assert answer.status_code == 404
    assert answer.json() == {"detail": "no plan 'none'"}
    invalid = httpx.get(
        f"{console.url}/v1/registrations?destination=abc", headers=_bearer(console, "planner")
    )
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["query", "destination"]

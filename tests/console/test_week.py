"""The week in the browser, as docs/console.md walks it: a registrar uploads a file with bad
rows, fixes them and saves, posts events; a planner plans, opens a trip, the map, re-plans
after a cancellation, tells the people, publishes and downloads plan.xlsx, compares
scenarios; human resources read the weekly tables, the ledger and the warnings; a viewer
sees the plan with personal data masked. Every page is photographed (into
POINTPLAN_CONSOLE_SHOTS when set, as docs/console/ is made) and no page may send a request
off this machine."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import httpx2 as httpx
import openpyxl
import pytest
from playwright.sync_api import Browser, Page, expect

from pointplan.store.database import Database
from pointplan.store.models import PlanJob
from tests.console.checks import page_problems
from tests.console.conftest import AREA, DATES, OTHER_AREA, Console, Outside, open_page
from tests.console.week import (
    BAD_DATE_ROW,
    BAD_PHONE_ROW,
    EXTRA_SHOTS,
    ROWS,
    STEPS,
    WeekFiles,
    week_files,
)

PLAN_SECONDS = 240_000
"""How long (ms) a page may wait for a plan job here (a 3 s search, on a loaded machine)."""

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> WeekFiles:
    """The registrar's file with two bad rows, and the same file fixed."""
    return week_files(tmp_path_factory.mktemp("week"), AREA, OTHER_AREA, *DATES)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go."""
    wanted = os.environ.get("POINTPLAN_CONSOLE_SHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Walk:
    """The browser tab of the walkthrough, its screenshots in the order of `STEPS`."""

    def __init__(self, page: Page, console: Console, shots: Path) -> None:
        self.page = page
        self.console = console
        self.shots = shots
        self.taken: list[str] = []

    def go(self, path: str) -> None:
        """Open a console page."""
        self.page.goto(f"{self.console.url}{path}")

    def sign_in(self, role: str) -> None:
        """Sign out whoever is signed in and sign in with `role`'s token."""
        self.page.context.clear_cookies()
        self.go("/console")
        expect(self.page).to_have_url(re.compile(r"/console/sign-in$"))
        self.page.get_by_label("令牌 Token").fill(self.console.tokens[role])
        self.page.get_by_role("button", name="登录 Sign in").click()

    def shot(self, name: str) -> None:
        """Photograph the whole page as step `name` of the walkthrough."""
        assert name == STEPS[len(self.taken)].shot, "the steps are taken in the guide's order"
        self.check_page()
        self.page.screenshot(path=self.shots / f"{name}.png", full_page=True)
        self.taken.append(name)

    def check_page(self) -> None:
        """The page's fields are labelled, its text readable, its width the window's."""
        problems = page_problems(self.page)
        assert problems == [], f"{self.page.url}: {problems}"

    def extra(self, name: str) -> None:
        """Photograph a page the guide shows at its end (`EXTRA_SHOTS`)."""
        assert name in EXTRA_SHOTS
        self.check_page()
        self.page.screenshot(path=self.shots / f"{name}.png", full_page=True)

    def wait_for_plan(self) -> str:
        """Wait on a plan's page until its job is done; the plan's id."""
        expect(self.page.get_by_role("heading", name="概况 Summary")).to_be_visible(
            timeout=PLAN_SECONDS
        )
        found = re.search(r"/console/plans/([A-Za-z0-9._-]+)", self.page.url)
        assert found
        return found.group(1)


def test_the_week(
    browser: Browser, console: Console, files: WeekFiles, shots: Path, outside: Outside
) -> None:
    page = open_page(browser, outside)
    assert isinstance(page, Page)
    walk = Walk(page, console, shots)

    # 1. sign in: the registrar lands on the registrations
    walk.go("/console")
    expect(page.get_by_role("heading", name="登录 Sign in")).to_be_visible()
    walk.shot("01-sign-in")
    page.get_by_label("令牌 Token").fill("pp_not-a-token")
    page.get_by_role("button", name="登录 Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    walk.sign_in("registrar")
    expect(page).to_have_url(re.compile(r"/console/registrations$"))

    # 2. the file with two bad rows: each listed with its row and column, nothing saved
    page.get_by_label("登记表文件 Registrations file").set_input_files(files.bad)
    page.get_by_role("button", name="检查 Check").click()
    bad_rows = page.locator("#bad-rows tbody tr")
    expect(bad_rows).to_have_count(2)
    expect(bad_rows.nth(0)).to_contain_text(str(BAD_PHONE_ROW))
    expect(bad_rows.nth(0)).to_contain_text("phone")
    expect(bad_rows.nth(1)).to_contain_text(str(BAD_DATE_ROW))
    expect(bad_rows.nth(1)).to_contain_text("earliest_date")
    expect(page.locator("#upload-result")).to_contain_text(f"{ROWS - 2} 条可以保存")
    assert files.bad_phone not in page.content(), "a rejected value is never shown"
    walk.shot("02-upload-check")

    # 3. fixed: nothing wrong, saved on confirmation
    page.get_by_label("登记表文件 Registrations file").set_input_files(files.fixed)
    page.get_by_role("button", name="检查 Check").click()
    expect(page.locator("#upload-result")).to_contain_text(f"{ROWS} 条可以保存")
    expect(page.locator("#bad-rows")).to_have_count(0)
    page.get_by_role("button", name="保存正确的行 Save the good rows").click()
    expect(page.locator("#upload-result")).to_contain_text(f"已保存 {ROWS} 条")
    walk.shot("03-upload-saved")

    # 4. the list, filtered; a health check posted from it
    page.reload()
    page.get_by_label("状态 Status").select_option("registered")
    page.get_by_role("button", name="筛选 Filter").click()
    first = sorted(files.ids)[0]
    row = page.locator(f"#row-{first}")
    expect(row).to_contain_text("已登记 registered")
    row.get_by_text("记录事件 Record an event").click()
    row.get_by_label("事件 Event").select_option("health_checked")
    row.get_by_label("核酸结果 Health result").select_option("normal")
    row.get_by_role("button", name="记录 Record").click()
    expect(row.locator("[id^=answer-ev-]")).to_contain_text("已记录")
    expect(row.locator(f"#status-{first}")).to_contain_text("已核酸")
    walk.shot("04-registrations")

    # 5. one registration's history
    row.get_by_role("link", name=first).click()
    expect(page.locator("#history")).to_contain_text("核酸/体温 health check")
    walk.shot("05-registration")

    # 6. the planner starts a plan and follows it
    walk.sign_in("planner")
    page.get_by_role("link", name="方案 Plans").click()
    page.get_by_label("地区区划码 Area adcode").fill(AREA)
    page.get_by_label("从 From").fill(DATES[0])
    page.get_by_label("到 To").fill(DATES[1])
    page.get_by_label("计算时间（秒）Search seconds").fill("3")
    page.get_by_label("满载率上限 Load cap (0–1)").fill("0.5")
    page.get_by_role("button", name="开始排车 Start the plan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(AREA)
    walk.shot("06-plan-start")

    # 7. its summary: vehicles against the bound, people, cost, stops
    plan_id = walk.wait_for_plan()
    figures = page.locator(".figures")
    expect(figures).to_contain_text("下界 lower bound")
    expect(figures).to_contain_text(f"/ {_people(files)}")
    walk.shot("07-plan-summary")

    # 8. the trips sort; one trip's page with its seat map, printable
    page.get_by_role("link", name="人数 people").click()
    expect(page).to_have_url(re.compile(r"sort=people"))
    trip_link = page.locator("#trips tbody tr").first.get_by_role("link").first
    trip_id = trip_link.inner_text()
    trip_link.click()
    document = page.frame_locator("#trip-document")
    expect(document.locator("h2", has_text="座位图 Seat map")).to_be_visible()
    expect(document.locator("svg").first).to_be_visible()
    expect(page.get_by_role("button", name="打印 Print")).to_be_visible()
    walk.shot("08-trip")

    # 9. the map, on grey: no tile server is configured
    walk.go(f"/console/plans/{plan_id}/map")
    expect(page.frame_locator("iframe.map").locator(".leaflet-container")).to_be_visible()
    walk.shot("09-map")
    for framed in ("map.html", f"documents/trips/{trip_id}.html"):  # framed by the console only
        policy = page.request.get(f"{console.url}/console/plans/{plan_id}/{framed}").headers
        assert "frame-ancestors 'self'" in policy["content-security-policy"]
        assert "http" not in policy["content-security-policy"]  # no other host, no tiles set

    # 10. a person on the trip cancels; the re-plan's changes say whom to tell
    cancelled = _someone_on(console, plan_id, trip_id)
    walk.go(f"/console/registrations/{cancelled}")
    page.get_by_label("事件 Event").select_option("cancelled")
    page.get_by_label("原因 Reason").select_option("cancelled")
    page.get_by_role("button", name="记录 Record").click()
    expect(page.locator("#answer-detail")).to_contain_text("已记录")
    expect(page.locator("#history")).to_contain_text("取消 cancelled")
    walk.go(f"/console/plans/{plan_id}")
    page.get_by_role("button", name="重新排车 Re-plan from this plan").click()
    replan_id = walk.wait_for_plan()
    assert replan_id != plan_id
    assert _settings_of(console, replan_id) == _settings_of(console, plan_id)  # inherited
    page.get_by_role("link", name="变化和通知名单 Changes and people to tell").click()
    change = page.locator("#changes tr", has_text=cancelled)
    expect(change).to_contain_text("取消 removed")
    walk.shot("10-replan-changes")

    # 11. publish the first day, confirmed; download plan.xlsx
    walk.go(f"/console/plans/{replan_id}")
    page.get_by_role("button", name="发布 Publish").click()  # not confirmed: refused
    expect(page.locator("#publish-confirm")).to_be_visible()
    page.get_by_label("发布到（含）Publish the trips through").fill(DATES[0])
    page.locator("#publish-confirm").check()
    page.get_by_role("button", name="发布 Publish").click()
    expect(page.locator("#publish")).to_contain_text(f"已发布至 Published through {DATES[0]}")
    walk.shot("11-publish")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 plan.xlsx").click()
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert len(workbook.sheetnames) >= 2
    walk.go("/console/plans")
    expect(page.locator("#plans tbody tr")).to_have_count(2)
    walk.extra("plans-list")

    # 12. three scenarios side by side
    page.get_by_role("link", name="比较 Scenarios").click()
    page.get_by_label("地区区划码 Area adcode").fill(AREA)
    page.get_by_label("从 From").fill(DATES[0])
    page.get_by_label("到 To").fill(DATES[1])
    page.get_by_label("每个方案计算秒数 Search seconds each").fill("2")
    walk.extra("scenarios-form")
    page.get_by_role("button", name="开始比较 Compare").click()
    expect(page.locator("#scenarios tbody tr")).to_have_count(3)
    # the charts appear once one scenario is done; the notice goes when all three are
    expect(page.locator("#comparison .notice.warn")).to_have_count(0, timeout=PLAN_SECONDS)
    expect(page.locator("figure.chart")).to_have_count(2)
    expect(page.locator("figure.chart").first.locator("rect")).to_have_count(3)
    walk.shot("12-scenarios")

    # 13. human resources: the weekly report, the ledger, the warnings
    walk.sign_in("hr")
    expect(page).to_have_url(re.compile(r"/console/reports"))
    walk.go(f"/console/reports?week={DATES[0]}")
    expect(page.get_by_role("heading", name="周报 Weekly report")).to_be_visible()
    expect(
        page.get_by_role("heading", name="返乡服务台账 Return-home services ledger")
    ).to_be_visible()
    expect(page.locator("#reporting")).to_contain_text("未提交 not submitted")
    page.locator("#reporting").get_by_role("link", name=re.compile("昆都仑区")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("150203")
    expect(page.locator("#weekly-return_to_work tbody tr").first).to_contain_text(
        re.compile(r"昆都仑区\d")
    )
    page.get_by_role("button", name="计算本周预警 Raise this week's warnings").click()
    expect(page.get_by_role("heading", name="预警 Early warnings")).to_be_visible()
    walk.shot("13-reports")

    # 14. a viewer: the plan and its trips, names masked; no registrations
    walk.sign_in("viewer")
    expect(page).to_have_url(re.compile(r"/console/plans$"))
    expect(page.get_by_role("link", name="登记 Registrations")).to_have_count(0)
    walk.go(f"/console/plans/{replan_id}/trips/{trip_id}")
    text = page.frame_locator("#trip-document").locator("body").inner_text()
    assert "*" in text
    assert not [name for name in files.names if len(name) > 1 and name in text]
    walk.shot("14-viewer")
    walk.go("/console/registrations")
    expect(page.get_by_role("alert")).to_contain_text("viewer role may not")
    walk.extra("refused")

    assert walk.taken == [step.shot for step in STEPS]
    assert not outside.hosts, f"the pages sent requests off the machine: {outside.hosts}"


def _people(files: WeekFiles) -> int:
    """The people of the fixed file (its parties' sizes)."""
    import csv

    with files.fixed.open(encoding="utf-8") as handle:
        return sum(int(row["party_size"] or 1) for row in csv.DictReader(handle))


def _settings_of(console: Console, plan_id: str) -> tuple[object, ...]:
    """The fleet, rules and search time a plan job was queued with."""
    db = Database(console.database_url)
    try:
        with db.session() as session:
            job = session.get(PlanJob, plan_id)
            assert job is not None
            assert job.policy is not None and job.time_limit == 3
            return job.fleet, job.policy, job.time_limit
    finally:
        db.dispose()


def _someone_on(console: Console, plan_id: str, trip_id: str) -> str:
    """A registration riding `trip_id` of the plan (read through the API)."""
    answer = httpx.get(
        f"{console.url}/v1/plans/{plan_id}/trips/{trip_id}",
        headers={"Authorization": f"Bearer {console.tokens['planner']}"},
    )
    answer.raise_for_status()
    registration_id: str = answer.json()["manifest"][0]["registration_id"]
    return registration_id

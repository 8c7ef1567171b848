"""The console used without a mouse, and the page checks the walkthrough runs on every page
(labels, contrast, width) shown to find what they are meant to find."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.console.checks import page_problems
from tests.console.conftest import Console, Outside, open_page


def _page(browser: Browser, outside: Outside) -> Page:
    page = open_page(browser, outside)
    assert isinstance(page, Page)
    return page


def _tab_to(page: Page, selector: str, most: int = 30) -> None:
    """Press Tab until the element `selector` has the focus (at most `most` times)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never had the focus after {most} Tabs")


def test_the_week_starts_with_the_keyboard_alone(
    browser: Browser, console: Console, outside: Outside
) -> None:
    """Sign in, skip to the content, and open the plans, with Tab and Enter only."""
    page = _page(browser, outside)
    page.goto(f"{console.url}/console/sign-in")
    _tab_to(page, "#token")
    page.keyboard.type(console.tokens["planner"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="退出 Sign out")).to_be_visible()

    page.keyboard.press("Tab")  # the first stop is the link past the menu, shown when focused
    skip = page.get_by_role("link", name="跳到正文 Skip to the content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0, "the skip link is on the screen when focused"

    _tab_to(page, 'nav a[href="/console/plans"]')
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("方案 Plans")
    assert outside.hosts == []


def test_the_page_checks_find_what_they_look_for(browser: Browser, outside: Outside) -> None:
    page = _page(browser, outside)
    page.set_content(
        '<label>名称 Name <input name="named"></label><input name="nameless">'
        '<p style="color:#999">pale grey on white</p><p style="color:#555">dark enough</p>'
        '<div style="width:3000px">too wide</div>'
    )
    problems = page_problems(page)
    assert "no label: nameless" in problems
    assert not any("named" in p and "nameless" not in p for p in problems)
    low = [p for p in problems if p.startswith("low contrast")]
    assert len(low) == 1 and "pale grey" in low[0]
    assert any("wider than the window" in p for p in problems)

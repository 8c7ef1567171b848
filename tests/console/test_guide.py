"""docs/console.md and the browser walkthrough are one: the guide's steps are the test's
steps, in order, each with the screenshot the test takes."""

from __future__ import annotations

import re

from tests.conftest import ROOT
from tests.console.week import EXTRA_SHOTS, STEPS

GUIDE = ROOT / "docs" / "console.md"


def test_the_guide_walks_the_steps_the_browser_test_walks() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    headings = re.findall(r"^## (\d+)\. (.+)$", text, flags=re.MULTILINE)
    assert [(int(n), h) for n, h in headings] == [
        (i, step.heading) for i, step in enumerate(STEPS, start=1)
    ]
    sections = re.split(r"^## .+$", text, flags=re.MULTILINE)[1:]
    steps, others = sections[: len(STEPS)], "".join(sections[len(STEPS) :])
    for step, section in zip(STEPS, steps, strict=True):
        pictures = re.findall(r"!\[[^\]]+\]\((console/[^)]+\.png)\)", section)
        assert pictures == [f"console/{step.shot}.png"], step.heading
        assert (GUIDE.parent / pictures[0]).is_file(), pictures[0]
    shown = re.findall(r"!\[[^\]]+\]\((console/[^)]+\.png)\)", others)
    assert shown == [f"console/{name}.png" for name in EXTRA_SHOTS]
    assert all((GUIDE.parent / picture).is_file() for picture in shown)

"""RESULTS.md: each benchmark owns one section and replaces only that section."""

from __future__ import annotations

import datetime as dt
import platform
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def replace_section(heading: str, section: str, path: Path = RESULTS) -> None:
    """Put `section` (which starts with `heading`) in place of the section of that heading,
    or at the end when there is none yet; the other sections stay as they are."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n\n"
    start = text.find(heading)
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + ("\n" + text[end + 1 :] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def machine_line() -> str:
    """The line a section of RESULTS.md gives for where and when it was measured."""
    return (
        f"Machine: {platform.machine()}, {platform.processor() or 'cpu'}, 2 cores, Python "
        f"{platform.python_version()}. Date: {dt.date.today()}."
    )

"""Text that is valid everywhere it goes: ids of one safe shape, and free text without the
characters that break storage, display or logs.

A lone surrogate cannot be written as UTF-8 (PostgreSQL refuses it, a JSON answer carrying it
fails); NUL and other control characters cut strings short or forge log lines; bidirectional
overrides make a manifest read differently from what it holds. Each is refused where text
comes in, naming the field and the rule, never repeating the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator

ID_PATTERN = r"^[A-Za-z0-9._-]{1,100}$"
"""What a registration or point id may be: 1 to 100 of A-Z a-z 0-9 . _ -"""
ID_RULE = "1 to 100 characters of A-Z, a-z, 0-9, '.', '_' and '-'"
_ID = re.compile(ID_PATTERN)

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def id_problem(value: str) -> str | None:
    """Why `value` is not a valid id, or None when it is."""
    return None if _ID.match(value) else f"an id is {ID_RULE}"


def text_problem(value: str, lines: bool = False) -> str | None:
    """Why `value` may not be stored as text, or None when it may. With `lines`, tabs and
    line breaks are allowed (free-text notes); other control characters never are."""
    if value.isascii() and value.isprintable():
        return None
    if _SURROGATE.search(value):
        return "holds a lone surrogate, which is not valid Unicode"
    if (_CONTROL_BUT_LINES if lines else _CONTROL).search(value):
        return "holds a control character (NUL, line breaks and the like are not allowed)"
    if _BIDI.search(value):
        return "holds a bidirectional override or isolate character"
    return None


def shown(value: str) -> str:
    """`value` made safe to repeat in a message: characters `text_problem` refuses are
    written as escapes (for naming an unknown key, which is not personal data)."""
    if text_problem(value) is None:
        return value
    return value.encode("unicode_escape", "backslashreplace").decode("ascii")


def _refusing(check: Callable[[str], str | None]) -> Callable[[str], str]:
    """A pydantic after-validator raising what `check` says is wrong with a value."""

    def validate(value: str) -> str:
        problem = check(value)
        if problem:
            raise ValueError(problem)
        return value

    return validate


SafeText = Annotated[str, AfterValidator(_refusing(text_problem))]
"""A string field of one line that `text_problem` accepts."""
SafeNote = Annotated[str, AfterValidator(_refusing(lambda v: text_problem(v, lines=True)))]
"""A free-text string field that may hold tabs and line breaks, nothing else `text_problem`
refuses."""

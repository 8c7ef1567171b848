"""Personal data (names, resident id numbers, phones): how it is validated and how it is
masked wherever it is shown (documents, the service's answers) unless it may be seen.

Messages never repeat the value: personal data must not reach logs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def resident_id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of a resident id."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id_problem(value: str) -> str | None:
    """Why `value` is not a valid 18-character resident id number, or None when it is."""
    value = value.strip().upper()
    if not _ID_SHAPE.match(value):
        return "a resident id number has 17 digits and a check digit or X (18 characters)"
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "the birth date inside the resident id number is not a date"
    if resident_id_check_char(value[:17]) != value[17]:
        return "the resident id number's check digit is wrong (GB 11643 checksum)"
    return None


def phone_problem(value: str) -> str | None:
    """Why `value` is not a mainland mobile or landline number, or None when it is."""
    digits = re.sub(r"[\s()]", "", value.strip())
    digits = digits.removeprefix("+86").removeprefix("0086")
    if _MOBILE.match(digits) or _LANDLINE.match(digits):
        return None
    return "not a mobile (11 digits starting with 1) or landline (0 area code + number) number"


def mask_name(name: str) -> str:
    """Keep the family name: 张三丰 -> 张**; a name of one character is masked whole."""
    if len(name) < 2:
        return "*" * len(name)
    return name[:1] + "*" * (len(name) - 1)


def mask_id_number(value: str) -> str:
    """Keep the region code and the last four characters: 150102********123X."""
    return value[:6] + "*" * 8 + value[-4:] if len(value) == 18 else "*" * len(value)


def mask_phone(value: str) -> str:
    """Keep the first three and last four digits: 138****5678."""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) >= 8 else "*" * len(value)


PERSONAL_FIELDS = ("name", "id_number", "phone")
_MASKS = {"name": mask_name, "id_number": mask_id_number, "phone": mask_phone}


def mask_field(field: str, value: str) -> str:
    """`value` of a personal field (name, id_number or phone) masked the way that field is."""
    return _MASKS[field](value)


def shown_personal_fields(values: Mapping[str, object], show: bool) -> dict[str, str]:
    """Name, id number and phone from `values` as text ("" where absent), each masked unless
    `show`."""
    texts = {name: str(values.get(name) or "") for name in PERSONAL_FIELDS}
    if show:
        return texts
    return {name: mask_field(name, text) if text else "" for name, text in texts.items()}

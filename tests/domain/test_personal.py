"""Personal data: resident id checksums, phone shapes and masking."""

from __future__ import annotations

import pytest

from pointplan.domain.personal import (
    mask_id_number,
    mask_name,
    mask_phone,
    phone_problem,
    resident_id_check_char,
    resident_id_problem,
)

VALID_ID = "11010519491231002X"  # the GB 11643 standard's own example


def test_standard_example_is_valid() -> None:
    """The standard's example id number passes, and its check character is X."""
    assert resident_id_check_char(VALID_ID[:17]) == "X"
    assert resident_id_problem(VALID_ID) is None
    assert resident_id_problem(VALID_ID.lower()) is None


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        ("110105194912310021", "check digit"),
        ("11010519491331002X", "birth date"),
        ("1101051949123100", "18 characters"),
        ("11010519491231002Y", "18 characters"),
    ],
)
def test_bad_resident_ids(value: str, pattern: str) -> None:
    """Wrong checksum, impossible birth date and wrong shape are each named, without the value."""
    message = resident_id_problem(value)
    assert message is not None and pattern in message
    assert value not in message


@pytest.mark.parametrize(
    "value", ["13812345678", "+86 138 1234 5678", "0471-1234567", "01012345678"]
)
def test_good_phones(value: str) -> None:
    """Mobiles (with or without +86) and landlines with an area code pass."""
    assert phone_problem(value) is None


@pytest.mark.parametrize("value", ["12345", "23812345678", "1381234567a", ""])
def test_bad_phones(value: str) -> None:
    """Other shapes are refused."""
    assert phone_problem(value) is not None


def test_masks_keep_only_what_identifies_nothing() -> None:
    """Masks keep the family name, the region code and the last digits only."""
    assert mask_name("张三丰") == "张**"
    assert mask_id_number(VALID_ID) == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"

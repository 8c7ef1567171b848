"""Golden files: outputs of small fixed inputs, committed and compared byte for byte.

After an intended change of an output, regenerate the golden files with

    POINTPLAN_REGOLD=1 python -m pytest tests -k golden

and review their diff before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest


def check_golden(found: str, golden: Path) -> None:
    """`found` must equal the golden file's text (rewritten first when POINTPLAN_REGOLD=1)."""
    if os.environ.get("POINTPLAN_REGOLD") == "1":
        golden.write_text(found, encoding="utf-8")
        pytest.skip(f"{golden.name} regenerated: review its diff; the test compares nothing now")
    expected = golden.read_text(encoding="utf-8")
    assert found == expected, f"{golden.name} differs; if intended, regenerate (tests/golden.py)"


def frame_text(frame: pd.DataFrame) -> str:
    """A table as the CSV text its golden file holds."""
    return frame.to_csv(index=False, lineterminator="\n")


def workbook_as_table(path: Path) -> pd.DataFrame:
    """Every sheet of a workbook read back as text, stacked, the sheet's name first."""
    sheets = pd.read_excel(path, sheet_name=None, dtype=str, na_filter=False)
    return pd.concat(
        [frame.assign(sheet=name)[["sheet", *frame.columns]] for name, frame in sheets.items()],
        ignore_index=True,
    ).fillna("")  # the notes sheet has none of the other sheets' columns

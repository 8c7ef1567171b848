"""Reading a table (CSV, XLSX or a DataFrame) as text cells with normalised headers."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pandas as pd

from pointplan.io.errors import InputError, InputIssue


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(source: Path | pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """(name for messages, table of str cells with lower-case stripped headers)."""
    if isinstance(source, pd.DataFrame):
        name, frame = "DataFrame", source.reset_index(drop=True)
    else:
        path = Path(source)
        name = path.name
        try:
            if path.suffix.lower() in (".xlsx", ".xlsm"):
                frame = pd.read_excel(path, dtype=object, engine="openpyxl")
            else:
                frame = pd.read_csv(
                    path,
                    dtype=str,
                    keep_default_na=False,
                    encoding="utf-8-sig",
                    skipinitialspace=True,
                )
        except FileNotFoundError:
            raise InputError([InputIssue(str(path), "no such file")]) from None
        except UnicodeDecodeError:
            raise InputError([InputIssue(name, "not UTF-8 text; save the CSV as UTF-8")]) from None
        except (ValueError, OSError, zipfile.BadZipFile, pd.errors.ParserError) as error:
            raise InputError([InputIssue(name, f"cannot read the table: {error}")]) from None
    frame = frame.rename(columns=lambda column: str(column).strip().lower())
    if frame.columns.duplicated().any():
        duplicated = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise InputError([InputIssue(name, f"duplicate column(s): {', '.join(duplicated)}")])
    return name, frame.map(_cell_text) if len(frame) else frame.astype(str)

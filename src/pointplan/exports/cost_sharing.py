"""cost_sharing.xlsx: who pays for the plan's trips (pointplan.domain.cost_sharing).

Sheets: `by payer` (what each payer pays in all and a person carried), `by employer` (each
employer's bill by payer: the cap per employer is met there), `by trip` (each trip's cost
by payer), and `notes` (the tolls waived, the people carried).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pointplan.domain.cost_sharing import CostSplit


def cost_tables(split: CostSplit) -> dict[str, pd.DataFrame]:
    """The sheets of cost_sharing.xlsx, by name (see the module)."""
    per_person = split.per_person()
    payers = sorted(split.by_payer)
    return {
        "by payer": pd.DataFrame(
            [
                {
                    "payer": p,
                    "paid": round(split.by_payer[p], 2),
                    "per_person": round(per_person.get(p, 0.0), 2),
                }
                for p in payers
            ],
            columns=["payer", "paid", "per_person"],
        ),
        "by employer": pd.DataFrame(
            [
                {"employer": employer, "payer": payer, "paid": round(paid, 2)}
                for (employer, payer), paid in sorted(split.by_employer.items())
            ],
            columns=["employer", "payer", "paid"],
        ),
        "by trip": pd.DataFrame(
            [
                {"trip_id": trip_id, **{p: round(shares.get(p, 0.0), 2) for p in payers}}
                for trip_id, shares in split.by_trip.items()
            ],
            columns=["trip_id", *payers],
        ),
        "notes": pd.DataFrame(
            {
                "figure": ["tolls waived (yuan)", "people carried"],
                "value": [round(split.tolls_waived, 2), split.people],
            }
        ),
    }


def write_cost_sharing(split: CostSplit, path: Path) -> Path:
    """Write cost_sharing.xlsx to `path`."""
    with pd.ExcelWriter(path, engine="xlsxwriter") as book:
        for name, table in cost_tables(split).items():
            table.to_excel(book, sheet_name=name, index=False)
    return path

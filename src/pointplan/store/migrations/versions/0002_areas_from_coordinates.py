"""areas of registrations stored with coordinates

Registrations whose end was given by coordinates (with or without a place code) were stored
with no adcode for that end, so no registrar or area plan could reach them. Each such end now
gets the county the reader gives it today: the code's, when one came with the coordinates,
else the county whose seat is nearest within 50 km (none beyond).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 11:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pointplan.geo.gazetteer import default_gazetteer
from pointplan.io.registrations import county_of

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_REGISTRATIONS = sa.table(
    "registrations",
    sa.column("registration_id", sa.String),
    sa.column("fields", sa.JSON),
    sa.column("origin_adcode", sa.String),
    sa.column("destination_adcode", sa.String),
)


def _area(fields: dict[str, object], side: str) -> str:
    """The county of one end of a stored registration, as the reader now gives it."""
    try:
        lat, lon = float(str(fields[f"{side}_lat"])), float(str(fields[f"{side}_lon"]))
    except (KeyError, ValueError):
        return ""
    text = str(fields.get(side) or "").strip()
    adcode, _ = county_of(default_gazetteer(), text, lat, lon)
    return adcode or ""


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_REGISTRATIONS).where(
            sa.or_(_REGISTRATIONS.c.origin_adcode == "", _REGISTRATIONS.c.destination_adcode == "")
        )
    ).all()
    for row in rows:
        values = {}
        for side in ("origin", "destination"):
            if getattr(row, f"{side}_adcode") == "":
                area = _area(row.fields or {}, side)
                if area:
                    values[f"{side}_adcode"] = area
        if values:
            connection.execute(
                sa.update(_REGISTRATIONS)
                .where(_REGISTRATIONS.c.registration_id == row.registration_id)
                .values(**values)
            )


def downgrade() -> None:
    """The adcodes found stay: they are what the registrations say."""

"""event times in UTC, as every other stored time

Status events were stored in naive Beijing time while every other time was naive UTC, so one
answer mixed two zones without saying which. Every stored time is now UTC; the answers give
each with its offset.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 11:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _shift(hours: int) -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"UPDATE registration_events SET time = datetime(time, '{hours:+d} hours')")
    else:
        op.execute(f"UPDATE registration_events SET time = time + interval '{hours} hours'")


def upgrade() -> None:
    _shift(-8)


def downgrade() -> None:
    _shift(8)

"""scenario plans: a plan job may be a what-if of a comparison (its scenario's name), with
every party's window widened by some days; such a plan changes no registration and is never
published

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as plans:
        plans.add_column(sa.Column("scenario", sa.String(100), nullable=False, server_default=""))
        plans.add_column(
            sa.Column("date_flexibility_days", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("plans") as plans:
        plans.drop_column("date_flexibility_days")
        plans.drop_column("scenario")

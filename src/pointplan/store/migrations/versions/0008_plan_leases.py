"""plan jobs held by leases: the worker that runs a job, until when, and how many times a
worker claimed it (several service processes and plan workers on one database)

A job running when this migration runs has no lease: the first worker to look queues it
again (its process is gone).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as plans:
        plans.add_column(
            sa.Column("lease_owner", sa.String(100), nullable=False, server_default="")
        )
        plans.add_column(sa.Column("lease_expires_at", sa.DateTime(), nullable=True))
        plans.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("plans") as plans:
        plans.drop_column("attempts")
        plans.drop_column("lease_expires_at")
        plans.drop_column("lease_owner")

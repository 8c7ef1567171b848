"""publishing plans, plans from a base plan, and transport's answers to published trips

A plan may start from a base plan (`base_plan_id`) and is published through a date
(`published_through`, with who and when): its trips up to that date are issued (一车一方案)
and frozen in every later plan based on it. `trip_answers` holds transport's answer to a
published trip (plate, operator, drivers, escort; their phones sealed like other personal data)
and a vehicle type swapped for one of the same or more seats.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as plans:
        plans.add_column(sa.Column("base_plan_id", sa.String(40), nullable=True))
        plans.add_column(sa.Column("published_through", sa.Date(), nullable=True))
        plans.add_column(sa.Column("published_at", sa.DateTime(), nullable=True))
        plans.add_column(
            sa.Column("published_by", sa.String(100), nullable=False, server_default="")
        )
    op.create_table(
        "trip_answers",
        sa.Column(
            "plan_id",
            sa.String(40),
            sa.ForeignKey("plans.plan_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("trip_id", sa.String(100), primary_key=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("vehicle_type", sa.String(100), nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("trip_answers")
    with op.batch_alter_table("plans") as plans:
        plans.drop_column("published_by")
        plans.drop_column("published_at")
        plans.drop_column("published_through")
        plans.drop_column("base_plan_id")

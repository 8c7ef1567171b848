"""human resources' records: job postings, early warnings with their trail, and weekly
report submissions (docs/hr.md)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_postings",
        sa.Column("job_id", sa.String(100), primary_key=True),
        sa.Column("employer", sa.String(200), nullable=False),
        sa.Column("county", sa.String(6), nullable=False, index=True),
        sa.Column("trade", sa.String(100), nullable=False),
        sa.Column("openings", sa.Integer(), nullable=False),
        sa.Column("wage", sa.Float(), nullable=False),
        sa.Column("max_km", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
    )
    op.create_table(
        "warnings",
        sa.Column("warning_id", sa.String(20), primary_key=True),
        sa.Column("county", sa.String(6), nullable=False, index=True),
        sa.Column("week_start", sa.Date(), nullable=False, index=True),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "warning_steps",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "warning_id",
            sa.String(20),
            sa.ForeignKey("warnings.warning_id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("step", sa.String(20), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "report_submissions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("area", sa.String(6), nullable=False, index=True),
        sa.Column("week_start", sa.Date(), nullable=False, index=True),
        sa.Column("tables", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_by", sa.String(100), nullable=False),
        sa.Column("reopened_at", sa.DateTime(), nullable=True),
        sa.Column("reopened_by", sa.String(100), nullable=False),
        sa.Column("reopen_reason", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("report_submissions")
    op.drop_table("warning_steps")
    op.drop_table("warnings")
    op.drop_table("job_postings")

"""points carry a kind: stop, hub or station (interchange.md, "Points: kind")

Rows stored before are stops, as every point was.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("points") as points:
        points.add_column(sa.Column("kind", sa.String(10), nullable=False, server_default="stop"))


def downgrade() -> None:
    with op.batch_alter_table("points") as points:
        points.drop_column("kind")

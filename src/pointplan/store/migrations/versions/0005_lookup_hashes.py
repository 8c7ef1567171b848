"""registrations found by id number or phone, through keyed hashes

Two columns, `id_number_hash` and `phone_hash` (HMAC-SHA256 under a key derived from the
first data key; "" for no value), indexed. Rows stored before have NULL there: the service
hashes them when it starts (it holds the data keys; a migration does not).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("registrations") as registrations:
        registrations.add_column(sa.Column("id_number_hash", sa.String(64), nullable=True))
        registrations.add_column(sa.Column("phone_hash", sa.String(64), nullable=True))
    op.create_index("ix_registrations_id_number_hash", "registrations", ["id_number_hash"])
    op.create_index("ix_registrations_phone_hash", "registrations", ["phone_hash"])


def downgrade() -> None:
    op.drop_index("ix_registrations_phone_hash", "registrations")
    op.drop_index("ix_registrations_id_number_hash", "registrations")
    with op.batch_alter_table("registrations") as registrations:
        registrations.drop_column("phone_hash")
        registrations.drop_column("id_number_hash")

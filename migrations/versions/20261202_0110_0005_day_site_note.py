"""days: site, public note and cancellation; devices: one-time pairing codes

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-02 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("days", schema=None) as batch_op:
        batch_op.add_column(sa.Column("site", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("note", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("cancelled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pairing_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("pairing_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_unique_constraint("uq_devices_pairing_hash", ["pairing_hash"])


def downgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_constraint("uq_devices_pairing_hash", type_="unique")
        batch_op.drop_column("pairing_expires_at")
        batch_op.drop_column("pairing_hash")
    with op.batch_alter_table("days", schema=None) as batch_op:
        batch_op.drop_column("cancelled")
        batch_op.drop_column("note")
        batch_op.drop_column("site")

"""statistics rollup: one row of anonymous visit facts per closed center-day

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stats_days",
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("next_seq", sa.Integer(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["centers.id"],
            name=op.f("fk_stats_days_center_id_centers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("center_id", "date", name=op.f("pk_stats_days")),
    )


def downgrade() -> None:
    op.drop_table("stats_days")

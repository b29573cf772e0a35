"""merge the statistics, day-site and invitation branches into one head

Revision ID: 0007
Revises: 0004, 0005, 0006
Create Date: 2026-12-02 03:00:00

Three changes were written side by side on top of 0003; this revision joins them, so a
database is "at head" again with one row in alembic_version. No schema change.
"""

from collections.abc import Sequence

revision: str = "0007"
down_revision: str | tuple[str, ...] | None = ("0004", "0005", "0006")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

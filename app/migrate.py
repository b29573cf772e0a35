"""Applying Alembic migrations from code (the CLI and the test setup)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from app.config import ROOT
from app.db import ensure_sqlite_dir


def alembic_config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    """Blocking: env.py runs its own event loop, so call this outside a running loop."""
    ensure_sqlite_dir(url)
    # "heads": parallel branches may exist until a merge revision joins them.
    command.upgrade(alembic_config(url), "heads")

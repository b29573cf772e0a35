"""The room checker for tests: a worker's in-memory room equals a fresh database load."""

from __future__ import annotations

from datetime import datetime

from app.centers.context import center_by_slug, load_context
from app.db import Database
from app.room import store


async def room_differences(db: Database, now: datetime, slug: str = "lippe") -> list[str]:
    """Catch this Database's room of the center's day up to the log, then compare it
    visit by visit and step by step with the database (empty when they agree)."""
    async with db.read() as session:
        center = await center_by_slug(session, slug)
        ctx = await load_context(session, center, now=now)
    return await store.check(db, ctx)


async def assert_room_matches(db: Database, now: datetime, slug: str = "lippe") -> None:
    found = await room_differences(db, now, slug)
    assert found == [], "room differs from the database:\n" + "\n".join(found[:20])

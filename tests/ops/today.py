"""Open today's consultation day in a copied test database.

The session's template opened the day the run started; a server started after the
center's midnight (a long run, or one begun late in the evening) would find no open
day, and `LiveServer.start` waits for one.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.centers.loader import ensure_day
from app.centers.models import Center
from app.db import Database


async def open_today(url: str) -> None:
    db = Database(url)
    try:
        async with db.write() as session:
            for center in (await session.scalars(select(Center))).all():
                today = datetime.now(ZoneInfo(center.timezone)).date()
                await ensure_day(session, center_id=center.id, day=today)
    finally:
        await db.dispose()

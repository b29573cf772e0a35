"""The daily retention purge, run by the server itself (no cron needed).

Every worker of every host runs this loop; the work still happens once: each center's
purge is one write under that center's lock (`Database.write`: SQLite's write lock,
PostgreSQL's advisory lock) and is idempotent (visits already anonymised are not
selected, and a purge that finds nothing writes no event), so the worker that comes
second finds nothing left to do. A cheap read decides first, so idle days take no lock.

A center is due once its local time (the center's time zone) has passed
`WELCOME_PURGE_AT` (default 03:00, when nobody is checked in); it is purged of the
personal data of days older than `WELCOME_RETENTION_DAYS` (default 30), counted in its
own calendar. A worker remembers the local day it last purged each center; a restart
purges once more at its first check, which finds nothing if the day's purge ran. Old
audit entries (`WELCOME_AUDIT_RETENTION_DAYS`) go in the same round.
`welcome-center purge` does the same by hand.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.audit import service as audit
from app.audit.models import AuditEntry
from app.centers.models import Center
from app.db import Database
from app.tasks import cancel
from app.visits.models import Visit
from app.visits.retention import PURGED, purge_before

log = logging.getLogger("welcome_center.purge")


def parse_at(text: str) -> time | None:
    """`HH:MM` → a time of day; "off" → None (purged by `welcome-center purge` instead)."""
    if text.strip().lower() == "off":
        return None
    hours, _, minutes = text.strip().partition(":")
    return time(int(hours), int(minutes))


class DailyPurge:
    """One per process, started and stopped with the app (like the desk timers)."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        *,
        at: time | None,
        retention_days: int,
        audit_days: int,
        every: float = 60.0,
    ) -> None:
        self.db = db
        self.clock = clock
        self.at = at
        self.retention_days = retention_days
        self.audit_days = audit_days
        self.every = every
        self.done: dict[int, date] = {}  # center id → its local day last purged here
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.at is not None and self.every > 0:
            self._task = asyncio.create_task(self._loop(), name="daily-purge")

    async def stop(self) -> None:
        await cancel(self._task)
        self._task = None

    async def _loop(self) -> None:
        # The first check after one interval: a starting worker has other things to do.
        while True:
            await asyncio.sleep(self.every)
            try:
                await self.tick()
            except Exception:  # a database away at 03:00: the next check tries again
                log.warning("retention purge failed; trying again", exc_info=True)

    async def tick(self) -> int:
        """Purge every center that is due now; returns how many visits were anonymised."""
        if self.at is None:
            return 0
        now = self.clock()
        async with self.db.read() as session:
            centers = (await session.execute(select(Center.id, Center.timezone))).all()
        due: dict[int, tuple[date, date]] = {}  # center → (its local day, keep from)
        for center_id, timezone in centers:
            local = now.astimezone(ZoneInfo(timezone))
            if local.time() >= self.at and self.done.get(center_id) != local.date():
                due[center_id] = (local.date(), local.date() - timedelta(self.retention_days))
        if not due:
            return 0
        total = 0
        for center_id, (today, before) in sorted(due.items()):
            if await self._has_old_visits(center_id, before):
                async with self.db.write(center_id) as session:
                    count = await purge_before(session, center_id=center_id, before=before, now=now)
                total += count
                if count:
                    log.info("retention purge: center %s, %d visits anonymised", center_id, count)
            self.done[center_id] = today
        if await self._has_old_audit(now):
            await audit.purge(self.db, before=now - timedelta(days=self.audit_days))
        return total

    async def _has_old_visits(self, center_id: int, before: date) -> bool:
        async with self.db.read() as session:
            found = await session.scalar(
                select(func.count())
                .select_from(Visit)
                .where(
                    Visit.center_id == center_id,
                    Visit.date < before,
                    ~Visit.token.startswith(PURGED),
                )
            )
        return bool(found)

    async def _has_old_audit(self, now: datetime) -> bool:
        cutoff = now - timedelta(days=self.audit_days)
        async with self.db.read() as session:
            found = await session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.at < cutoff)
            )
        return bool(found)

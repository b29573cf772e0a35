"""Rollups of closed center-days built ahead of time, so no statistics query waits for them.

The same rule as the query (app/stats/service.py): a day is closed, and stored, once the
day after it is over too (before yesterday); yesterday and today stay live. A day whose
row is missing, of an older facts version, or read at an older seq (its own day's or the
next day's) is stale and built again.

Built a day at a time: one small read of the day's log (the next day's read is kept for
the day after), a yield to the event loop, and every BATCH days one short write under the
center's lock. The write checks again what another worker may have stored meanwhile and
whether the log moved since it was read, so two workers never write the same day twice
and nothing stale is stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.models import Center, DayCounter
from app.db import Database
from app.journal.models import Event
from app.stats.compute import FACTS_VERSION, LogEvent, VisitFact, day_facts
from app.stats.models import StatsDay
from app.tasks import cancel

log = logging.getLogger("welcome_center.stats")

BATCH = 20  # days per write: the center's lock is held for one small flush


def center_today(center: Center, now: datetime) -> date:
    return now.astimezone(ZoneInfo(center.timezone)).date()


def is_closed(day: date, today: date) -> bool:
    """Stored only once the next day is over too: its log may still finish the day's visits."""
    return day + timedelta(days=1) < today


Stamp = tuple[int, int, int]  # a stored row's version, last_seq, next_seq


def is_fresh(row: StatsDay | Stamp | None, seqs: dict[date, int], day: date) -> bool:
    if row is None:
        return False
    stamp = (row.version, row.last_seq, row.next_seq) if isinstance(row, StatsDay) else row
    return stamp == (FACTS_VERSION, seqs.get(day, 0), seqs.get(day + timedelta(days=1), 0))


async def last_seqs(
    session: AsyncSession, center_id: int, first: date, last: date
) -> dict[date, int]:
    rows = await session.execute(
        select(DayCounter.date, DayCounter.last_seq).where(
            DayCounter.center_id == center_id, DayCounter.date.between(first, last)
        )
    )
    return {day: seq for day, seq in rows.all()}


async def stored_days(
    session: AsyncSession, center_id: int, first: date, last: date
) -> dict[date, StatsDay]:
    rows = await session.scalars(
        select(StatsDay).where(StatsDay.center_id == center_id, StatsDay.date.between(first, last))
    )
    return {row.date: row for row in rows.all()}


async def stamps(
    session: AsyncSession, center_id: int, first: date, last: date
) -> dict[date, Stamp]:
    """What a stored row was read at, without its facts (a year's would be parsed)."""
    rows = await session.execute(
        select(StatsDay.date, StatsDay.version, StatsDay.last_seq, StatsDay.next_seq).where(
            StatsDay.center_id == center_id, StatsDay.date.between(first, last)
        )
    )
    return {day: (version, own, following) for day, version, own, following in rows.tuples()}


async def day_events(session: AsyncSession, center_id: int, day: date) -> list[LogEvent]:
    rows = await session.execute(
        select(Event.date, Event.seq, Event.type, Event.at, Event.visit_id, Event.desk, Event.data)
        .where(Event.center_id == center_id, Event.date == day, Event.visit_id.is_not(None))
        .order_by(Event.seq)
    )
    return [
        LogEvent(day_, seq, type_, at, visit_id, desk, data)
        for day_, seq, type_, at, visit_id, desk, data in rows.tuples()
    ]


async def stale_days(db: Database, center: Center, today: date) -> list[date]:
    """Closed days with a log whose rollup is missing or out of date, oldest first."""
    async with db.read() as session:
        seqs = await last_seqs(session, center.id, date.min, today)
        stored = await stamps(session, center.id, date.min, today)
    return sorted(
        day for day in seqs if is_closed(day, today) and not is_fresh(stored.get(day), seqs, day)
    )


async def build_days(db: Database, center: Center, days: Sequence[date]) -> int:
    """Read and store the rollups of these (closed) days; returns how many rows were written."""
    tz = ZoneInfo(center.timezone)
    written = 0
    # The last day read, with its seq as read before its events, for the day before it.
    kept: tuple[date, int, list[LogEvent]] | None = None
    for start in range(0, len(days), BATCH):
        batch = days[start : start + BATCH]
        read: dict[date, tuple[int, int, Sequence[VisitFact]]] = {}
        for day in batch:
            following = day + timedelta(days=1)
            # Each seq is read before its events: events newer than their seq only make
            # the stored row look stale (read again), never a stale row look fresh.
            async with db.read() as session:
                if kept and kept[0] == day:
                    own_seq, own = kept[1], kept[2]
                else:
                    own_seq = (await last_seqs(session, center.id, day, day)).get(day, 0)
                    own = await day_events(session, center.id, day)
                next_seq = (await last_seqs(session, center.id, following, following)).get(
                    following, 0
                )
                after = await day_events(session, center.id, following)
            kept = (following, next_seq, after)
            await asyncio.sleep(0)  # between parsing the rows and reducing them too
            read[day] = (own_seq, next_seq, day_facts(day, [*own, *after], tz))
            await asyncio.sleep(0)  # requests go first between days
        written += await _store(db, center.id, read)
    return written


async def _store(
    db: Database, center_id: int, read: dict[date, tuple[int, int, Sequence[VisitFact]]]
) -> int:
    first, last = min(read), max(read)
    count = 0
    async with db.write(center_id) as session:
        seqs = await last_seqs(session, center_id, first, last + timedelta(days=1))
        stored = await stamps(session, center_id, first, last)
        for day, (own_seq, next_seq, facts) in read.items():
            if is_fresh(stored.get(day), seqs, day):
                continue  # another worker (or a query) stored it meanwhile
            if (seqs.get(day, 0), seqs.get(day + timedelta(days=1), 0)) != (own_seq, next_seq):
                continue  # the log moved since it was read: the next round reads it again
            values = {
                "version": FACTS_VERSION,
                "last_seq": own_seq,
                "next_seq": next_seq,
                "facts": list(facts),
            }
            if day in stored:  # stale: replaced without reading its old facts
                await session.execute(
                    update(StatsDay)
                    .where(StatsDay.center_id == center_id, StatsDay.date == day)
                    .values(**values)
                )
            else:
                session.add(StatsDay(center_id=center_id, date=day, **values))
            count += 1
    return count


async def backfill(db: Database, center: Center, *, now: datetime) -> int:
    """Every stale closed day of the center rolled up; returns the rows written."""
    days = await stale_days(db, center, center_today(center, now))
    return await build_days(db, center, days) if days else 0


async def backfill_all(db: Database, *, now: datetime, slug: str | None = None) -> dict[str, int]:
    async with db.read() as session:
        query = select(Center).order_by(Center.id)
        if slug is not None:
            query = query.where(Center.slug == slug)
        centers = list((await session.scalars(query)).all())
    return {center.slug: await backfill(db, center, now=now) for center in centers}


class Rollups:
    """One per process: a backfill shortly after startup, then whenever a center's local
    day changed (the day before yesterday closed), and on demand when a query found days
    missing. Every worker runs it; the write's check makes the second one write nothing."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        *,
        after: float,
        every: float = 60.0,
    ) -> None:
        self.db = db
        self.clock = clock
        self.after = after
        self.every = every
        self.done: dict[int, date] = {}  # center id → its local day last backfilled here
        self._task: asyncio.Task[None] | None = None
        self._wanted = asyncio.Event()
        self.running = False

    async def start(self) -> None:
        if self.after > 0:
            self._task = asyncio.create_task(self._loop(), name="stats-rollups")

    async def stop(self) -> None:
        await cancel(self._task)
        self._task = None

    def nudge(self) -> None:
        """A query found days not rolled up: backfill now rather than at the next check."""
        self._wanted.set()

    async def _loop(self) -> None:
        # The server is serving by then; a query that found days missing starts it sooner.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wanted.wait(), self.after)
        while True:
            try:
                await self.tick(force=self._wanted.is_set())
            except Exception:  # a database away: the next check tries again
                log.warning("statistics rollup failed; trying again", exc_info=True)
            self._wanted.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wanted.wait(), self.every)

    async def tick(self, *, force: bool = False) -> int:
        """Backfill every center whose local day changed since its last backfill here."""
        now = self.clock()
        async with self.db.read() as session:
            centers = list((await session.scalars(select(Center).order_by(Center.id))).all())
        total = 0
        self.running = True
        try:
            for center in centers:
                today = center_today(center, now)
                if force or self.done.get(center.id) != today:
                    count = await backfill(self.db, center, now=now)
                    self.done[center.id] = today
                    if count:
                        log.info("statistics rollup: center %s, %d days", center.slug, count)
                    total += count
        finally:
            self.running = False
        return total

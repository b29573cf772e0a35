"""Statistics of a center over a date range: facts per center-day from the rollup where it
is still true to the log, from the log otherwise.

A closed day (before yesterday) is stored once read: its own log is final, and the next
day's (where consultations running over midnight finished) is closed too. A stored day
is read from the log again when the facts' version or either day's last seq changed.
Yesterday and today are always read live.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.models import Center
from app.db import Database
from app.journal.models import Event
from app.stats.compute import FACTS_VERSION, LogEvent, VisitFact, day_facts
from app.stats.models import StatsDay
from app.stats.rollup import is_closed, is_fresh, last_seqs, stored_days

# Rebuilding reads this many days' logs per query (a cold year: a dozen reads).
CHUNK_DAYS = 31

DayFacts = list[tuple[date, Sequence[VisitFact]]]


async def _events(
    session: AsyncSession, center_id: int, first: date, last: date
) -> dict[date, list[LogEvent]]:
    rows = await session.execute(
        select(Event.date, Event.seq, Event.type, Event.at, Event.visit_id, Event.desk, Event.data)
        .where(
            Event.center_id == center_id,
            Event.date.between(first, last),
            Event.visit_id.is_not(None),
        )
        .order_by(Event.date, Event.seq)
    )
    out: dict[date, list[LogEvent]] = defaultdict(list)
    for day, seq, type_, at, visit_id, desk, data in rows.tuples():
        out[day].append(LogEvent(day, seq, type_, at, visit_id, desk, data))
    return out


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days in chunks of at most CHUNK_DAYS: one log read each."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if (
            runs
            and day - runs[-1][1] == timedelta(days=1)
            and (day - runs[-1][0]).days < CHUNK_DAYS
        ):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


@dataclass
class RangeFacts:
    today: date
    days: DayFacts
    pending: list[date] = field(default_factory=list)  # closed days not rolled up yet


async def facts_for_range(
    db: Database,
    center: Center,
    first: date,
    last: date,
    *,
    now: datetime,
    inline: int | None = None,
) -> RangeFacts:
    """The center's today and the facts of every center-day in [first, last] with events.

    Closed days without a fresh rollup are read from the log here if there are at most
    `inline` of them (None: always); more are left out and named in `pending`, for the
    background rollup (app/stats/rollup.py) to build. Yesterday and today are always read.
    """
    tz = ZoneInfo(center.timezone)
    today = now.astimezone(tz).date()
    last = min(last, today)
    if last < first:
        return RangeFacts(today, [])
    async with db.read() as session:
        seqs = await last_seqs(session, center.id, first, last + timedelta(days=1))
        stored = await stored_days(session, center.id, first, last)
        facts: dict[date, Sequence[VisitFact]] = {}
        missing: list[date] = []
        for day in sorted(d for d in seqs if d <= last):
            row = stored.get(day)
            if row is not None and is_fresh(row, seqs, day):
                facts[day] = row.facts  # type: ignore[assignment]
            else:
                missing.append(day)
        closed = [day for day in missing if is_closed(day, today)]
        pending: list[date] = []
        if inline is not None and len(closed) > inline:
            pending = closed
            missing = [day for day in missing if not is_closed(day, today)]
        fresh: list[StatsDay] = []
        for start, end in _runs(missing):
            logs = await _events(session, center.id, start, end + timedelta(days=1))
            for offset in range((end - start).days + 1):
                day = start + timedelta(days=offset)
                if day not in seqs:
                    continue
                following = logs.get(day + timedelta(days=1), [])
                facts[day] = day_facts(day, [*logs.get(day, []), *following], tz)
                if is_closed(day, today):
                    fresh.append(
                        StatsDay(
                            center_id=center.id,
                            date=day,
                            version=FACTS_VERSION,
                            last_seq=seqs[day],
                            next_seq=seqs.get(day + timedelta(days=1), 0),
                            facts=facts[day],
                        )
                    )
    if fresh:
        await _store(db, center.id, fresh)
    return RangeFacts(today, sorted(facts.items()), pending)


async def _store(db: Database, center_id: int, rows: list[StatsDay]) -> None:
    """A short write of what was read outside it; a concurrent query's rows are replaced."""
    async with db.write(center_id) as session:
        for row in rows:
            await session.merge(row)

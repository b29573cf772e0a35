"""Appending to the event log: the next gap-free seq of a center-day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.models import DayCounter
from app.journal.hint import CHANNEL, Hint
from app.journal.models import Event
from app.kinds import EventType

PENDING_KEY = "events"
COUNTERS_KEY = "day_counters"


def _keep(session: AsyncSession, counter: DayCounter) -> DayCounter:
    # The session's identity map holds rows weakly: without a reference the row is
    # gone after each use and every seq lookup of a request would read it again.
    session.info.setdefault(COUNTERS_KEY, {})[(counter.center_id, counter.date)] = counter
    return counter


async def day_counter(session: AsyncSession, *, center_id: int, day: date) -> DayCounter:
    """The counter row of a center-day; callers hold the center's write lock."""
    counter = await session.get(DayCounter, (center_id, day))
    if counter is None:
        counter = DayCounter(center_id=center_id, date=day, last_seq=0, last_ticket=0)
        session.add(counter)
        await session.flush()
    return _keep(session, counter)


async def append(
    session: AsyncSession,
    *,
    center_id: int,
    day: date,
    type: EventType,
    at: datetime,
    data: dict[str, Any],
    visit_id: str | None = None,
    desk: str | None = None,
) -> Event:
    counter = await day_counter(session, center_id=center_id, day=day)
    counter.last_seq += 1
    event = Event(
        center_id=center_id,
        date=day,
        seq=counter.last_seq,
        type=type,
        at=at,
        visit_id=visit_id,
        desk=desk,
        data=data,
    )
    session.add(event)
    session.info.setdefault(PENDING_KEY, []).append(event)
    if session.get_bind().dialect.name == "postgresql":
        # Inside the writing transaction: PostgreSQL sends it on commit, never on rollback.
        hint = Hint(center_id, day, counter.last_seq)
        await session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": hint.encode()},
        )
    return event


SEEN_KEY = "seen_seq"


def written_seq(session: AsyncSession, *, center_id: int, day: date) -> int | None:
    """The last seq this (write) session appended for a center-day, if any."""
    seqs = [
        e.seq
        for e in session.info.get(PENDING_KEY, [])
        if e.center_id == center_id and e.date == day
    ]
    return max(seqs) if seqs else None


def seen(session: AsyncSession, *, center_id: int, day: date, seq: int) -> None:
    """Tell a read session right after a write which seq that write committed: what it
    reads next stands at least there, so `last_seq` need not ask the counter."""
    session.info.setdefault(SEEN_KEY, {})[(center_id, day)] = seq


async def last_seq(session: AsyncSession, *, center_id: int, day: date) -> int:
    """The day's last seq as this session sees it (read once per session)."""
    known: int | None = session.info.get(SEEN_KEY, {}).get((center_id, day))
    if known is not None:
        return known
    counter = await session.get(DayCounter, (center_id, day))
    return _keep(session, counter).last_seq if counter else 0


async def events_after(
    session: AsyncSession, *, center_id: int, day: date, since: int, limit: int = 10_000
) -> Sequence[Event]:
    rows = await session.scalars(
        select(Event)
        .where(Event.center_id == center_id, Event.date == day, Event.seq > since)
        .order_by(Event.seq)
        .limit(limit)
    )
    return rows.all()

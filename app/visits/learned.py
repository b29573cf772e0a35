"""Service minutes learned from today's event log, kept up to date cheaply.

A service lasts from `visit.started` at a desk to the `visit.step_done` and/or
`visit.requeued` that the same desk's finish writes (both in one transaction, so one
batch always holds both). Staff often skip "start": then it lasts from the (last) call
plus the walk to the desk, the estimate the forecast makes for a called visitor too.
The log is read once per center-day and then only past the last seq seen: each refresh
costs one counter lookup while nothing happened. What was read is kept in the app's
caches (`app.caches`, reached through the session's Database), per (database, center,
day); the refreshed minutes also ride on the request's CenterContext, for the sync code
that builds routing views from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.caches import Key
from app.centers.context import CenterContext
from app.db import database_of
from app.journal.log import last_seq
from app.journal.models import Event
from app.routing.estimate import WALK_MINUTES
from app.routing.learn import Learned

CALLS = ("visit.called", "visit.recalled")
TYPES = (*CALLS, "visit.started", "visit.no_show", "visit.step_done", "visit.requeued")


@dataclass
class DayLog:
    """What one center-day's log taught so far, and the calls and starts still open."""

    learned: Learned
    seq: int = 0
    starts: dict[tuple[str, str], datetime] = field(default_factory=dict)
    calls: dict[tuple[str, str], datetime] = field(default_factory=dict)


def _prior(ctx: CenterContext) -> dict[str, float]:
    return {code: float(n.minutes) for code, n in ctx.needs.items()}


def day_key(database: str, ctx: CenterContext) -> Key:
    return (database, ctx.center.id, ctx.today)


async def refresh(session: AsyncSession, ctx: CenterContext) -> Learned:
    """The learned minutes of this center-day, brought up to the log's last seq."""
    db = database_of(session)
    key = day_key(db.url if db else "", ctx)
    log = db.caches.learned.get(key) if db else None
    seq = await last_seq(session, center_id=ctx.center.id, day=ctx.today)
    if log is None or seq < log.seq or log.learned.prior != _prior(ctx):
        # A new day, a reset database or new config minutes: read the log from the start.
        log = DayLog(learned=Learned(prior=_prior(ctx)))
        if db is not None:
            db.caches.learned.put(key, log)
    if seq > log.seq:
        events = await session.scalars(
            select(Event)
            .where(
                Event.center_id == ctx.center.id,
                Event.date == ctx.today,
                Event.seq > log.seq,
                Event.type.in_(TYPES),
            )
            .order_by(Event.seq)
        )
        # Another request may have applied some of these while this one awaited the
        # read: apply each event once (nothing awaits between this check and the update).
        _apply(log, [e for e in events.all() if e.seq > log.seq])
        log.seq = max(log.seq, seq)
    ctx.learned = log.learned
    return log.learned


def _apply(log: DayLog, events: list[Event]) -> None:
    finished: dict[tuple[str, str], tuple[datetime, list[str]]] = {}
    for e in events:
        if e.visit_id is None or e.desk is None:
            continue
        at_desk = (e.visit_id, e.desk)
        if e.type in CALLS:
            log.calls[at_desk] = e.at + timedelta(minutes=WALK_MINUTES)
            continue
        if e.type == "visit.started":
            log.starts[at_desk] = e.at
            continue
        if e.type == "visit.no_show":
            log.calls.pop(at_desk, None)
            log.starts.pop(at_desk, None)
            continue
        if at_desk not in log.starts and at_desk not in log.calls:
            continue  # a finish whose call lies before this log was read: nothing to time
        _, needs = finished.setdefault(at_desk, (e.at, []))
        needs += [str(n) for n in e.data.get("needs", [])]
    for at_desk, (end, needs) in finished.items():
        called = log.calls.pop(at_desk, None)
        start = log.starts.pop(at_desk, None) or called
        if start is None:
            continue  # a no-show later in the same batch: no consultation took place
        log.learned.observe(needs, (end - start).total_seconds() / 60.0)

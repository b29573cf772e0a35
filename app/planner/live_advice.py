"""Staffing advice for the live overview, computed off the request path.

The overview asks on every read; this answers at once with the last advice of the
center-day (or none yet) and, while a queue_past_closing alert stands, starts a new
simulation in a worker thread at most every RECOMPUTE seconds. The simulation reads a
snapshot of plain values (app.planning.room), never the session or the context.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from app.kinds import OPEN_STEP, DeskState
from app.overview.compute import Inputs
from app.overview.schemas import AlertCode, Overview, StaffingAdvice
from app.planning.room import ROOM_DAYS, Waiting, advise_room, room_day

log = logging.getLogger(__name__)
RECOMPUTE = 120.0  # seconds between two simulations of one center-day


@dataclass
class _Entry:
    advice: StaffingAdvice | None = None
    started: datetime | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)


_cache: dict[tuple[str, date], _Entry] = {}


def reset() -> None:
    """Forget every center-day (tests)."""
    _cache.clear()


def staffing(data: Inputs, view: Overview) -> StaffingAdvice | None:
    """The last advice for the center-day while the alert stands; schedules a new one."""
    past = [a.agency for a in view.alerts if a.code == AlertCode.QUEUE_PAST_CLOSING]
    key = (data.slug, data.day)
    for old in [k for k in _cache if k[0] == data.slug and k[1] != data.day]:
        del _cache[old]  # yesterday's advice is no advice
    if not past or data.hours is None:
        return None
    entry = _cache.setdefault(key, _Entry())
    running = entry.task is not None and not entry.task.done()
    due = entry.started is None or (data.now - entry.started).total_seconds() >= RECOMPUTE
    if not running and due:
        entry.started = data.now
        entry.task = asyncio.get_running_loop().create_task(_compute(entry, data))
    return entry.advice


async def _compute(entry: _Entry, data: Inputs) -> None:
    try:
        advice = await asyncio.to_thread(_advise, data)
    except Exception:  # advice is a help; a failure must not touch the overview
        log.exception("staffing advice failed for %s", data.slug)
        return
    entry.advice = advice


def _advise(data: Inputs) -> StaffingAdvice | None:
    assert data.hours is not None
    minutes: dict[str, float] = {}
    waiting = []
    for visit in data.visits:
        steps = tuple((s.need, s.agency) for s in visit.steps if s.status in OPEN_STEP)
        for s in visit.steps:
            minutes.setdefault(s.need, s.minutes)
        if steps:
            waiting.append(Waiting(visit.ticket, steps))
    desks = [(d.code, d.agency) for d in data.desks if d.state == DeskState.OPEN]
    left = (data.hours.closes - data.now).total_seconds() / 60
    setup, invitees, windows = room_day(minutes, data.before, desks, waiting, left, data.now)
    best = advise_room(setup, invitees, windows, sorted({a for _, a in desks}))
    if best is None:
        return None
    return StaffingAdvice(
        agency=best.agency,
        gain_minutes=round(best.gain),
        mean_time_before=round(best.mean_time_before),
        mean_time_after=round(best.mean_time_after),
        computed_at=data.now,
        days=ROOM_DAYS,
    )

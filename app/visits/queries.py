"""Loading visits and turning them into the routing snapshot."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, object_session

from app.centers.context import CenterContext
from app.db import database_of
from app.errors import NotFound
from app.journal.log import last_seq
from app.room import store as room_store
from app.routing.estimate import (
    MAX_FORECAST_VISITS,
    WALK_MINUTES,
    DeskNow,
    desk_states,
    estimate_waits,
    expected_end,
    forecast_waits,
    service_factor,
)
from app.routing.policy import BUSY, DeskView, StepView, VisitView
from app.visits import learned
from app.visits.models import Step, Visit

ACTIVE = ("waiting", "called", "in_service")


async def active_visits(
    session: AsyncSession, ctx: CenterContext, *, exact: bool = False
) -> list[Visit]:
    """Today's visitors still in the center, from the room in memory (app/room/store.py:
    never change them); also brings the learned minutes up to date, since every routing
    decision and estimate starts here. exact: a socket's snapshot, paired with its seq."""
    return await room_store.active(session, ctx, exact=exact)


async def visit_by_token(session: AsyncSession, token: str) -> Visit:
    rows = await session.scalars(
        select(Visit).where(Visit.token == token).options(joinedload(Visit.steps))
    )
    visit = rows.unique().one_or_none()
    if visit is None:
        raise NotFound("unknown visit token", code="unknown_visit")
    return visit


async def visit_by_id(session: AsyncSession, visit_id: str) -> Visit:
    # One statement, the steps joined: a visit has a handful.
    rows = await session.scalars(
        select(Visit).where(Visit.id == visit_id).options(joinedload(Visit.steps))
    )
    visit = rows.unique().one_or_none()
    if visit is None:
        raise NotFound(f"unknown visit '{visit_id}'")
    return visit


def to_view(visit: Visit, ctx: CenterContext) -> VisitView:
    return VisitView(
        visit_id=visit.id,
        ticket=visit.ticket,
        checked_in_at=visit.checked_in_at,
        language=visit.language,
        steps=tuple(step_view(s, ctx) for s in visit.steps),
        leave_by=visit.leave_by,
        children=visit.priority_children,
        accessibility=visit.priority_accessibility,
    )


# The room's visits are copies nobody changes: their routing views are made once per
# (visit, service minutes) and shared by every decision, queue and forecast after.
_VIEWS: WeakKeyDictionary[Visit, tuple[tuple[Any, ...], VisitView]] = WeakKeyDictionary()


def to_views(visits: list[Visit], ctx: CenterContext) -> list[VisitView]:
    """`to_view` of each, reusing the view of a room visit (no session holds it, so it
    never changes) while the minutes it was made with still hold."""
    sig = (ctx.center.config_hash, tuple(minutes(ctx, n) for n in sorted(ctx.needs)))
    out = []
    for visit in visits:
        hit = _VIEWS.get(visit)
        if hit is not None and hit[0] == sig:
            out.append(hit[1])
            continue
        view = to_view(visit, ctx)
        if object_session(visit) is None:
            _VIEWS[visit] = (sig, view)
        out.append(view)
    return out


def minutes(ctx: CenterContext, need: str) -> float:
    """Expected service minutes: learned from today's log, the config's as the prior."""
    # active_visits refreshed them onto this request's context.
    found = ctx.learned
    return found.minutes(need) if found is not None else ctx.minutes(need)


def step_view(step: Step, ctx: CenterContext) -> StepView:
    return StepView(
        step_id=step.id,
        need=step.need,
        agency=step.agency,
        status=step.status,
        queued_at=step.queued_at,
        minutes=minutes(ctx, step.need),
        ended_at=step.ended_at,
        held=step.held_reason is not None,
    )


def desk_view(ctx: CenterContext, code: str) -> DeskView:
    desk = ctx.desks[code]
    return DeskView(code=desk.code, agency=desk.agency_code, languages=frozenset(desk.languages))


def capacity(ctx: CenterContext) -> dict[str, int]:
    """Desks that can serve each agency: the open ones, else every configured one."""
    open_desks = Counter(d.agency_code for d in ctx.desks.values() if d.state == "open")
    all_desks = Counter(d.agency_code for d in ctx.desks.values())
    return {a: open_desks.get(a) or all_desks.get(a, 0) for a in ctx.agencies}


def desks_now(visits: list[Visit], ctx: CenterContext, *, now: datetime) -> list[DeskNow]:
    """Each desk's state and, when busy, whom it serves and until about when."""
    serving: dict[str, tuple[str, datetime]] = {}
    for visit in visits:
        busy = [s for s in visit.steps if s.status in BUSY and s.desk]
        if not busy:
            continue
        code = str(busy[0].desk)
        factor = service_factor(desk_view(ctx, code), visit.language) if code in ctx.desks else 1.0
        expected = sum(minutes(ctx, s.need) for s in busy) * factor
        until = expected_end(busy[0].called_at or now, busy[0].started_at, expected, now=now)
        serving[code] = (visit.id, until)
    out = []
    for code, desk in ctx.desks.items():
        if desk.agency_code not in ctx.present:
            continue
        busy_with = serving.get(code)
        out.append(
            DeskNow(
                desk_view(ctx, code),
                desk.state,
                visit_id=busy_with[0] if busy_with else None,
                busy_until=busy_with[1] if busy_with else None,
            )
        )
    return out


def estimates(visits: list[Visit], ctx: CenterContext, *, now: datetime) -> dict[str, int]:
    """Minutes until each visitor is first called, played forward with the routing policy."""
    return _Plan(visits, ctx, now=now).run()


class _Plan:
    """A forecast's inputs, read from the room on the event loop; `run` needs nothing
    else (frozen views), so it can play the day forward in a worker thread."""

    def __init__(self, visits: list[Visit], ctx: CenterContext, *, now: datetime) -> None:
        self.views = to_views(visits, ctx)
        self.now = now
        self.before = ctx.before
        self.large = len(self.views) > MAX_FORECAST_VISITS
        self.capacity = capacity(ctx)
        self.desks = [] if self.large else desk_states(desks_now(visits, ctx, now=now), now=now)

    def run(self) -> dict[str, int]:
        if self.large:
            # Playing a huge room forward costs too much; count instead.
            return estimate_waits(
                self.views, now=self.now, before=self.before, desks_per_agency=self.capacity
            )
        return forecast_waits(self.views, now=self.now, before=self.before, desks=self.desks)


# Estimates change only with an event (a new seq), the config or time: computed once per
# (config, seq, minute) of a center-day, they serve every phone polling its status.
Version = tuple[str, int, int]  # (config hash, seq, minute)
Estimates = tuple[Version, dict[str, int]]
# Forecasts being made, per center-day: a burst of requests shares the last forecast
# (and places newcomers behind it) instead of each playing the day forward again.
_MAKING: Counter[tuple[str, int, date]] = Counter()


async def cached_estimates(
    session: AsyncSession, ctx: CenterContext, *, now: datetime
) -> dict[str, int]:
    """Each waiting visitor's minutes, from the forecast of the room as it is.

    One forecast at a time per center-day, played in a worker thread off the event
    loop: a request finding one in the making takes the last one made (same config,
    same minute; none yet: no figures) rather than starting another, so a burst of
    check-ins costs one or two forecasts, not one each; visitors newer than that
    forecast get `place`. A request finding none in the making makes one, so a lone
    request always sees its own seq.
    """
    visits = await active_visits(session, ctx)
    seq = await last_seq(session, center_id=ctx.center.id, day=ctx.today)
    version = (ctx.center.config_hash, seq, int(now.timestamp() // 60))
    db = database_of(session)
    key = learned.day_key(db.url if db else "", ctx)
    found = db.caches.estimates.get(key) if db else None
    if found is not None and found[0] == version:
        return found[1]
    if _MAKING[key]:
        # One forecast at a time per room: a second would hold another connection
        # and thread for what the first will say in a moment.
        if found is None:
            return {}
        if _same_minute(found[0], version):
            return found[1]
    plan = _Plan(visits, ctx, now=now)
    _MAKING[key] += 1
    try:
        waits = await asyncio.to_thread(plan.run) if db is not None else plan.run()
    finally:
        _MAKING[key] -= 1
        if not _MAKING[key]:
            del _MAKING[key]
    latest = db.caches.estimates.get(key) if db else None
    if db is not None and (latest is None or latest[0][1:] <= version[1:]):
        db.caches.estimates.put(key, (version, waits))
    return waits


def _same_minute(made: Version, wanted: Version) -> bool:
    return made[0] == wanted[0] and made[2] == wanted[2] and made[1] <= wanted[1]


def place(
    visit: Visit, waits: dict[str, int], visits: list[Visit], ctx: CenterContext, *, now: datetime
) -> int | None:
    """A visitor the last forecast does not know yet (it was made before they checked
    in): behind everyone it knows at their agencies, the first desk to get to them."""
    cap = capacity(ctx)
    free: dict[str, float] = {}
    for d in desks_now(visits, ctx, now=now):
        if d.state != "open":
            continue
        until = (d.busy_until - now).total_seconds() / 60.0 if d.busy_until else 0.0
        free[d.desk.agency] = min(free.get(d.desk.agency, until), max(0.0, until))
    best: float | None = None
    for step in visit.steps:
        if step.status != "pending" or step.held_reason is not None:
            continue
        agency, desks = step.agency, max(1, cap.get(step.agency, 0))
        at = free.get(agency, 0.0)
        for other in visits:
            if other.id == visit.id or other.checked_in_at > visit.checked_in_at:
                continue
            theirs = [
                s
                for s in other.steps
                if s.agency == agency and s.status == "pending" and s.held_reason is None
            ]
            if not theirs:
                continue
            service = (WALK_MINUTES + sum(minutes(ctx, s.need) for s in theirs)) / desks
            known = waits.get(other.id)
            at = max(at, known + service) if known is not None else at + service
        best = at if best is None else min(best, at)
    return None if best is None else round(best)


async def wait_for(
    session: AsyncSession, ctx: CenterContext, visit: Visit, *, now: datetime
) -> int | None:
    """One visitor's estimated wait; only a waiting visitor today needs the forecast."""
    if visit.status != "waiting" or visit.date != ctx.today:
        return None
    waits = await cached_estimates(session, ctx, now=now)
    found = waits.get(visit.id)
    if found is None:
        # Newer than the forecast shared with a burst: placed behind those it knows.
        return place(visit, waits, await active_visits(session, ctx), ctx, now=now)
    return found

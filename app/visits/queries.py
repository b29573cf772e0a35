"""Loading visits and turning them into the routing snapshot."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.centers.context import CenterContext
from app.db import database_of
from app.errors import NotFound
from app.journal.log import last_seq
from app.routing.estimate import (
    MAX_FORECAST_VISITS,
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


async def active_visits(session: AsyncSession, ctx: CenterContext) -> list[Visit]:
    """Today's visitors still in the center; also brings the learned minutes up to date,
    since every routing decision and estimate starts here."""
    await learned.refresh(session, ctx)
    rows = await session.scalars(
        select(Visit)
        .where(
            Visit.center_id == ctx.center.id,
            Visit.date == ctx.today,
            Visit.status.in_(ACTIVE),
        )
        .options(selectinload(Visit.steps))
        .order_by(Visit.checked_in_at)
    )
    return list(rows.all())


async def visit_by_token(session: AsyncSession, token: str) -> Visit:
    visit = await session.scalar(
        select(Visit).where(Visit.token == token).options(selectinload(Visit.steps))
    )
    if visit is None:
        raise NotFound("unknown visit token", code="unknown_visit")
    return visit


async def visit_by_id(session: AsyncSession, visit_id: str) -> Visit:
    visit = await session.scalar(
        select(Visit).where(Visit.id == visit_id).options(selectinload(Visit.steps))
    )
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
    views = [to_view(v, ctx) for v in visits]
    if len(views) > MAX_FORECAST_VISITS:
        # Playing a huge room forward on every request costs too much; count instead.
        return estimate_waits(views, now=now, before=ctx.before, desks_per_agency=capacity(ctx))
    desks = desk_states(desks_now(visits, ctx, now=now), now=now)
    return forecast_waits(views, now=now, before=ctx.before, desks=desks)


# Estimates change only with an event (a new seq), the config or time: computed once per
# (config, seq, minute) of a center-day, they serve every phone polling its status.
Version = tuple[str, int, int]  # (config hash, seq, minute)
Estimates = tuple[Version, dict[str, int]]


async def cached_estimates(
    session: AsyncSession, ctx: CenterContext, *, now: datetime
) -> dict[str, int]:
    seq = await last_seq(session, center_id=ctx.center.id, day=ctx.today)
    version = (ctx.center.config_hash, seq, int(now.timestamp() // 60))
    db = database_of(session)
    key = learned.day_key(db.url if db else "", ctx)
    found = db.caches.estimates.get(key) if db else None
    if found is None or found[0] != version:
        found = (version, estimates(await active_visits(session, ctx), ctx, now=now))
        if db is not None:
            db.caches.estimates.put(key, found)
    return found[1]


async def wait_for(
    session: AsyncSession, ctx: CenterContext, visit: Visit, *, now: datetime
) -> int | None:
    """One visitor's estimated wait; only a waiting visitor today needs the forecast."""
    if visit.status != "waiting" or visit.date != ctx.today:
        return None
    return (await cached_estimates(session, ctx, now=now)).get(visit.id)

"""Loading visits and turning them into the routing snapshot."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.centers.context import CenterContext
from app.errors import NotFound
from app.routing.estimate import estimate_waits
from app.routing.policy import DeskView, StepView, VisitView
from app.visits.models import Step, Visit

ACTIVE = ("waiting", "called", "in_service")


async def active_visits(session: AsyncSession, ctx: CenterContext) -> list[Visit]:
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
        raise NotFound("unknown visit token")
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


def step_view(step: Step, ctx: CenterContext) -> StepView:
    return StepView(
        step_id=step.id,
        need=step.need,
        agency=step.agency,
        status=step.status,
        queued_at=step.queued_at,
        minutes=ctx.minutes(step.need),
    )


def desk_view(ctx: CenterContext, code: str) -> DeskView:
    desk = ctx.desks[code]
    return DeskView(code=desk.code, agency=desk.agency_code, languages=frozenset(desk.languages))


def capacity(ctx: CenterContext) -> dict[str, int]:
    """Desks that can serve each agency: the open ones, else every configured one."""
    open_desks = Counter(d.agency_code for d in ctx.desks.values() if d.state == "open")
    all_desks = Counter(d.agency_code for d in ctx.desks.values())
    return {a: open_desks.get(a) or all_desks.get(a, 0) for a in ctx.agencies}


def estimates(visits: list[Visit], ctx: CenterContext, *, now: datetime) -> dict[str, int]:
    return estimate_waits(
        [to_view(v, ctx) for v in visits],
        now=now,
        before=ctx.before,
        desks_per_agency=capacity(ctx),
    )

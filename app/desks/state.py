"""A desk's visitor and the events desk actions write: shared by every desk action module."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.context import CenterContext
from app.centers.models import Desk
from app.errors import Conflict
from app.journal.log import append
from app.kinds import BUSY_STEP, EventType, StepStatus, VisitStatus
from app.room import store as room_store
from app.visits.lifecycle import visit_status
from app.visits.models import Step, Visit
from app.visits.queries import visit_by_id
from app.visits.views import event_visit


def desk_event_data(desk: Desk, ctx: CenterContext, visit: Visit | None = None) -> dict[str, Any]:
    summary = ctx.desk_summary(desk).model_dump(mode="json")
    data: dict[str, Any] = {"desk": summary.pop("code"), **summary}
    if visit is not None:
        data["visit"] = event_visit(visit, ctx)
    return data


async def desk_event(
    session: AsyncSession,
    ctx: CenterContext,
    desk: Desk,
    type: EventType,
    now: datetime,
    visit: Visit | None = None,
    **extra: Any,
) -> None:
    await append(
        session,
        center_id=ctx.center.id,
        day=ctx.today,
        type=type,
        at=now,
        data={**desk_event_data(desk, ctx, visit), **extra},
        visit_id=visit.id if visit else None,
        desk=desk.code,
    )


async def desk_visit(session: AsyncSession, ctx: CenterContext, desk: Desk) -> Visit | None:
    """The visitor this desk has called or is serving, if any.

    Today's from the room (no query but the visit's own load); yesterday's from the
    database until none of yesterday's visits is busy at any desk any more.
    """
    ids = await room_store.busy_at(session, ctx, desk.code)
    if ids is None:
        return await _queried(session, ctx, desk)
    for visit_id in ids:
        visit = await visit_by_id(session, visit_id)
        if any(s.desk == desk.code and s.status in BUSY_STEP for s in visit.steps):
            return visit
    if ids:  # the room and the row disagree: ask the database
        return await _queried(session, ctx, desk)
    if room_store.yesterday_idle(session, ctx):
        return None
    yesterday = ctx.today - timedelta(days=1)
    if await _busy(session, ctx, Visit.date == yesterday) is None:
        room_store.mark_yesterday_idle(session, ctx)
        return None
    return await _queried(session, ctx, desk)


async def _busy(session: AsyncSession, ctx: CenterContext, *where: Any) -> str | None:
    visit_id: str | None = await session.scalar(
        select(Step.visit_id)
        .join(Visit, Visit.id == Step.visit_id)
        .where(Visit.center_id == ctx.center.id, Step.status.in_(BUSY_STEP), *where)
        .limit(1)
    )
    return visit_id


async def _queried(session: AsyncSession, ctx: CenterContext, desk: Desk) -> Visit | None:
    visit_id = await _busy(
        session,
        ctx,
        # Yesterday's too: a consultation running over local midnight stays this desk's
        # to finish (the desk works in the new day, the visit belongs to the old one).
        Visit.date >= ctx.today - timedelta(days=1),
        Step.desk == desk.code,
    )
    return None if visit_id is None else await visit_by_id(session, visit_id)


def own_steps(visit: Visit, desk: Desk, *statuses: StepStatus) -> list[Step]:
    return [s for s in visit.steps if s.desk == desk.code and s.status in statuses]


def refresh_status(visit: Visit, now: datetime) -> None:
    visit.status = visit_status(s.status for s in visit.steps)
    if visit.status in (VisitStatus.DONE, VisitStatus.CANCELLED) and visit.ended_at is None:
        visit.ended_at = now


async def require_visit(session: AsyncSession, ctx: CenterContext, desk: Desk) -> Visit:
    visit = await desk_visit(session, ctx, desk)
    if visit is None:
        raise Conflict(f"desk {desk.code} has no called visitor", code="no_visitor")
    return visit

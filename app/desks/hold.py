"""Comes back later: a step waits, not callable, until a time or until a desk releases it.

A held step keeps its queue time, so it keeps its place: when released it is called as
if it had waited all along. The free-text note (what to bring) is for the visitor and
the desks, so it stays on the step and out of the event log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.context import CenterContext
from app.centers.models import Desk
from app.desks import joint
from app.desks.schemas import HoldBody
from app.desks.state import desk_event, refresh_status, require_visit
from app.errors import Conflict, Invalid
from app.journal.log import append
from app.kinds import BUSY_STEP, EventType, StepStatus, VisitStatus
from app.visits.models import Step, Visit
from app.visits.queries import visit_by_id
from app.visits.views import event_visit


async def hold(
    session: AsyncSession, ctx: CenterContext, desk: Desk, body: HoldBody, *, now: datetime
) -> Visit:
    until = ctx.at_local_time(body.until) if body.until else None
    if until is not None and until <= now:
        raise Invalid("until", f"{body.until} has passed already", body.until)
    visit = await require_visit(session, ctx, desk)
    involved = [
        r
        for r in await joint.open_requests(session, ctx, visit_id=visit.id)
        if desk.code in (r.host_desk, r.answered_by)
    ]
    if involved:
        raise Conflict(
            f"{visit.ticket} is in a joint consultation at desk {involved[0].host_desk}: "
            "finish or leave it first",
            code="joint_open",
        )
    held: list[str] = []
    for step in visit.steps:
        if step.desk == desk.code and step.status in BUSY_STEP:
            step.status = StepStatus.PENDING
            step.desk = None
            step.held_reason = body.reason
            step.held_note = body.note
            step.held_at = now
            step.held_until = until
            held.append(step.need)
    refresh_status(visit, now)
    await session.flush()
    await desk_event(
        session,
        ctx,
        desk,
        EventType.VISIT_HELD,
        now,
        visit,
        needs=held,
        reason=body.reason.value,
        until=ctx.iso(until),
    )
    return visit


def held_steps(visit: Visit, agency: str | None = None) -> list[Step]:
    return [
        s
        for s in visit.steps
        if s.held_reason is not None
        and s.status == StepStatus.PENDING
        and (agency is None or s.agency == agency)
    ]


def _clear(steps: list[Step]) -> list[str]:
    for step in steps:
        step.held_reason = None
        step.held_note = None
        step.held_at = None
        step.held_until = None
    return [s.need for s in steps]


async def release(
    session: AsyncSession, ctx: CenterContext, desk: Desk, visit_id: str, *, now: datetime
) -> Visit:
    visit = await visit_by_id(session, visit_id)
    if visit.center_id != ctx.center.id or visit.date != ctx.today:
        raise Invalid("visit_id", "not a visit of this center today", visit_id)
    steps = held_steps(visit, desk.agency_code)
    if not steps:
        raise Conflict(
            f"{visit.ticket} has nothing on hold for {desk.agency_code}", code="not_held"
        )
    needs = _clear(steps)
    await desk_event(session, ctx, desk, EventType.VISIT_RELEASED, now, visit, needs=needs)
    return visit


async def release_due(session: AsyncSession, ctx: CenterContext, *, now: datetime) -> int:
    """Holds whose time has come end by themselves (called before deciding who is next)."""
    rows = await session.scalars(
        select(Step.visit_id)
        .join(Visit, Visit.id == Step.visit_id)
        .where(
            Visit.center_id == ctx.center.id,
            Visit.date == ctx.today,
            Visit.status.in_((VisitStatus.WAITING, VisitStatus.CALLED, VisitStatus.IN_SERVICE)),
            Step.held_until.is_not(None),
            Step.held_until <= now,
        )
        .distinct()
    )
    count = 0
    for visit_id in rows.all():
        visit = await visit_by_id(session, visit_id)
        due = [s for s in held_steps(visit) if s.held_until is not None and s.held_until <= now]
        if not due:
            continue
        agencies = sorted({s.agency for s in due})
        needs = _clear(due)
        await append(
            session,
            center_id=ctx.center.id,
            day=ctx.today,
            type=EventType.VISIT_RELEASED,
            at=now,
            data={"visit": event_visit(visit, ctx), "needs": needs, "agencies": agencies},
            visit_id=visit.id,
        )
        count += 1
    return count

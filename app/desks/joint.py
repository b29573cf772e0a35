"""Joint consultations: the desk serving a visitor asks another agency to join.

The asked agency's desks see the request live and accept or decline; the first desk to
accept joins (the center's write lock serialises two accepting at once). A joined
desk's step is in service with the host's, in the host's room, so routing sees the
visitor in service everywhere involved and the joined desk is busy. Each desk finishes
its own step; the host finishing first ends the consultation for both.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.context import CenterContext
from app.centers.models import Desk
from app.desks.models import JointRequest
from app.desks.state import desk_event, desk_visit, refresh_status, require_visit
from app.errors import Conflict, Invalid, NotFound
from app.kinds import BUSY_STEP, OPEN_JOINT, EventType, JointStatus, StepSource, StepStatus
from app.visits.models import Step, Visit
from app.visits.queries import visit_by_id

ANSWERABLE = frozenset({JointStatus.REQUESTED})


def request_data(req: JointRequest) -> dict[str, Any]:
    """What the event log keeps of a request: codes and times, never the free-text reason."""
    return {
        "id": req.id,
        "visit_id": req.visit_id,
        "host_desk": req.host_desk,
        "host_agency": req.host_agency,
        "agency": req.agency,
        "desk": req.desk,
        "status": req.status.value,
        "answered_by": req.answered_by,
    }


async def open_requests(
    session: AsyncSession, ctx: CenterContext, *, visit_id: str | None = None
) -> list[JointRequest]:
    query = select(JointRequest).where(
        JointRequest.center_id == ctx.center.id,
        JointRequest.date == ctx.today,
        JointRequest.status.in_(OPEN_JOINT),
    )
    if visit_id is not None:
        query = query.where(JointRequest.visit_id == visit_id)
    return list((await session.scalars(query.order_by(JointRequest.id))).all())


async def requests_for_desk(
    session: AsyncSession, ctx: CenterContext, desk: Desk
) -> list[JointRequest]:
    """The open requests a desk may answer, and those it made."""
    return [
        r
        for r in await open_requests(session, ctx)
        if r.host_desk == desk.code
        or r.answered_by == desk.code
        or (
            r.status == JointStatus.REQUESTED
            and r.agency == desk.agency_code
            and r.desk in (None, desk.code)
        )
    ]


async def _request(session: AsyncSession, ctx: CenterContext, request_id: int) -> JointRequest:
    req = await session.get(JointRequest, request_id)
    if req is None or req.center_id != ctx.center.id or req.date != ctx.today:
        raise NotFound(f"unknown joint request {request_id}", code="unknown_joint_request")
    return req


def _host_step(visit: Visit, host_desk: str) -> Step | None:
    return next(
        (s for s in visit.steps if s.desk == host_desk and s.status == StepStatus.IN_SERVICE),
        None,
    )


async def ask(
    session: AsyncSession,
    ctx: CenterContext,
    desk: Desk,
    *,
    agency: str,
    target_desk: str | None,
    reason: str | None,
    lapse_seconds: float,
    now: datetime,
) -> JointRequest:
    if agency not in ctx.agencies:
        raise Invalid("agency", f"'{agency}' is not an agency of this center", agency)
    if target_desk is not None:
        target = ctx.desks.get(target_desk)
        if target is None or target.agency_code != agency:
            raise Invalid("desk", f"'{target_desk}' is not a desk of {agency}", target_desk)
    visit = await require_visit(session, ctx, desk)
    if _host_step(visit, desk.code) is None:
        raise Conflict(
            f"{visit.ticket} is not in service at desk {desk.code}: start first", code="no_visitor"
        )
    if agency == desk.agency_code:
        raise Conflict("a desk cannot ask its own agency to join", code="same_agency")
    if agency not in ctx.present:
        raise Conflict(f"{agency} is not present today", code="agency_absent", agency=agency)
    pending = [
        r for r in await open_requests(session, ctx, visit_id=visit.id) if r.agency == agency
    ]
    if pending:
        raise Conflict(
            f"{agency} has already been asked to join {visit.ticket}",
            code="joint_pending",
            request=pending[0].id,
        )
    req = JointRequest(
        center_id=ctx.center.id,
        date=ctx.today,
        visit_id=visit.id,
        host_desk=desk.code,
        host_agency=desk.agency_code,
        agency=agency,
        desk=target_desk,
        status=JointStatus.REQUESTED,
        reason=reason,
        requested_at=now,
        lapses_at=now + timedelta(seconds=lapse_seconds),
    )
    session.add(req)
    await session.flush()
    await desk_event(
        session, ctx, desk, EventType.JOINT_REQUESTED, now, visit, request=request_data(req)
    )
    return req


def _may_answer(req: JointRequest, desk: Desk) -> None:
    if req.agency != desk.agency_code or req.desk not in (None, desk.code):
        raise Conflict(
            f"joint request {req.id} is for {req.desk or req.agency}, not desk {desk.code}",
            code="joint_not_yours",
        )


async def _still_open(
    session: AsyncSession, ctx: CenterContext, req: JointRequest, now: datetime
) -> Visit:
    """The request can still be answered: not answered, not lapsed, the host still serving."""
    if req.status == JointStatus.ACCEPTED:
        raise Conflict(
            f"desk {req.answered_by} has already joined", code="joint_taken", desk=req.answered_by
        )
    if req.status not in ANSWERABLE:
        raise Conflict(f"joint request {req.id} is {req.status.value}", code="joint_closed")
    visit = await visit_by_id(session, req.visit_id)
    if now >= req.lapses_at:
        await close(session, ctx, req, JointStatus.LAPSED, now=now, visit=visit)
        raise Conflict(f"joint request {req.id} has lapsed", code="joint_closed")
    if _host_step(visit, req.host_desk) is None:
        await close(session, ctx, req, JointStatus.WITHDRAWN, now=now, visit=visit)
        raise Conflict(
            f"desk {req.host_desk} is no longer serving {visit.ticket}", code="joint_closed"
        )
    return visit


async def accept(
    session: AsyncSession, ctx: CenterContext, desk: Desk, request_id: int, *, now: datetime
) -> Visit:
    req = await _request(session, ctx, request_id)
    _may_answer(req, desk)
    visit = await _still_open(session, ctx, req, now)
    busy = await desk_visit(session, ctx, desk)
    if busy is not None:
        raise Conflict(
            f"desk {desk.code} is still serving {busy.ticket}; finish first", code="desk_busy"
        )
    step = _joining_step(visit, ctx, desk)
    step.status = StepStatus.IN_SERVICE
    step.desk = desk.code
    step.called_at = now
    step.started_at = now
    step.joint_host = req.host_desk
    refresh_status(visit, now)
    await session.flush()
    req.status = JointStatus.ACCEPTED
    req.answered_at = now
    req.answered_by = desk.code
    req.step_id = step.id
    await desk_event(
        session, ctx, desk, EventType.JOINT_ACCEPTED, now, visit, request=request_data(req)
    )
    return visit


def _joining_step(visit: Visit, ctx: CenterContext, desk: Desk) -> Step:
    """The visitor's first pending step for this agency, or a new one for the consultation."""
    for step in visit.steps:
        if step.agency == desk.agency_code and step.status == StepStatus.PENDING:
            step.held_reason = None  # joining a consultation ends a hold here
            step.held_until = None
            return step
    need = next(
        (
            n.code
            for n in ctx.needs.values()
            if any(e["agency"] == desk.agency_code for e in n.served_by)
        ),
        desk.agency_code,
    )
    step = Step(
        position=max((s.position for s in visit.steps), default=-1) + 1,
        need=need,
        agency=desk.agency_code,
        status=StepStatus.PENDING,
        source=StepSource.JOINT,
        queued_at=datetime.min.replace(tzinfo=visit.checked_in_at.tzinfo)
        if False
        else visit.checked_in_at,
    )
    visit.steps.append(step)
    return step


def _serves(served_by: list[dict[str, Any]], agency: str) -> bool:
    return any(entry.get("agency") == agency for entry in served_by)


async def decline(
    session: AsyncSession, ctx: CenterContext, desk: Desk, request_id: int, *, now: datetime
) -> JointRequest:
    req = await _request(session, ctx, request_id)
    _may_answer(req, desk)
    visit = await _still_open(session, ctx, req, now)
    req.answered_by = desk.code
    await close(session, ctx, req, JointStatus.DECLINED, now=now, visit=visit, by=desk)
    return req


async def withdraw(
    session: AsyncSession, ctx: CenterContext, desk: Desk, request_id: int, *, now: datetime
) -> JointRequest:
    req = await _request(session, ctx, request_id)
    if req.host_desk != desk.code:
        raise Conflict(
            f"joint request {req.id} was made by desk {req.host_desk}", code="joint_not_yours"
        )
    if req.status not in ANSWERABLE:
        raise Conflict(f"joint request {req.id} is {req.status.value}", code="joint_closed")
    await close(session, ctx, req, JointStatus.WITHDRAWN, now=now, by=desk)
    return req


async def close(
    session: AsyncSession,
    ctx: CenterContext,
    req: JointRequest,
    status: JointStatus,
    *,
    now: datetime,
    visit: Visit | None = None,
    by: Desk | None = None,
) -> None:
    """End a request with its event, written in the name of the desk that ended it."""
    req.status = status
    req.ended_at = now
    if status in (JointStatus.DECLINED,):
        req.answered_at = now
    visit = visit or await visit_by_id(session, req.visit_id)
    actor = by or ctx.desks.get(req.answered_by or "") or ctx.desks.get(req.host_desk)
    if actor is None:  # the desk was removed from the config meanwhile
        return
    await desk_event(
        session, ctx, actor, CLOSE_EVENTS[status], now, visit, request=request_data(req)
    )


CLOSE_EVENTS = {
    JointStatus.DECLINED: EventType.JOINT_DECLINED,
    JointStatus.LAPSED: EventType.JOINT_LAPSED,
    JointStatus.WITHDRAWN: EventType.JOINT_WITHDRAWN,
    JointStatus.LEFT: EventType.JOINT_LEFT,
    JointStatus.ENDED: EventType.JOINT_LEFT,
}


async def joined_request(
    session: AsyncSession, ctx: CenterContext, desk: Desk, visit: Visit
) -> JointRequest | None:
    """The accepted request through which this desk sits in the visitor's consultation."""
    for req in await open_requests(session, ctx, visit_id=visit.id):
        if req.status == JointStatus.ACCEPTED and req.answered_by == desk.code:
            return req
    return None


async def leave(session: AsyncSession, ctx: CenterContext, desk: Desk, *, now: datetime) -> Visit:
    """The joined desk leaves without finishing: its step waits again, keeping its place."""
    visit = await require_visit(session, ctx, desk)
    req = await joined_request(session, ctx, desk, visit)
    if req is None:
        raise Conflict(f"desk {desk.code} is not in a joint consultation", code="not_joined")
    for step in visit.steps:
        if step.desk == desk.code and step.status in BUSY_STEP:
            step.status = StepStatus.PENDING
            step.desk = None
            step.joint_host = None
    refresh_status(visit, now)
    await session.flush()
    await close(session, ctx, req, JointStatus.LEFT, now=now, visit=visit, by=desk)
    return visit


async def after_finish(
    session: AsyncSession, ctx: CenterContext, desk: Desk, visit: Visit, *, now: datetime
) -> None:
    """A finish at a desk ends what it had of joint consultations on this visit.

    The joined desk finishing leaves; the host finishing ends it for the joined desks
    (their steps end done: the consultation was together) and withdraws open requests.
    """
    for req in await open_requests(session, ctx, visit_id=visit.id):
        if req.answered_by == desk.code and req.status == JointStatus.ACCEPTED:
            await close(session, ctx, req, JointStatus.LEFT, now=now, visit=visit, by=desk)
        elif req.host_desk == desk.code and req.status == JointStatus.REQUESTED:
            await close(session, ctx, req, JointStatus.WITHDRAWN, now=now, visit=visit, by=desk)
        elif req.host_desk == desk.code and req.status == JointStatus.ACCEPTED:
            for step in visit.steps:
                if step.id == req.step_id and step.status in BUSY_STEP:
                    step.status = StepStatus.DONE
                    step.ended_at = now
            refresh_status(visit, now)
            await session.flush()
            await close(session, ctx, req, JointStatus.ENDED, now=now, visit=visit)


async def lapse_due(session: AsyncSession, ctx: CenterContext, *, now: datetime) -> int:
    """Unanswered requests past their time lapse; ones whose host stopped serving end."""
    count = 0
    for req in await open_requests(session, ctx):
        visit = await visit_by_id(session, req.visit_id)
        if req.status == JointStatus.ACCEPTED:
            # The joined step ended some other way (a cancel, a config change): close it.
            if not any(s.id == req.step_id and s.status in BUSY_STEP for s in visit.steps):
                await close(session, ctx, req, JointStatus.ENDED, now=now, visit=visit)
                count += 1
            continue
        if now >= req.lapses_at:
            await close(session, ctx, req, JointStatus.LAPSED, now=now, visit=visit)
            count += 1
        elif _host_step(visit, req.host_desk) is None:
            await close(session, ctx, req, JointStatus.WITHDRAWN, now=now, visit=visit)
            count += 1
    return count


async def end_for_visit(
    session: AsyncSession, ctx: CenterContext, visit: Visit, *, now: datetime
) -> None:
    """The visit ended (cancelled): unanswered requests are withdrawn, joined ones end."""
    for req in await open_requests(session, ctx, visit_id=visit.id):
        status = JointStatus.ENDED if req.status == JointStatus.ACCEPTED else JointStatus.WITHDRAWN
        await close(session, ctx, req, status, now=now, visit=visit)

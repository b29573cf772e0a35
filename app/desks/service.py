"""Desk actions. Callers hold the center's write lock (Database.write), so the
decision of who a desk calls and the state change it causes are one atomic step."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.context import CenterContext
from app.centers.models import Desk
from app.desks import hold, joint
from app.desks.schemas import FinishBody, ReferBody
from app.desks.state import (
    desk_event,
    desk_visit,
    own_steps,
    refresh_status,
    require_visit,
)
from app.errors import Conflict, Invalid
from app.kinds import DeskState, EventType, StepSource, StepStatus, VisitStatus
from app.room import store as room_store
from app.routing import policy
from app.routing.rules import Person, agency_for, next_date_for
from app.visits.lifecycle import OPEN_STEPS
from app.visits.models import Step, Visit
from app.visits.queries import desk_view, to_views, visit_by_id

STATE_EVENTS = {
    DeskState.OPEN: EventType.DESK_OPENED,
    DeskState.PAUSED: EventType.DESK_PAUSED,
    DeskState.CLOSED: EventType.DESK_CLOSED,
}


async def set_state(
    session: AsyncSession, ctx: CenterContext, desk: Desk, state: DeskState, *, now: datetime
) -> None:
    if state == DeskState.CLOSED and await desk_visit(session, ctx, desk) is not None:
        raise Conflict(
            f"desk {desk.code} still has a visitor; finish or no-show first", code="desk_busy"
        )
    if desk.state == state:
        return  # pressing "open" twice changes nothing, so it writes no event
    desk.state = state
    desk.state_changed_at = now
    await desk_event(session, ctx, desk, STATE_EVENTS[state], now)


async def call_next(
    session: AsyncSession, ctx: CenterContext, desk: Desk, *, now: datetime
) -> Visit | None:
    ctx.require_day()
    if await room_store.holds_due(session, ctx, now=now):
        await hold.release_due(session, ctx, now=now)
    busy = await desk_visit(session, ctx, desk)
    if busy is not None:
        raise Conflict(
            f"desk {desk.code} is still serving {busy.ticket}; finish or no-show first",
            code="desk_busy",
            ticket=busy.ticket,
        )
    if desk.state != DeskState.OPEN:
        # Pressing "call next" at a paused or closed desk means the desk is working.
        await set_state(session, ctx, desk, DeskState.OPEN, now=now)
    # The room in memory, caught up inside this lock, with what this write changed.
    visits = await room_store.for_decision(session, ctx)
    choice = policy.choose(
        desk_view(ctx, desk.code),
        to_views(visits, ctx),
        now=now,
        before=ctx.before,
    )
    if choice is None:
        return None
    # The room's visits are shared: change the row as this session loads it.
    visit = await visit_by_id(session, choice.visit.visit_id)
    chosen = {s.step_id for s in choice.steps}
    for step in visit.steps:
        if step.id in chosen:
            step.status = StepStatus.CALLED
            step.desk = desk.code
            step.called_at = now
    refresh_status(visit, now)
    await session.flush()
    # The desk's languages (config, not personal): statistics count calls without a
    # language shared with the visitor from the log alone.
    await desk_event(
        session,
        ctx,
        desk,
        EventType.VISIT_CALLED,
        now,
        visit,
        reasons=list(choice.reasons),
        desk_languages=sorted(desk.languages or []),
    )
    return visit


async def recall(session: AsyncSession, ctx: CenterContext, desk: Desk, *, now: datetime) -> Visit:
    visit = await require_visit(session, ctx, desk)
    steps = own_steps(visit, desk, StepStatus.CALLED)
    if not steps:
        raise Conflict(f"{visit.ticket} is already at desk {desk.code}; nothing to recall")
    for step in steps:
        step.recalls += 1
    await desk_event(
        session, ctx, desk, EventType.VISIT_RECALLED, now, visit, recalls=steps[0].recalls
    )
    return visit


async def start(session: AsyncSession, ctx: CenterContext, desk: Desk, *, now: datetime) -> Visit:
    visit = await require_visit(session, ctx, desk)
    steps = own_steps(visit, desk, StepStatus.CALLED)
    if not steps:
        raise Conflict(f"{visit.ticket} is already in service at desk {desk.code}")
    for step in steps:
        step.status = StepStatus.IN_SERVICE
        step.started_at = now
    refresh_status(visit, now)
    await session.flush()
    await desk_event(session, ctx, desk, EventType.VISIT_STARTED, now, visit)
    return visit


def _check_codes(field: str, codes: list[str], allowed: set[str], what: str) -> list[str]:
    unique: list[str] = []
    for i, code in enumerate(codes):
        if code not in allowed:
            raise Invalid(f"{field}[{i}]", f"'{code}' is not {what}", code)
        if code not in unique:
            unique.append(code)
    return unique


async def finish(
    session: AsyncSession, ctx: CenterContext, desk: Desk, body: FinishBody, *, now: datetime
) -> Visit:
    visit = await require_visit(session, ctx, desk)
    steps = own_steps(visit, desk, StepStatus.CALLED, StepStatus.IN_SERVICE)
    resolved = _check_codes(
        "resolved", body.resolved, {s.need for s in steps}, f"a need {visit.ticket} has here"
    )
    added = _check_codes("add_needs", body.add_needs, set(ctx.needs), "a known need")
    returned: list[str] = []
    for step in steps:
        if step.started_at is None:
            step.started_at = now  # finished without pressing start: served all the same
        step.note = body.note
        if step.need in resolved:
            step.status = StepStatus.DONE
            step.ended_at = now
        else:
            # Not resolved: back to this agency's queue, behind those already waiting.
            step.status = StepStatus.PENDING
            step.desk = None
            step.queued_at = now
            returned.append(step.need)
    referred = _add_needs(visit, ctx, added, now=now, desk=desk, reason=body.refer_reason)
    # A joined desk finishing leaves; the host finishing ends the consultation for all.
    await joint.after_finish(session, ctx, desk, visit, now=now)
    refresh_status(visit, now)
    await session.flush()
    if resolved:
        await desk_event(session, ctx, desk, EventType.VISIT_STEP_DONE, now, visit, needs=resolved)
    if returned:
        await desk_event(session, ctx, desk, EventType.VISIT_REQUEUED, now, visit, needs=returned)
    if referred:
        await desk_event(session, ctx, desk, EventType.VISIT_REFERRED, now, visit, **referred)
    if visit.status == VisitStatus.DONE:
        await desk_event(session, ctx, desk, EventType.VISIT_DONE, now, visit)
    return visit


def _add_needs(
    visit: Visit,
    ctx: CenterContext,
    codes: list[str],
    *,
    now: datetime,
    desk: Desk,
    reason: str | None = None,
) -> dict[str, Any]:
    """Referral: new steps for needs served today, the others said with their next date."""
    open_needs = {s.need for s in visit.steps if s.status in OPEN_STEPS}
    person = Person(
        residence_status=visit.residence_status,
        municipality=visit.municipality,
        age=visit.age,
        language=visit.language,
    )
    added: list[dict[str, str]] = []
    unavailable: list[dict[str, Any]] = []
    position = max((s.position for s in visit.steps), default=-1) + 1
    for code in codes:
        if code in open_needs:
            continue
        agency = agency_for(ctx.need_spec(code), person)
        if agency is not None and agency in ctx.present:
            visit.steps.append(
                Step(
                    position=position,
                    need=code,
                    agency=agency,
                    status=StepStatus.PENDING,
                    source=StepSource.REFERRAL,
                    queued_at=now,
                    referred_by=desk.agency_code,
                    referred_by_desk=desk.code,
                    referral_reason=reason,
                )
            )
            position += 1
            added.append({"need": code, "agency": agency})
        else:
            nxt = next_date_for(agency, ctx.today, ctx.open_days()) if agency else None
            entry = {"need": code, "next_date": nxt.isoformat() if nxt else None}
            visit.unavailable = [*(visit.unavailable or []), entry]
            unavailable.append(entry)
    if not added and not unavailable:
        return {}
    # The reason is free text: it stays on the step, out of the event log.
    return {
        "added": added,
        "unavailable": unavailable,
        "by": desk.code,
        "from_agency": desk.agency_code,
    }


async def refer(
    session: AsyncSession,
    ctx: CenterContext,
    desk: Desk,
    body: ReferBody,
    *,
    now: datetime,
) -> Visit:
    """Refer on while the consultation goes on: the visitor stays at this desk."""
    visit = await require_visit(session, ctx, desk)
    added = _check_codes("needs", body.needs, set(ctx.needs), "a known need")
    referred = _add_needs(visit, ctx, added, now=now, desk=desk, reason=body.reason)
    refresh_status(visit, now)
    await session.flush()
    if referred:
        await desk_event(session, ctx, desk, EventType.VISIT_REFERRED, now, visit, **referred)
    return visit


async def no_show(session: AsyncSession, ctx: CenterContext, desk: Desk, *, now: datetime) -> Visit:
    visit = await require_visit(session, ctx, desk)
    steps = own_steps(visit, desk, StepStatus.CALLED)
    if not steps:
        raise Conflict(f"{visit.ticket} has already arrived at desk {desk.code}")
    final = False
    for step in steps:
        step.no_shows += 1
        if step.no_shows >= 2:
            step.status = StepStatus.NO_SHOW
            step.ended_at = now
            final = True
        else:
            # First miss: to the end of the queue, callable at once.
            step.status = StepStatus.PENDING
            step.desk = None
            step.queued_at = now
    refresh_status(visit, now)
    await session.flush()
    await desk_event(session, ctx, desk, EventType.VISIT_NO_SHOW, now, visit, final=final)
    if visit.status == VisitStatus.DONE:
        await desk_event(session, ctx, desk, EventType.VISIT_DONE, now, visit)
    return visit


def queue(
    ctx: CenterContext, desk: Desk, visits: list[Visit], *, now: datetime
) -> list[policy.Candidate]:
    return policy.rank(desk_view(ctx, desk.code), to_views(visits, ctx), now=now, before=ctx.before)

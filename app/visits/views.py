"""The public shape of a visit, as API.md §3 writes it."""

from __future__ import annotations

from typing import Any

from app.centers.context import CenterContext
from app.kinds import BUSY_STEP, DeskState, StepStatus, VisitStatus
from app.routing.estimate import wait_range
from app.visits.models import Step, Visit
from app.visits.schemas import (
    CurrentOut,
    DisplayEntry,
    PriorityOut,
    PublicVisit,
    StepOut,
    UnavailableOut,
    VisitOut,
)

# The visitor's answers. `consent_share` is not among them: it is a processing flag the
# desk socket needs in each event to apply the compartments (visits.compartments).
PERSONAL = {"residence_status", "municipality", "age", "invitation_code"}
# What the event log leaves out: the personal answers, and free text (a hold's note).
NOT_IN_EVENTS: dict[str, Any] = {key: True for key in PERSONAL} | {
    "steps": {"__all__": {"held_note"}}
}


def current_step(visit: Visit) -> Step | None:
    """Where the visitor is: in a joint consultation, the host's step (the host's room)."""
    busy = [s for s in visit.steps if s.status in BUSY_STEP]
    return next((s for s in busy if s.joint_host is None), busy[0] if busy else None)


def current_out(visit: Visit, ctx: CenterContext) -> CurrentOut | None:
    step = current_step(visit)
    if step is None or step.desk is None:
        return None
    desk = ctx.desks.get(step.desk)
    return CurrentOut(
        desk=step.desk,
        room=ctx.room_label(desk, visit.language) if desk else step.desk,
        room_labels=dict(desk.room) if desk else {},
        agency=step.agency,
        status=step.status,
        called_at=ctx.local_or_none(step.called_at),
        joint_with=sorted(
            {s.agency for s in visit.steps if s.joint_host == step.desk and s.status in BUSY_STEP}
        ),
    )


def step_out(step: Step, ctx: CenterContext) -> StepOut:
    return StepOut(
        need=step.need,
        agency=step.agency,
        status=step.status,
        desk=step.desk,
        source=step.source,
        joint_host=step.joint_host,
        held_reason=step.held_reason,
        held_until=ctx.local_or_none(step.held_until),
        held_note=step.held_note,
    )


def _fields(visit: Visit, ctx: CenterContext, estimate: int | None) -> dict[str, Any]:
    return {
        "id": visit.id,
        "ticket": visit.ticket,
        "status": visit.status,
        "language": visit.language,
        "checked_in_at": ctx.local(visit.checked_in_at),
        "ended_at": ctx.local_or_none(visit.ended_at),
        "steps": [step_out(s, ctx) for s in visit.steps],
        "unavailable": [UnavailableOut.model_validate(u) for u in visit.unavailable or []],
        "current": current_out(visit, ctx),
        "estimated_wait_minutes": estimate if visit.status == VisitStatus.WAITING else 0,
        "estimated_wait_range": wait_range(estimate)
        if visit.status == VisitStatus.WAITING
        else (0, 0),
        "leave_by": ctx.local(visit.leave_by).strftime("%H:%M") if visit.leave_by else None,
        "priority": PriorityOut(
            children=visit.priority_children, accessibility=visit.priority_accessibility
        ),
        "residence_status": visit.residence_status,
        "municipality": visit.municipality,
        "age": visit.age,
        "consent_share": visit.consent_share,
        "invitation_code": visit.invitation_code,
    }


def closed_agencies(visit: Visit, ctx: CenterContext) -> list[str]:
    """Agencies of the visitor's pending steps where no desk is open or paused right now."""
    working = {d.agency_code for d in ctx.desks.values() if d.state != DeskState.CLOSED}
    pending = {s.agency for s in visit.steps if s.status == StepStatus.PENDING}
    return sorted(pending - working)


def visit_out(visit: Visit, ctx: CenterContext, *, estimate: int | None = None) -> VisitOut:
    """The visitor's own view of their visit, token included.

    While no desk of any of the visitor's agencies is open, nobody can say when they
    are called: the estimate is null (the forecast would count those desks as opening
    now and promise 0 minutes), and `closed_agencies` says which agencies they wait for.
    """
    closed = closed_agencies(visit, ctx) if visit.status == VisitStatus.WAITING else []
    pending = {s.agency for s in visit.steps if s.status == StepStatus.PENDING}
    if closed and set(closed) >= pending:
        estimate = None
    fields = _fields(visit, ctx, estimate)
    return VisitOut(token=visit.token, closed_agencies=closed, **fields)


def event_visit(visit: Visit, ctx: CenterContext) -> dict[str, Any]:
    """What the event log keeps of a visit.

    Never the token (the visitor's key) and none of the personal answers: every desk
    of every agency reads the log, and sharing those needs the visitor's consent.
    """
    return PublicVisit(**_fields(visit, ctx, None)).model_dump(mode="json", exclude=NOT_IN_EVENTS)


def display_entry(visit: Visit, ctx: CenterContext) -> DisplayEntry:
    """The only fields a waiting-room screen may show: no name, no personal answer."""
    step = current_step(visit)
    desk = ctx.desks.get(step.desk) if step and step.desk else None
    return DisplayEntry(
        ticket=visit.ticket,
        status=visit.status,
        language=visit.language,
        desk=desk.code if desk else None,
        room=ctx.room_label(desk, ctx.default_language) if desk else None,
        room_labels=dict(desk.room) if desk else None,
        agency=step.agency if step else None,
    )

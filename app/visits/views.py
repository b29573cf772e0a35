"""The public shape of a visit, as API.md §3 writes it."""

from __future__ import annotations

from typing import Any

from app.centers.context import CenterContext
from app.visits.models import Step, Visit

BUSY = ("called", "in_service")
PERSONAL = ("residence_status", "municipality", "age", "invitation_code", "consent_share")


def current_step(visit: Visit) -> Step | None:
    return next((s for s in visit.steps if s.status in BUSY), None)


def current_out(visit: Visit, ctx: CenterContext) -> dict[str, Any] | None:
    step = current_step(visit)
    if step is None or step.desk is None:
        return None
    desk = ctx.desks.get(step.desk)
    return {
        "desk": step.desk,
        "room": ctx.room_label(desk, visit.language) if desk else step.desk,
        "room_labels": dict(desk.room) if desk else {},
        "agency": step.agency,
        "status": step.status,
        "called_at": ctx.iso(step.called_at),
    }


def step_out(step: Step, ctx: CenterContext) -> dict[str, Any]:
    return {
        "need": step.need,
        "agency": step.agency,
        "status": step.status,
        "desk": step.desk,
        "source": step.source,
    }


def visit_out(
    visit: Visit,
    ctx: CenterContext,
    *,
    estimate: int | None = None,
    with_token: bool = True,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": visit.id,
        "ticket": visit.ticket,
        "status": visit.status,
        "language": visit.language,
        "checked_in_at": ctx.iso(visit.checked_in_at),
        "ended_at": ctx.iso(visit.ended_at),
        "steps": [step_out(s, ctx) for s in visit.steps],
        "unavailable": list(visit.unavailable or []),
        "current": current_out(visit, ctx),
        "estimated_wait_minutes": estimate if visit.status == "waiting" else 0,
        "leave_by": ctx.local(visit.leave_by).strftime("%H:%M") if visit.leave_by else None,
        "priority": {
            "children": visit.priority_children,
            "accessibility": visit.priority_accessibility,
        },
        "residence_status": visit.residence_status,
        "municipality": visit.municipality,
        "age": visit.age,
        "consent_share": visit.consent_share,
        "invitation_code": visit.invitation_code,
    }
    if with_token:
        out = {"token": visit.token, **out}
    return out


def event_visit(visit: Visit, ctx: CenterContext) -> dict[str, Any]:
    """What the event log keeps of a visit.

    Never the token (the visitor's key) and none of the personal answers: every desk
    of every agency reads the log, and sharing those needs the visitor's consent.
    """
    out = visit_out(visit, ctx, with_token=False)
    for key in PERSONAL:
        out.pop(key, None)
    return out


def display_entry(visit: Visit, ctx: CenterContext) -> dict[str, Any]:
    """The only fields a waiting-room screen may show: no name, no personal answer."""
    step = current_step(visit)
    desk = ctx.desks.get(step.desk) if step and step.desk else None
    return {
        "ticket": visit.ticket,
        "status": visit.status,
        "language": visit.language,
        "desk": desk.code if desk else None,
        "room": ctx.room_label(desk, ctx.default_language) if desk else None,
        "room_labels": dict(desk.room) if desk else None,
        "agency": step.agency if step else None,
    }

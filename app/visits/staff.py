"""A visit as staff see it: the visitor's fields through the compartments, never the token.

Every staff-facing output of a visit is built here (desk status, queue, the desk
actions' answers, the visitor card), so the rules of `compartments` apply to all of
them alike, and what each showed lands in the caller's `Reads` for the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.auth.principal import Principal
from app.centers.context import CenterContext
from app.centers.models import Desk
from app.kinds import OPEN_STEP, StepStatus
from app.visits.compartments import Viewer, offices, redact_visit, sight_of
from app.visits.models import Visit
from app.visits.queries import wait_for
from app.visits.schemas import (
    CurrentOut,
    PriorityOut,
    StepOut,
    UnavailableOut,
    VisitOut,
)
from app.visits.views import visit_out


def desk_viewer(desk: Desk) -> Viewer:
    """At a desk, whoever is signed in (staff or admin) sees what the desk's agency sees."""
    return Viewer.of_agency(desk.agency_code)


def staff_visit(
    visit: Visit,
    ctx: CenterContext,
    viewer: Viewer,
    *,
    estimate: int | None = None,
    reads: audit.Reads | None = None,
) -> VisitOut:
    """The visit in the visitor's shape, as `viewer` may see it, with no token."""
    out = visit_out(visit, ctx, estimate=estimate)
    fields, shown = redact_visit(dict(out), viewer)
    fields["token"] = None
    if reads is not None:
        reads.saw(visit.id, visit.ticket, shown)
    return out.model_copy(update=fields)


async def desk_answer(
    session: AsyncSession,
    ctx: CenterContext,
    principal: Principal,
    desk: Desk,
    visit: Visit,
    *,
    now: datetime,
) -> VisitOut:
    """A desk action's answer, inside its write: who changed the visit, and what they saw."""
    reads = audit.Reads(principal, desk=desk.code)
    audit.add_changes(session, reads, at=now)
    estimate = await wait_for(session, ctx, visit, now=now)
    out = staff_visit(visit, ctx, desk_viewer(desk), estimate=estimate, reads=reads)
    audit.add(session, reads, at=now)
    return out


# The visitor card (GET /api/v1/desks/{code}/visits/{visit_id}).


class CardStep(StepOut):
    """A step with what the desks wrote about it."""

    note: str | None = Field(None, description="the desk's note when it finished this step")
    referred_by: str | None = Field(None, description="the agency that referred the visitor")
    referred_by_desk: str | None = None
    referral_reason: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None


class VisitCard(BaseModel):
    """One visitor as the viewing desk's agency may see them (docs/privacy.md)."""

    id: str
    ticket: str
    status: str
    language: str
    checked_in_at: datetime
    ended_at: datetime | None
    current: CurrentOut | None
    leave_by: str | None
    priority: PriorityOut | None
    residence_status: str | None
    municipality: str | None
    age: int | None
    invitation_code: str | None
    consent_share: bool
    case_conference: bool
    shared_note: str | None
    steps: list[CardStep] = Field(description="the steps this viewer may see, notes included")
    unavailable: list[UnavailableOut]
    done: list[str] = Field(description="agencies (of the visible steps) done with the visitor")
    ahead: list[str] = Field(description="agencies (of the visible steps) still ahead")
    compartment: Literal["admin", "shared", "own", "none"] = Field(
        description="admin: everything; shared: involved, with consent; own: involved, "
        "without consent (own steps only, no answers); none: not involved"
    )


def visit_card(visit: Visit, ctx: CenterContext, viewer: Viewer, reads: audit.Reads) -> VisitCard:
    """The card, filtered for `viewer`; the read is recorded whatever it showed."""
    base = visit_out(visit, ctx)
    steps = [
        CardStep(
            **dict(shown),
            note=step.note,
            referred_by=step.referred_by,
            referred_by_desk=step.referred_by_desk,
            referral_reason=step.referral_reason,
            called_at=ctx.local_or_none(step.called_at),
            started_at=ctx.local_or_none(step.started_at),
            ended_at=ctx.local_or_none(step.ended_at),
        )
        for shown, step in zip(base.steps, visit.steps, strict=True)
    ]
    fields = dict(base) | {
        "steps": steps,
        "case_conference": visit.case_conference,
        "shared_note": visit.shared_note,
    }
    seen = sight_of(fields, viewer)
    fields, shown = redact_visit(fields, viewer)
    done, ahead = offices(fields["steps"], open_statuses=OPEN_STEP, done_status=StepStatus.DONE)
    other_notes = any(s.note for s in fields["steps"] if s.agency != viewer.agency)
    reads.saw(
        visit.id, visit.ticket, (*shown, *(["notes"] if other_notes else [])), audit.Action.CARD
    )
    compartment = (
        "admin" if viewer.admin else "shared" if seen.shared else "own" if seen.involved else "none"
    )
    fields.pop("token", None)
    fields.pop("estimated_wait_minutes", None)
    fields.pop("estimated_wait_range", None)
    return VisitCard(**fields, done=done, ahead=ahead, compartment=compartment)

"""Case conference: a visit several agencies handle together, with one shared note.

The note is shared across agencies, so it exists only when the visitor consented to
sharing; only an agency involved in the visit (it has or had a step) may set either.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.context import CenterContext
from app.centers.models import Desk
from app.desks.state import desk_event
from app.errors import Conflict, Forbidden, NotFound
from app.kinds import EventType
from app.visits.models import Visit
from app.visits.queries import visit_by_id


async def _involved_visit(
    session: AsyncSession, ctx: CenterContext, desk: Desk, visit_id: str
) -> Visit:
    visit = await visit_by_id(session, visit_id)
    if visit.center_id != ctx.center.id or visit.date != ctx.today:
        raise NotFound(f"unknown visit '{visit_id}'", code="unknown_visit")
    if not any(s.agency == desk.agency_code for s in visit.steps):
        raise Forbidden(
            f"{desk.agency_code} is not involved in {visit.ticket}", code="not_involved"
        )
    return visit


async def set_conference(
    session: AsyncSession, ctx: CenterContext, desk: Desk, visit_id: str, *, on: bool, now: datetime
) -> Visit:
    visit = await _involved_visit(session, ctx, desk, visit_id)
    if visit.case_conference != on:
        visit.case_conference = on
        await desk_event(session, ctx, desk, EventType.VISIT_CASE_CONFERENCE, now, visit, on=on)
    return visit


async def set_shared_note(
    session: AsyncSession,
    ctx: CenterContext,
    desk: Desk,
    visit_id: str,
    *,
    note: str | None,
    now: datetime,
) -> Visit:
    visit = await _involved_visit(session, ctx, desk, visit_id)
    if not visit.consent_share:
        raise Conflict(
            f"{visit.ticket} did not consent to sharing: no shared note", code="no_consent"
        )
    text = (note or "").strip() or None
    if visit.shared_note != text:
        visit.shared_note = text
        # The note itself never enters the event log: desks re-read it from the card.
        await desk_event(
            session, ctx, desk, EventType.VISIT_NOTE_SHARED, now, visit, present=text is not None
        )
    return visit

"""The public shape of a desk: its state, its current visitor, its queue in call order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Reads
from app.centers.context import CenterContext
from app.centers.models import Desk
from app.desks import service
from app.desks.hold import held_steps
from app.desks.models import JointRequest
from app.desks.schemas import (
    DeskOut,
    DeskStatus,
    HeldOut,
    JointOut,
    QueueEntry,
    ReferralOut,
    WhyOut,
)
from app.desks.state import desk_visit
from app.visits.models import Step
from app.visits.queries import active_visits, cached_estimates, visit_by_id
from app.visits.staff import desk_viewer, staff_visit


def desk_out(desk: Desk, ctx: CenterContext) -> DeskOut:
    return DeskOut(**dict(ctx.desk_summary(desk)), languages=list(desk.languages))


async def desk_status(
    session: AsyncSession, ctx: CenterContext, desk: Desk, *, reads: Reads | None = None
) -> DeskStatus:
    """The desk and its visitor as the desk's agency may see them (visits.compartments)."""
    visit = await desk_visit(session, ctx, desk)
    current = staff_visit(visit, ctx, desk_viewer(desk), reads=reads) if visit else None
    return DeskStatus(**dict(desk_out(desk, ctx)), current=current)


async def queue_out(
    session: AsyncSession,
    ctx: CenterContext,
    desk: Desk,
    now: datetime,
    *,
    reads: Reads | None = None,
    exact: bool = False,
) -> list[QueueEntry]:
    """Who waits for this desk, in call order (the queue route and the desk socket).

    Each visitor as the desk's agency may see them (visits.compartments). exact: the
    desk socket's snapshot, whose visits must be those of its seq.
    """
    viewer = desk_viewer(desk)
    visits = await active_visits(session, ctx, exact=exact)
    by_id = {v.id: v for v in visits}
    waits = await cached_estimates(session, ctx, now=now)
    ranked = service.queue(ctx, desk, visits, now=now)
    out = []
    for position, cand in enumerate(ranked, start=1):
        visit = by_id[cand.visit.visit_id]
        here = [s for s in visit.steps if s.id in {c.step_id for c in cand.steps}]
        out.append(
            QueueEntry(
                **dict(staff_visit(visit, ctx, viewer, estimate=waits.get(visit.id), reads=reads)),
                position=position,
                score=round(cand.score, 2),
                reasons=list(cand.reasons),
                why=[WhyOut(code=w.code, value=w.value) for w in cand.why],
                needs_here=[s.need for s in cand.steps],
                referral=_referral(here),
            )
        )
    # Held visitors keep their place in the order of waiting but are not callable: the
    # desk sees them greyed after the callable ones, with why and until when.
    position = len(out)
    for visit in visits:
        held = held_steps(visit, desk.agency_code)
        if not held:
            continue
        position += 1
        first = min(held, key=lambda s: s.queued_at)
        assert first.held_reason is not None
        out.append(
            QueueEntry(
                **dict(staff_visit(visit, ctx, viewer, reads=reads)),
                position=position,
                score=0.0,
                reasons=[],
                needs_here=[s.need for s in held],
                callable=False,
                held=HeldOut(
                    reason=first.held_reason,
                    note=first.held_note,
                    until=ctx.local_or_none(first.held_until),
                ),
                referral=_referral(held),
            )
        )
    return out


def _referral(steps: list[Step]) -> ReferralOut | None:
    step = next((s for s in steps if s.referred_by), None)
    if step is None or step.referred_by is None:
        return None
    return ReferralOut(
        by_agency=step.referred_by, by_desk=step.referred_by_desk, reason=step.referral_reason
    )


async def joint_out(session: AsyncSession, ctx: CenterContext, req: JointRequest) -> JointOut:
    visit = await visit_by_id(session, req.visit_id)
    host = ctx.desks.get(req.host_desk)
    return JointOut(
        id=req.id,
        visit_id=req.visit_id,
        ticket=visit.ticket,
        host_desk=req.host_desk,
        host_agency=req.host_agency,
        host_room=ctx.room_label(host, ctx.default_language) if host else req.host_desk,
        host_room_labels=dict(host.room) if host else {},
        agency=req.agency,
        desk=req.desk,
        status=req.status,
        reason=req.reason,
        requested_at=ctx.local(req.requested_at),
        lapses_at=ctx.local(req.lapses_at),
        answered_by=req.answered_by,
    )

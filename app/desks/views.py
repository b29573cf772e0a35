"""The public shape of a desk: its state, its current visitor, its queue in call order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Reads
from app.centers.context import CenterContext
from app.centers.models import Desk
from app.desks import service
from app.desks.schemas import DeskOut, DeskStatus, QueueEntry
from app.visits.queries import active_visits, cached_estimates
from app.visits.staff import desk_viewer, staff_visit


def desk_out(desk: Desk, ctx: CenterContext) -> DeskOut:
    return DeskOut(**dict(ctx.desk_summary(desk)), languages=list(desk.languages))


async def desk_status(
    session: AsyncSession, ctx: CenterContext, desk: Desk, *, reads: Reads | None = None
) -> DeskStatus:
    """The desk and its visitor as the desk's agency may see them (visits.compartments)."""
    visit = await service.desk_visit(session, ctx, desk)
    current = staff_visit(visit, ctx, desk_viewer(desk), reads=reads) if visit else None
    return DeskStatus(**dict(desk_out(desk, ctx)), current=current)


async def queue_out(
    session: AsyncSession,
    ctx: CenterContext,
    desk: Desk,
    now: datetime,
    *,
    reads: Reads | None = None,
) -> list[QueueEntry]:
    """Who waits for this desk, in call order (the queue route and the desk socket).

    Each visitor as the desk's agency may see them (visits.compartments).
    """
    viewer = desk_viewer(desk)
    visits = await active_visits(session, ctx)
    by_id = {v.id: v for v in visits}
    waits = await cached_estimates(session, ctx, now=now)
    ranked = service.queue(ctx, desk, visits, now=now)
    out = []
    for position, cand in enumerate(ranked, start=1):
        visit = by_id[cand.visit.visit_id]
        out.append(
            QueueEntry(
                **dict(staff_visit(visit, ctx, viewer, estimate=waits.get(visit.id), reads=reads)),
                position=position,
                score=round(cand.score, 2),
                reasons=list(cand.reasons),
                needs_here=[s.need for s in cand.steps],
            )
        )
    return out

"""The public shape of a desk: its state, its current visitor, its queue in call order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.context import CenterContext
from app.centers.models import Desk
from app.desks import service
from app.desks.schemas import DeskOut, DeskStatus, QueueEntry
from app.visits.queries import active_visits, cached_estimates
from app.visits.views import visit_out


def desk_out(desk: Desk, ctx: CenterContext) -> DeskOut:
    return DeskOut(**dict(ctx.desk_summary(desk)), languages=list(desk.languages))


async def desk_status(session: AsyncSession, ctx: CenterContext, desk: Desk) -> DeskStatus:
    visit = await service.desk_visit(session, ctx, desk)
    return DeskStatus(**dict(desk_out(desk, ctx)), current=visit_out(visit, ctx) if visit else None)


async def queue_out(
    session: AsyncSession, ctx: CenterContext, desk: Desk, now: datetime
) -> list[QueueEntry]:
    """Who waits for this desk, in call order (the queue route and the desk socket)."""
    visits = await active_visits(session, ctx)
    by_id = {v.id: v for v in visits}
    waits = await cached_estimates(session, ctx, now=now)
    ranked = service.queue(ctx, desk, visits, now=now)
    out = []
    for position, cand in enumerate(ranked, start=1):
        visit = by_id[cand.visit.visit_id]
        out.append(
            QueueEntry(
                **dict(visit_out(visit, ctx, estimate=waits.get(visit.id))),
                position=position,
                score=round(cand.score, 2),
                reasons=list(cand.reasons),
                needs_here=[s.need for s in cand.steps],
            )
        )
    return out

"""What the waiting-room screen shows: the HTTP display endpoint and its socket's snapshot."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.context import CenterContext
from app.centers.responses import CenterRef
from app.journal.log import last_seq
from app.kinds import VisitStatus
from app.visits.queries import active_visits
from app.visits.schemas import DisplaySnapshot
from app.visits.views import display_entry


async def display_snapshot(session: AsyncSession, ctx: CenterContext) -> DisplaySnapshot:
    """Tickets, rooms and agencies only: the screen hangs in a public waiting room."""
    visits = await active_visits(session, ctx)
    called = sorted(
        (v for v in visits if v.status in (VisitStatus.CALLED, VisitStatus.IN_SERVICE)),
        key=lambda v: max((s.called_at for s in v.steps if s.called_at), default=v.checked_in_at),
        reverse=True,
    )
    return DisplaySnapshot(
        center=CenterRef(slug=ctx.center.slug, name=ctx.center.name),
        date=ctx.today,
        seq=await last_seq(session, center_id=ctx.center.id, day=ctx.today),
        languages=list(ctx.center.languages),
        calls=[display_entry(v, ctx) for v in called],
        waiting=[v.ticket for v in visits if v.status == VisitStatus.WAITING],
        desks=[ctx.desk_summary(d) for d in ctx.desks.values()],
    )

"""What the waiting-room screen shows: the HTTP display endpoint and its socket's snapshot."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.context import CenterContext
from app.journal.log import last_seq
from app.visits.queries import active_visits
from app.visits.views import display_entry


async def display_snapshot(session: AsyncSession, ctx: CenterContext) -> dict[str, Any]:
    """Tickets, rooms and agencies only: the screen hangs in a public waiting room."""
    visits = await active_visits(session, ctx)
    called = sorted(
        (v for v in visits if v.status in ("called", "in_service")),
        key=lambda v: max((s.called_at for s in v.steps if s.called_at), default=v.checked_in_at),
        reverse=True,
    )
    return {
        "center": {"slug": ctx.center.slug, "name": ctx.center.name},
        "date": ctx.today.isoformat(),
        "seq": await last_seq(session, center_id=ctx.center.id, day=ctx.today),
        "languages": list(ctx.center.languages),
        "calls": [display_entry(v, ctx) for v in called],
        "waiting": [v.ticket for v in visits if v.status == "waiting"],
        "desks": [ctx.desk_summary(d) for d in ctx.desks.values()],
    }

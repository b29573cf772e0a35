"""The whole current state a socket starts from, with the seq of the last event in it.

Each is read in one Database.snapshot() session, so the state and its seq agree. The
states are the same response models the HTTP routes return, dumped once for the wire.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Reads
from app.centers.context import CenterContext
from app.centers.models import Desk
from app.desks.schemas import DeskSnapshot
from app.desks.views import desk_status, queue_out
from app.journal.log import last_seq
from app.visits.display import display_snapshot
from app.visits.models import Visit
from app.visits.queries import wait_for
from app.visits.views import visit_out

State = tuple[int, dict[str, Any]]


async def display_state(session: AsyncSession, ctx: CenterContext, now: datetime) -> State:
    data = await display_snapshot(session, ctx, exact=True)
    return data.seq, data.model_dump(mode="json")


async def desk_state(
    session: AsyncSession,
    ctx: CenterContext,
    desk: Desk,
    now: datetime,
    *,
    reads: Reads | None = None,
) -> State:
    """The desk's state as its agency may see it; what it showed goes into `reads`."""
    seq = await last_seq(session, center_id=ctx.center.id, day=ctx.today)
    snapshot = DeskSnapshot(
        seq=seq,
        date=ctx.today,
        desk=await desk_status(session, ctx, desk, reads=reads),
        queue=await queue_out(session, ctx, desk, now, reads=reads, exact=True),
    )
    return seq, snapshot.model_dump(mode="json")


async def visit_state(
    session: AsyncSession, ctx: CenterContext, visit: Visit, now: datetime
) -> State:
    """The visit as GET /api/v1/visits/{token} returns it."""
    seq = await last_seq(session, center_id=ctx.center.id, day=visit.date)
    out = visit_out(visit, ctx, estimate=await wait_for(session, ctx, visit, now=now))
    return seq, out.model_dump(mode="json")

"""Reads what the overview needs and hands it to the pure computation (compute.py).

The visitors in the center and the waits per agency come from the same functions the
waiting-room screen uses (app/visits/queries.py, app/visits/display.py); the day's
counts and each desk's last activity from today's event log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ScalarResult, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.context import CenterContext
from app.journal.log import last_seq
from app.journal.models import Event
from app.kinds import EventType
from app.overview.compute import AgencyIn, DeskIn, Inputs, LogCounts, StepIn, VisitIn, overview
from app.overview.schemas import DayHours, Overview
from app.planner.live_advice import staffing
from app.visits.display import agency_waits
from app.visits.models import Visit
from app.visits.queries import active_visits, minutes


async def read_overview(
    session: AsyncSession, ctx: CenterContext, *, now: datetime, exact: bool = False
) -> Overview:
    """exact: a socket's snapshot, whose visitors must be those of its seq."""
    seq = await last_seq(session, center_id=ctx.center.id, day=ctx.today)
    visits = await active_visits(session, ctx, exact=exact)
    waits = {w.agency: w for w in agency_waits(visits, ctx)}
    last_at = await _last_desk_events(session, ctx)
    present = ctx.present
    data = Inputs(
        slug=ctx.center.slug,
        name=ctx.center.name,
        day=ctx.today,
        seq=seq,
        now=ctx.local(now),
        hours=_hours(ctx),
        desks=[
            DeskIn(
                code=d.code,
                room=ctx.room_label(d, ctx.default_language),
                room_labels=dict(d.room),
                agency=d.agency_code,
                state=d.state,
                state_changed_at=ctx.local_or_none(d.state_changed_at),
                last_event_at=ctx.local_or_none(last_at.get(d.code)),
            )
            for d in ctx.desks.values()
        ],
        agencies=[
            AgencyIn(
                code=code,
                name=dict(agency.name),
                present=code in present,
                wait_min=waits[code].wait_min if code in waits else None,
                wait_max=waits[code].wait_max if code in waits else None,
            )
            for code, agency in ctx.agencies.items()
        ],
        visits=[_visit(v, ctx) for v in visits],
        counts=await _log_counts(session, ctx),
        before=ctx.before,
    )
    out = overview(data)
    out.staffing = staffing(data, out)
    return out


def _visit(visit: Visit, ctx: CenterContext) -> VisitIn:
    return VisitIn(
        ticket=visit.ticket,
        status=visit.status,
        leave_by=ctx.local_or_none(visit.leave_by),
        steps=tuple(
            StepIn(
                need=s.need,
                agency=s.agency,
                status=s.status,
                minutes=minutes(ctx, s.need),
                queued_at=ctx.local(s.queued_at),
                desk=s.desk,
                called_at=ctx.local_or_none(s.called_at),
                started_at=ctx.local_or_none(s.started_at),
                held=s.held_reason is not None,
                joint_host=s.joint_host,
            )
            for s in visit.steps
        ),
    )


def _hours(ctx: CenterContext) -> DayHours | None:
    if ctx.day is None:
        return None
    return DayHours(
        opens=ctx.at_local_time(ctx.day.opens),
        closes=ctx.at_local_time(ctx.day.closes),
        site=getattr(ctx.day, "site", None),
    )


async def _last_desk_events(session: AsyncSession, ctx: CenterContext) -> dict[str, datetime]:
    rows = await session.execute(
        select(Event.desk, func.max(Event.at))
        .where(Event.center_id == ctx.center.id, Event.date == ctx.today, Event.desk.is_not(None))
        .group_by(Event.desk)
    )
    return {str(desk): at for desk, at in rows.all() if at is not None}


async def _log_counts(session: AsyncSession, ctx: CenterContext) -> LogCounts:
    today = (Event.center_id == ctx.center.id, Event.date == ctx.today)
    rows = await session.execute(
        select(Event.type, func.count())
        .where(
            *today,
            Event.type.in_(
                (EventType.VISIT_CHECKED_IN, EventType.VISIT_DONE, EventType.VISIT_CANCELLED)
            ),
        )
        .group_by(Event.type)
    )
    counts = {str(kind): int(n) for kind, n in rows.all()}
    # A miss is a no-show only when it was the last one (`final`): the first sends the
    # visitor to the end of the queue (app/desks/service.py), as the statistics count it.
    missed: ScalarResult[dict[str, Any] | None] = await session.scalars(
        select(Event.data).where(*today, Event.type == EventType.VISIT_NO_SHOW)
    )
    return LogCounts(
        checked_in=counts.get(EventType.VISIT_CHECKED_IN, 0),
        done=counts.get(EventType.VISIT_DONE, 0),
        cancelled=counts.get(EventType.VISIT_CANCELLED, 0),
        no_shows=sum(1 for data in missed.all() if (data or {}).get("final")),
    )

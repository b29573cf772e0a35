"""What the waiting-room screen shows: the HTTP display endpoint and its socket's snapshot."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.context import CenterContext
from app.centers.responses import CenterRef
from app.journal.log import last_seq
from app.kinds import DeskState, StepStatus, VisitStatus
from app.routing.estimate import wait_range
from app.visits.models import Visit
from app.visits.queries import active_visits, minutes
from app.visits.schemas import DisplaySnapshot
from app.visits.screen import AgencyWait, AnnounceOptions, ScreenOptions
from app.visits.views import display_entry


async def display_snapshot(
    session: AsyncSession, ctx: CenterContext, *, exact: bool = False
) -> DisplaySnapshot:
    """Tickets, rooms and agencies only: the screen hangs in a public waiting room.

    exact: a socket's snapshot, whose visits must be those of its seq."""
    visits = await active_visits(session, ctx, exact=exact)
    called = sorted(
        (v for v in visits if v.status in (VisitStatus.CALLED, VisitStatus.IN_SERVICE)),
        key=lambda v: max((s.called_at for s in v.steps if s.called_at), default=v.checked_in_at),
        reverse=True,
    )
    screen = screen_options(ctx.center.screen)
    calls = [display_entry(v, ctx) for v in called]
    if not screen.agency_names:  # rooms only: which office a ticket goes to is not shown
        calls = [c.model_copy(update={"agency": None}) for c in calls]
    return DisplaySnapshot(
        center=CenterRef(slug=ctx.center.slug, name=ctx.center.name),
        date=ctx.today,
        seq=await last_seq(session, center_id=ctx.center.id, day=ctx.today),
        languages=list(ctx.center.languages),
        calls=calls,
        waiting=[v.ticket for v in visits if v.status == VisitStatus.WAITING],
        desks=[ctx.desk_summary(d) for d in ctx.desks.values()],
        agencies=agency_waits(visits, ctx),
        screen=screen,
    )


def screen_options(stored: dict[str, Any] | None) -> ScreenOptions:
    """The center row's `screen` (config center.announce / center.display), defaults if unset."""
    stored = stored or {}
    display = stored.get("display") or {}
    return ScreenOptions(
        announce=AnnounceOptions(**(stored.get("announce") or {})),
        agency_names=bool(display.get("agency_names", True)),
    )


def agency_waits(visits: list[Visit], ctx: CenterContext) -> list[AgencyWait]:
    """Per agency present today: who waits for it, its open desks, and a wait range.

    A newcomer's wait is what the system can know without promising an order: the
    agency's queue (steps still to be called, held ones aside) times the minutes a
    service takes (learned from today's log, the config's until then) shared by its
    open desks, plus half a service when every desk is busy now; the range around it is
    the calibrated one every visitor gets (`estimate.wait_range`). With no desk of the
    agency open it is null: the screen says so instead of inventing a number.
    """
    open_desks = Counter(d.agency_code for d in ctx.desks.values() if d.state == DeskState.OPEN)
    paused = Counter(d.agency_code for d in ctx.desks.values() if d.state == DeskState.PAUSED)
    queue: dict[str, list[float]] = {a: [] for a in ctx.agencies}
    waiting: dict[str, set[str]] = {a: set() for a in ctx.agencies}
    busy: Counter[str] = Counter()
    for visit in visits:
        for step in visit.steps:
            if step.status == StepStatus.PENDING and step.agency in queue:
                waiting[step.agency].add(visit.id)
                if step.held_reason is None:
                    queue[step.agency].append(minutes(ctx, step.need))
            elif step.status in (StepStatus.CALLED, StepStatus.IN_SERVICE) and step.desk:
                busy[step.agency] += 1
    out = []
    for code in ctx.agencies:
        if code not in ctx.present:
            continue
        span = None
        desks = open_desks.get(code, 0)
        if desks:
            typical = _typical(ctx, code, queue[code])
            ahead = sum(queue[code]) / desks
            running = typical if busy.get(code, 0) >= desks else 0.0
            span = wait_range(ahead + running / 2)
        out.append(
            AgencyWait(
                agency=code,
                waiting=len(waiting[code]),
                open_desks=desks,
                paused_desks=paused.get(code, 0),
                wait_min=None if span is None else span[0],
                wait_max=None if span is None else span[1],
                estimated_wait_range=span,
            )
        )
    return out


def _typical(ctx: CenterContext, agency: str, queued: list[float]) -> float:
    """One service at this agency: the queue's mean, else the mean of the needs it serves."""
    if queued:
        return sum(queued) / len(queued)
    served = [
        minutes(ctx, n.code)
        for n in ctx.needs.values()
        if any(s.get("agency") == agency for s in n.served_by)
    ]
    return sum(served) / len(served) if served else 15.0

"""The overview of a center's day, computed from plain inputs (pure: no I/O, no framework).

app/overview/service.py reads the inputs (desks, the visitors in the center, the day's
hours, counts from the event log, the display's wait ranges) and calls `overview`.

Honest numbers only: durations are whole minutes since a recorded moment; the expected
wait is the waiting room's range (app/visits/display.py), not a promise; "clears at"
is rounded up to 5 minutes and only said when a desk of the agency is open.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.kinds import BUSY_STEP, OPEN_STEP, DeskState, StepStatus, VisitStatus
from app.overview.schemas import (
    AgencyOverview,
    Alert,
    AlertCode,
    CenterName,
    DayCounts,
    DayHours,
    DeskActivity,
    DeskOverview,
    LeavingSoon,
    Overview,
    Serving,
    Severity,
)
from app.routing.estimate import remaining_minutes

# A visitor with open steps this close to their leave_by (or past it) is listed.
LEAVING_SOON_MINUTES = 30
# A desk idle for less than this beside a queue is worth a look, not yet a warning:
# finishing a file after a visitor leaves takes a minute or two.
IDLE_GRACE_MINUTES = 3
ROUND = 5  # minutes: "clears at" is said no more precisely than this


@dataclass(frozen=True)
class StepIn:
    need: str
    agency: str
    status: StepStatus
    minutes: float  # the expected service minutes (learned today, the config's until then)
    queued_at: datetime
    desk: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    held: bool = False  # "comes back later": waits without being callable
    joint_host: str | None = None  # joined a consultation hosted at that desk


@dataclass(frozen=True)
class VisitIn:
    ticket: str
    status: VisitStatus
    steps: tuple[StepIn, ...]
    leave_by: datetime | None = None


@dataclass(frozen=True)
class DeskIn:
    code: str
    room: str
    room_labels: Mapping[str, str]
    agency: str
    state: DeskState
    state_changed_at: datetime | None = None
    last_event_at: datetime | None = None  # the desk's last event in today's log


@dataclass(frozen=True)
class AgencyIn:
    code: str
    name: Mapping[str, str]
    present: bool
    wait_min: int | None = None  # the display's range for a newcomer
    wait_max: int | None = None


@dataclass(frozen=True)
class LogCounts:
    checked_in: int = 0
    done: int = 0
    no_shows: int = 0
    cancelled: int = 0


@dataclass(frozen=True)
class Inputs:
    slug: str
    name: str
    day: date
    seq: int
    now: datetime
    hours: DayHours | None
    desks: Sequence[DeskIn]
    agencies: Sequence[AgencyIn]
    visits: Sequence[VisitIn]
    counts: LogCounts = field(default_factory=LogCounts)
    # need -> needs that must be done before it may be called (config `before`, inverted
    # as routing reads it: a step is blocked while an open step of the visit lists it)
    before: Mapping[str, frozenset[str]] = field(default_factory=dict)


def overview(data: Inputs) -> Overview:
    now = data.now
    at_desk = _at_desk(data.visits)
    desks = [_desk(d, at_desk.get(d.code, []), data.visits, now) for d in data.desks]
    queues = _queues(data.visits, data.before)
    agencies = [_agency(a, data.desks, desks, queues, now) for a in data.agencies]
    return Overview(
        center=CenterName(slug=data.slug, name=data.name),
        date=data.day,
        seq=data.seq,
        now=now,
        day=data.hours,
        desks=desks,
        agencies=agencies,
        leaving_soon=leaving_soon(data.visits, now),
        alerts=alerts(data, desks, agencies, queues, at_desk),
        counts=DayCounts(
            checked_in=data.counts.checked_in,
            done=data.counts.done,
            waiting=sum(1 for v in data.visits if v.status == VisitStatus.WAITING),
            at_desk=sum(
                1 for v in data.visits if v.status in (VisitStatus.CALLED, VisitStatus.IN_SERVICE)
            ),
            no_shows=data.counts.no_shows,
            cancelled=data.counts.cancelled,
        ),
    )


def minutes_between(start: datetime, end: datetime) -> int:
    """Whole minutes, never negative: a clock a second behind says 0, not -1."""
    return max(0, math.floor((end - start).total_seconds() / 60))


# ---- desks ---------------------------------------------------------------------------


def _at_desk(visits: Iterable[VisitIn]) -> dict[str, list[tuple[VisitIn, StepIn]]]:
    out: dict[str, list[tuple[VisitIn, StepIn]]] = defaultdict(list)
    for visit in visits:
        for step in visit.steps:
            if step.status in BUSY_STEP and step.desk:
                out[step.desk].append((visit, step))
    return out


def _desk(
    desk: DeskIn, here: list[tuple[VisitIn, StepIn]], visits: Sequence[VisitIn], now: datetime
) -> DeskOverview:
    out = DeskOverview(
        code=desk.code,
        room=desk.room,
        room_labels=dict(desk.room_labels),
        agency=desk.agency,
        state=desk.state,
        activity=_activity(desk.state),
    )
    if here:
        visit = here[0][0]
        steps = [s for v, s in here if v is visit]
        started = [
            s.started_at for s in steps if s.status == StepStatus.IN_SERVICE and s.started_at
        ]
        called = [s.called_at for s in steps if s.called_at]
        in_service = any(s.status == StepStatus.IN_SERVICE for s in steps)
        begun = [m for m in started if m is not None]
        since = min(begun) if begun else min(called, default=now)
        out.activity = DeskActivity.SERVING if in_service else DeskActivity.CALLING
        out.serving = Serving(
            ticket=visit.ticket,
            status=StepStatus.IN_SERVICE if in_service else StepStatus.CALLED,
            since=since,
            minutes=minutes_between(since, now),
            agencies=sorted({s.agency for s in steps}),
        )
        out.joint_host = next((s.joint_host for s in steps if s.joint_host), None)
    elif desk.state == DeskState.OPEN:
        out.activity = DeskActivity.IDLE
        moments = [m for m in (desk.state_changed_at, desk.last_event_at) if m is not None]
        if moments:
            out.idle_since = max(moments)
            out.idle_minutes = minutes_between(out.idle_since, now)
    out.joint_guests = sorted(
        {
            str(s.desk)
            for v in visits
            for s in v.steps
            if s.joint_host == desk.code and s.status in BUSY_STEP and s.desk
        }
    )
    return out


def _activity(state: DeskState) -> DeskActivity:
    if state == DeskState.PAUSED:
        return DeskActivity.PAUSED
    if state == DeskState.CLOSED:
        return DeskActivity.CLOSED
    return DeskActivity.IDLE


# ---- queues --------------------------------------------------------------------------


@dataclass
class Queue:
    """One agency's waiting steps."""

    visits: set[str] = field(default_factory=set)  # tickets with a pending step here
    held: set[str] = field(default_factory=set)  # tickets whose steps here are all held
    callable: int = 0  # steps a desk of the agency could call now
    oldest: datetime | None = None  # the earliest queued_at of a step not held
    work: float = 0.0  # service minutes of every pending step (held ones too)


def _queues(visits: Sequence[VisitIn], before: Mapping[str, frozenset[str]]) -> dict[str, Queue]:
    out: dict[str, Queue] = defaultdict(Queue)
    for visit in visits:
        busy = any(s.status in BUSY_STEP for s in visit.steps)
        open_needs = [s.need for s in visit.steps if s.status in OPEN_STEP]
        per_agency_unheld: dict[str, bool] = defaultdict(bool)
        for step in visit.steps:
            if step.status != StepStatus.PENDING:
                continue
            q = out[step.agency]
            q.visits.add(visit.ticket)
            q.work += step.minutes
            per_agency_unheld[step.agency] |= not step.held
            if step.held:
                continue
            if q.oldest is None or step.queued_at < q.oldest:
                q.oldest = step.queued_at
            blocked = any(
                step.need in before.get(other, frozenset())
                for other in open_needs
                if other != step.need
            )
            # A visitor at another desk now, or who must finish another step first,
            # is in the queue but no desk can call them yet.
            if not busy and not blocked:
                q.callable += 1
        for agency, unheld in per_agency_unheld.items():
            if not unheld:
                out[agency].held.add(visit.ticket)
    return out


def _agency(
    agency: AgencyIn,
    desks_in: Sequence[DeskIn],
    desks: Sequence[DeskOverview],
    queues: Mapping[str, Queue],
    now: datetime,
) -> AgencyOverview:
    mine = [d for d in desks if d.agency == agency.code]
    q = queues.get(agency.code, Queue())
    return AgencyOverview(
        agency=agency.code,
        name=dict(agency.name),
        present=agency.present,
        waiting=len(q.visits),
        held=len(q.held),
        longest_wait_minutes=minutes_between(q.oldest, now) if q.oldest else None,
        wait_min=agency.wait_min,
        wait_max=agency.wait_max,
        open_desks=sum(1 for d in mine if d.state == DeskState.OPEN),
        busy_desks=sum(1 for d in mine if d.state == DeskState.OPEN and d.serving is not None),
        paused_desks=sum(1 for d in mine if d.state == DeskState.PAUSED),
        closed_desks=sum(1 for d in mine if d.state == DeskState.CLOSED),
    )


# ---- leave_by ------------------------------------------------------------------------


def leaving_soon(
    visits: Iterable[VisitIn], now: datetime, within: int = LEAVING_SOON_MINUTES
) -> list[LeavingSoon]:
    out = []
    for visit in visits:
        if visit.leave_by is None:
            continue
        open_steps = [s for s in visit.steps if s.status in OPEN_STEP]
        if not open_steps:
            continue
        left = math.floor((visit.leave_by - now).total_seconds() / 60)
        if left > within:
            continue
        out.append(
            LeavingSoon(
                ticket=visit.ticket,
                leave_by=visit.leave_by,
                minutes_left=left,
                open_agencies=sorted({s.agency for s in open_steps}),
                in_service=any(s.status in BUSY_STEP for s in open_steps),
            )
        )
    return sorted(out, key=lambda x: (x.leave_by, x.ticket))


# ---- alerts --------------------------------------------------------------------------


def alerts(
    data: Inputs,
    desks: Sequence[DeskOverview],
    agencies: Sequence[AgencyOverview],
    queues: Mapping[str, Queue],
    at_desk: Mapping[str, list[tuple[VisitIn, StepIn]]],
) -> list[Alert]:
    now = data.now
    out: list[Alert] = []
    by_agency = {a.agency: a for a in agencies}
    changed = {d.code: d.state_changed_at for d in data.desks}
    for desk in desks:
        q = queues.get(desk.agency)
        agency = by_agency.get(desk.agency)
        if q is None or agency is None or q.callable == 0 or desk.serving is not None:
            continue
        if desk.activity == DeskActivity.IDLE:
            idle = desk.idle_minutes
            late = idle is None or idle >= IDLE_GRACE_MINUTES
            out.append(
                Alert(
                    code=AlertCode.DESK_IDLE,
                    severity=Severity.WARNING if late else Severity.INFO,
                    agency=desk.agency,
                    desk=desk.code,
                    waiting=agency.waiting,
                    idle_minutes=idle,
                )
            )
        elif desk.activity == DeskActivity.PAUSED:
            since = changed.get(desk.code)
            out.append(
                Alert(
                    code=AlertCode.DESK_PAUSED,
                    # Breaks are normal while another desk of the agency works the queue.
                    severity=Severity.WARNING if agency.open_desks == 0 else Severity.INFO,
                    agency=desk.agency,
                    desk=desk.code,
                    waiting=agency.waiting,
                    paused_minutes=minutes_between(since, now) if since else None,
                    open_desks=agency.open_desks,
                )
            )
    for agency in agencies:
        q = queues.get(agency.agency)
        if q is None or not q.visits:
            continue
        available = agency.paused_desks + agency.closed_desks
        if agency.open_desks == 0:
            if agency.paused_desks == 0 and q.callable:
                out.append(
                    Alert(
                        code=AlertCode.AGENCY_UNSTAFFED,
                        severity=Severity.WARNING,
                        agency=agency.agency,
                        waiting=agency.waiting,
                        open_desks=0,
                        desks_available=available,
                    )
                )
            continue
        past = _past_closing(data, agency, q, at_desk, available)
        if past is not None:
            out.append(past)
    order = {Severity.WARNING: 0, Severity.INFO: 1}
    return sorted(out, key=lambda a: (order[a.severity], a.agency, a.desk or ""))


def _past_closing(
    data: Inputs,
    agency: AgencyOverview,
    q: Queue,
    at_desk: Mapping[str, list[tuple[VisitIn, StepIn]]],
    available: int,
) -> Alert | None:
    """At the current pace (the expected service minutes, shared by the open desks, plus
    what the services running now still need), is the queue done by closing time?"""
    if data.hours is None:
        return None
    now, closes = data.now, data.hours.closes
    running = 0.0
    for desk in data.desks:
        if desk.agency != agency.agency:
            continue
        for _, step in at_desk.get(desk.code, []):
            if step.agency != agency.agency:
                continue
            begun = step.started_at or step.called_at or now
            elapsed = (now - begun).total_seconds() / 60
            running += remaining_minutes(step.minutes, elapsed)
    work = q.work + running
    clears = now + timedelta(minutes=work / agency.open_desks)
    clears = _round_up(clears)
    if clears <= closes:
        return None
    left = (closes - now).total_seconds() / 60
    needed = math.ceil(work / left) if left > 0 else None
    return Alert(
        code=AlertCode.QUEUE_PAST_CLOSING,
        severity=Severity.WARNING,
        agency=agency.agency,
        waiting=agency.waiting,
        open_desks=agency.open_desks,
        work_minutes=math.ceil(work),
        clears_at=clears,
        closes=closes,
        desks_needed=needed,
        desks_available=available,
    )


def _round_up(moment: datetime) -> datetime:
    base = moment.replace(second=0, microsecond=0)
    if base < moment:
        base += timedelta(minutes=1)
    extra = (-base.minute) % ROUND
    return base + timedelta(minutes=extra)

"""Who a free desk calls next: a pure function over a snapshot of the waiting room.

A visitor waits at every agency at once: they are a candidate for each agency where
they have a pending step that no open step of theirs must precede (`before`). When a
desk is free it scores its candidates; higher is called first. All terms are in
"minutes of waiting" so they compare (docs/routing.md has the benchmark behind the
numbers):

  waited      minutes since the step joined this agency's queue (check-in, referral,
              or the end of the queue after a missed call)
  aging       + AGING * (waited - AGING_AFTER) once past AGING_AFTER: bounds the tail
  fair        + FAIR_BONUS once waited passes FAIR_AFTER: whoever has waited that long
              is called before anyone else, oldest first (the FIFO promise for the tail)
  work        - WORK_WEIGHT * remaining minutes of all the visitor's open steps,
              capped at WORK_CAP: shortest remaining work first, but a bounded jump
              (at most WORK_WEIGHT * WORK_CAP minutes of queue)
  elsewhere   - ELSEWHERE_WEIGHT * the longest queue (pending minutes per desk) at the
              visitor's other agencies (off by default: it measured no gain)
  last stop   + LAST_STOP_BONUS when this desk's steps are all the visitor has left:
              serving them empties a chair in the waiting room right away
  priority    + PRIORITY_BONUS for families with children, + ACCESS_BONUS for
              accessibility needs
  deadline    for a visitor with leave_by: reach = minutes left - remaining service -
              walking; slack = reach - SLACK_WAITS * the longest queue elsewhere;
              + URGENCY_WEIGHT * (URGENCY_HORIZON - slack) when slack is under the
              horizon, nothing when reach < 0 (out of reach even if served at once)
  language    + LANGUAGE_BONUS when the desk speaks the visitor's language: a
              tie-breaker, never a filter
Ties break on the earlier queue time, then the ticket.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from app.kinds import BUSY_STEP, OPEN_STEP, StepStatus

OPEN = OPEN_STEP
BUSY = BUSY_STEP


@dataclass(frozen=True)
class StepView:
    step_id: int
    need: str
    agency: str
    status: str
    queued_at: datetime
    minutes: float  # expected service minutes: learned from the log, the config's as prior
    ended_at: datetime | None = None
    held: bool = False  # "comes back later": waits in its place but is not callable


@dataclass(frozen=True)
class VisitView:
    visit_id: str
    ticket: str
    checked_in_at: datetime
    language: str
    steps: tuple[StepView, ...]
    leave_by: datetime | None = None
    children: bool = False
    accessibility: bool = False


@dataclass(frozen=True)
class DeskView:
    code: str
    agency: str
    languages: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Params:
    aging: float = 2.0
    aging_after: float = 60.0
    work_weight: float = 1.0
    work_cap: float = 45.0
    last_stop_bonus: float = 4.0
    priority_bonus: float = 10.0
    access_bonus: float = 15.0
    urgency_weight: float = 4.0
    urgency_horizon: float = 90.0
    walk_minutes: float = 2.0  # per remaining step, in the deadline's slack
    language_bonus: float = 0.5
    elsewhere_weight: float = 0.0  # measured: no gain once the deadline slack sees queues
    elsewhere_cap: float = 60.0
    slack_waits: float = 0.5  # share of the expected wait elsewhere counted in the slack
    fair_after: float = 90.0  # past this many minutes of waiting: called first, oldest first
    fair_bonus: float = 1000.0


DEFAULT_PARAMS = Params()
# The v1 score, kept so the benchmark can show what the new terms bought.
V1_PARAMS = Params(
    aging=0.5,
    aging_after=30.0,
    work_weight=0.0,
    elsewhere_weight=0.0,
    last_stop_bonus=0.0,
    urgency_weight=1.0,
    urgency_horizon=60.0,
    walk_minutes=0.0,
    slack_waits=0.0,
    fair_after=0.0,
)


@dataclass(frozen=True)
class Candidate:
    visit: VisitView
    steps: tuple[StepView, ...]  # the steps this desk would serve
    score: float
    reasons: tuple[str, ...] = field(default_factory=tuple)
    # The same reasons as codes with their value, for screens that speak other languages.
    why: tuple[Why, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Why:
    """One reason for a place in the order: a code (see WHY_TEXT) and its value."""

    code: str
    value: float | str | None = None

    def text(self) -> str:
        return WHY_TEXT[self.code].format(value=self.value)


WHY_TEXT = {
    "waiting": "waiting {value:.0f} min",
    "waited_longest": "waited longest",
    "service_left": "{value:.0f} min of service left",
    "last_stop": "last stop",
    "children": "children",
    "accessibility": "accessibility",
    "leaves_in": "leaves in {value:.0f} min",
    "speaks": "speaks {value}",
}


def is_busy(visit: VisitView) -> bool:
    return any(s.status in BUSY for s in visit.steps)


def callable_steps(visit: VisitView, before: Mapping[str, frozenset[str]]) -> list[StepView]:
    """Pending steps, not on hold, not held back by an open step that must come first."""
    blocked: set[str] = set()
    for s in visit.steps:
        if s.status in OPEN:
            blocked |= before.get(s.need, frozenset())
    return [
        s
        for s in visit.steps
        if s.status == StepStatus.PENDING and not s.held and s.need not in blocked
    ]


def _minutes(a: datetime, b: datetime) -> float:
    return (a - b).total_seconds() / 60.0


def _deadline(
    visit: VisitView,
    now: datetime,
    remaining: float,
    open_steps: int,
    params: Params,
    elsewhere: float = 0.0,
) -> tuple[float, Why | None]:
    assert visit.leave_by is not None
    left = _minutes(visit.leave_by, now)
    reach = left - remaining - params.walk_minutes * open_steps
    if reach < 0:
        return 0.0, None  # out of reach even if served at once everywhere: no boost
    slack = reach - params.slack_waits * elsewhere
    if slack >= params.urgency_horizon:
        return 0.0, None
    value = params.urgency_weight * (params.urgency_horizon - max(slack, 0.0))
    return value, Why("leaves_in", left)


@dataclass(frozen=True)
class Room:
    """What the waiting room says about each agency: pending minutes per desk."""

    backlog: Mapping[str, float]


def room(visits: Sequence[VisitView]) -> Room:
    pending: dict[str, float] = {}
    serving: dict[str, set[str]] = {}
    for v in visits:
        for s in v.steps:
            if s.status == StepStatus.PENDING:
                pending[s.agency] = pending.get(s.agency, 0.0) + s.minutes
            elif s.status in BUSY:
                serving.setdefault(s.agency, set()).add(v.visit_id)
    # Desks at an agency: at least those serving someone, plus the one asking.
    return Room({a: m / (len(serving.get(a, ())) + 1) for a, m in pending.items()})


def backlog(visits: Sequence[VisitView], capacity: Mapping[str, int] | None) -> dict[str, float]:
    """Minutes of pending work per agency, per desk: how long a new step would wait there."""
    out: dict[str, float] = {}
    for v in visits:
        for s in v.steps:
            if s.status == StepStatus.PENDING:
                out[s.agency] = out.get(s.agency, 0.0) + s.minutes
    if capacity:
        return {a: m / max(1, capacity.get(a, 1)) for a, m in out.items()}
    return out


def score(
    visit: VisitView,
    steps: Sequence[StepView],
    desk: DeskView,
    now: datetime,
    params: Params,
    queues: Mapping[str, float] | None = None,
) -> tuple[float, tuple[Why, ...]]:
    queued = min(s.queued_at for s in steps)
    waited = max(0.0, _minutes(now, queued))
    reasons = [Why("waiting", waited)]
    open_steps = [s for s in visit.steps if s.status in OPEN]
    here = {s.step_id for s in steps}
    others = [s for s in open_steps if s.step_id not in here]
    remaining = sum(s.minutes for s in open_steps)
    value = waited
    if waited > params.aging_after:
        value += (waited - params.aging_after) * params.aging
    if params.fair_after and waited > params.fair_after:
        value += params.fair_bonus
        reasons.append(Why("waited_longest"))
    if params.work_weight:
        value -= params.work_weight * min(remaining, params.work_cap)
        reasons.append(Why("service_left", remaining))
    elsewhere = 0.0
    if queues and others:
        elsewhere = max(queues.get(s.agency, 0.0) for s in others)
        if params.elsewhere_weight:
            value -= params.elsewhere_weight * min(elsewhere, params.elsewhere_cap)
    if params.last_stop_bonus and not others:
        value += params.last_stop_bonus
        reasons.append(Why("last_stop"))
    if visit.children:
        value += params.priority_bonus
        reasons.append(Why("children"))
    if visit.accessibility:
        value += params.access_bonus
        reasons.append(Why("accessibility"))
    if visit.leave_by is not None:
        urgency, why = _deadline(visit, now, remaining, len(open_steps), params, elsewhere)
        value += urgency
        if why:
            reasons.append(why)
    if visit.language in desk.languages:
        value += params.language_bonus
        reasons.append(Why("speaks", visit.language))
    return value, tuple(reasons)


def _candidates(
    desk: DeskView,
    visits: Sequence[VisitView],
    now: datetime,
    before: Mapping[str, frozenset[str]],
    params: Params,
    capacity: Mapping[str, int] | None = None,
) -> list[Candidate]:
    out: list[Candidate] = []
    agency = desk.agency
    queues = room(visits).backlog if capacity is None else backlog(visits, capacity)
    for visit in visits:
        # Cheap pre-check first: most visitors have nothing pending here.
        if not any(s.agency == agency and s.status == StepStatus.PENDING for s in visit.steps):
            continue
        if is_busy(visit):
            continue
        steps = tuple(s for s in callable_steps(visit, before) if s.agency == agency)
        if not steps:
            continue
        value, why = score(visit, steps, desk, now, params, queues)
        reasons = tuple(w.text() for w in why)
        out.append(Candidate(visit=visit, steps=steps, score=value, reasons=reasons, why=why))
    return out


def _order(c: Candidate) -> tuple[float, datetime, str]:
    return (-c.score, min(s.queued_at for s in c.steps), c.visit.ticket)


def rank(
    desk: DeskView,
    visits: Sequence[VisitView],
    *,
    now: datetime,
    before: Mapping[str, frozenset[str]],
    params: Params = DEFAULT_PARAMS,
) -> list[Candidate]:
    """Every visitor this desk could call now, best first."""
    return sorted(_candidates(desk, visits, now, before, params), key=_order)


def choose(
    desk: DeskView,
    visits: Sequence[VisitView],
    *,
    now: datetime,
    before: Mapping[str, frozenset[str]],
    params: Params = DEFAULT_PARAMS,
) -> Candidate | None:
    """The first of rank(), without sorting everyone (a call-next with 500 waiting)."""
    found = _candidates(desk, visits, now, before, params)
    return min(found, key=_order) if found else None

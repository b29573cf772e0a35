"""Who a free desk calls next: a pure function over a snapshot of the waiting room.

Score (higher is called first), all in "minutes of waiting" so terms compare:
  waited      minutes since the step joined this agency's queue, times (1 + AGING)
              once past AGING_AFTER minutes, so nobody starves behind new arrivals
  priority    + PRIORITY_BONUS for families with children, + ACCESS_BONUS for
              accessibility needs
  deadline    for a visitor with leave_by: + URGENCY_WEIGHT * (URGENCY_HORIZON - slack)
              when slack (minutes left minus remaining service minutes) is under the
              horizon, so a visitor whose bus leaves soon moves up
  language    + LANGUAGE_BONUS when the desk speaks the visitor's language: a
              tie-breaker, never a filter
Ties break on the earlier queue time, then the ticket.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

OPEN = frozenset({"pending", "called", "in_service"})
BUSY = frozenset({"called", "in_service"})


@dataclass(frozen=True)
class StepView:
    step_id: int
    need: str
    agency: str
    status: str
    queued_at: datetime
    minutes: float


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
    aging: float = 0.5
    aging_after: float = 30.0
    priority_bonus: float = 10.0
    access_bonus: float = 15.0
    urgency_weight: float = 1.0
    urgency_horizon: float = 60.0
    language_bonus: float = 0.5


DEFAULT_PARAMS = Params()


@dataclass(frozen=True)
class Candidate:
    visit: VisitView
    steps: tuple[StepView, ...]  # the steps this desk would serve
    score: float
    reasons: tuple[str, ...] = field(default_factory=tuple)


def is_busy(visit: VisitView) -> bool:
    return any(s.status in BUSY for s in visit.steps)


def callable_steps(visit: VisitView, before: Mapping[str, frozenset[str]]) -> list[StepView]:
    """Pending steps not held back by an open step that must come before them."""
    open_needs = [s.need for s in visit.steps if s.status in OPEN]
    blocked: set[str] = set()
    for need in open_needs:
        blocked |= before.get(need, frozenset())
    return [s for s in visit.steps if s.status == "pending" and s.need not in blocked]


def _minutes(a: datetime, b: datetime) -> float:
    return (a - b).total_seconds() / 60.0


def score(
    visit: VisitView, steps: Sequence[StepView], desk: DeskView, now: datetime, params: Params
) -> tuple[float, tuple[str, ...]]:
    waited = max(0.0, _minutes(now, min(s.queued_at for s in steps)))
    value = waited
    reasons = [f"waiting {waited:.0f} min"]
    if waited > params.aging_after:
        value += (waited - params.aging_after) * params.aging
    if visit.children:
        value += params.priority_bonus
        reasons.append("children")
    if visit.accessibility:
        value += params.access_bonus
        reasons.append("accessibility")
    if visit.leave_by is not None:
        remaining = sum(s.minutes for s in visit.steps if s.status in OPEN)
        slack = _minutes(visit.leave_by, now) - remaining
        if slack < params.urgency_horizon:
            value += params.urgency_weight * (params.urgency_horizon - slack)
            reasons.append(f"leaves in {_minutes(visit.leave_by, now):.0f} min")
    if visit.language in desk.languages:
        value += params.language_bonus
        reasons.append(f"speaks {visit.language}")
    return value, tuple(reasons)


def rank(
    desk: DeskView,
    visits: Sequence[VisitView],
    *,
    now: datetime,
    before: Mapping[str, frozenset[str]],
    params: Params = DEFAULT_PARAMS,
) -> list[Candidate]:
    """Every visitor this desk could call now, best first."""
    out: list[Candidate] = []
    for visit in visits:
        if is_busy(visit):
            continue
        steps = tuple(s for s in callable_steps(visit, before) if s.agency == desk.agency)
        if not steps:
            continue
        value, reasons = score(visit, steps, desk, now, params)
        out.append(Candidate(visit=visit, steps=steps, score=value, reasons=reasons))
    out.sort(key=lambda c: (-c.score, min(s.queued_at for s in c.steps), c.visit.ticket))
    return out


def choose(
    desk: DeskView,
    visits: Sequence[VisitView],
    *,
    now: datetime,
    before: Mapping[str, frozenset[str]],
    params: Params = DEFAULT_PARAMS,
) -> Candidate | None:
    ranked = rank(desk, visits, now=now, before=before, params=params)
    return ranked[0] if ranked else None

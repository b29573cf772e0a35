"""Waiting-time estimates: how long until a visitor is called somewhere.

Pure. `forecast_waits` plays the rest of the day forward with the routing policy
itself and each step's expected minutes (learned from the log), so the estimate
follows whatever the policy would do: parallel waiting, short work first, deadlines.
Nobody new arrives in the forecast, so it errs on the short side under a rush; a
visitor with a leave_by is gone from it at that time (the simulator's visitors go at
their deadline, and a waiting room empties the same way).
`estimate_waits` is the older per-agency queue arithmetic, kept as the fallback
for a waiting room too large to play forward on every request.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import pairwise
from statistics import NormalDist

from app.kinds import DeskState as DeskMode
from app.kinds import StepStatus
from app.routing.policy import (
    BUSY,
    Candidate,
    DeskView,
    VisitView,
    choose,
    is_busy,
    rank,
)

Chooser = Callable[..., Candidate | None]
WALK_MINUTES = 2.0  # from the waiting room to a desk, on average
PAUSE_MINUTES = 15.0  # a paused desk is assumed back after this long
MAX_FORECAST_VISITS = 100  # beyond this the queue arithmetic answers: the forecast is O(n²)
# Spread (σ of log minutes) of one consultation around its expected minutes: services are
# right-skewed; measured flat between 0.5 and 0.65 (docs/routing.md).
SERVICE_SIGMA = 0.5
# Without a shared language a consultation takes about this much longer (interpreting).
NO_LANGUAGE_FACTOR = 1.25
_NORMAL = NormalDist()


@dataclass(frozen=True)
class DeskState:
    desk: DeskView
    free_at: datetime  # when the desk can call again (now, or when its visitor is done)
    visit_id: str | None = None  # whom it is serving until then


@dataclass(frozen=True)
class DeskNow:
    """A desk as the server or the simulator sees it at this moment."""

    desk: DeskView
    state: str  # open | paused | closed
    visit_id: str | None = None
    busy_until: datetime | None = None  # expected end of the current service (`expected_end`)


def remaining_minutes(expected: float, elapsed: float, sigma: float = SERVICE_SIGMA) -> float:
    """The median of the minutes a service still runs, given it has run `elapsed` of
    `expected` (taken as the median of a lognormal with spread `sigma`).

    Past the median, the longer a skewed service has run the longer it is likely to go
    on: a service 25 minutes into an expected 20 still has about 10 left, not none. The
    median, not the mean, because the estimate is judged by its absolute error.
    """
    expected = max(expected, 0.5)
    if elapsed <= 0:
        return expected
    mu = math.log(expected)
    survive = 1.0 - _NORMAL.cdf((math.log(elapsed) - mu) / sigma)
    if survive <= 1e-12:  # far past anything seen: no basis for a number, call it done
        return 0.0
    # where the survival halves from here
    return max(0.0, math.exp(mu + sigma * _NORMAL.inv_cdf(1.0 - survive / 2)) - elapsed)


def service_factor(desk: DeskView, language: str) -> float:
    """How much longer a consultation takes at this desk: slower without a shared language."""
    return NO_LANGUAGE_FACTOR if desk.languages and language not in desk.languages else 1.0


def expected_end(
    called_at: datetime, started_at: datetime | None, minutes: float, *, now: datetime
) -> datetime:
    """When a desk's current service is likely to end, from what the server knows.

    The start (or, before the visitor has reached the desk, the call plus the walk) and
    the expected minutes of the needs called; once running, the median of what is left
    given how long it has run (`remaining_minutes`), so a service past its expected end
    is not taken as ending right now. The server and the simulator both call this: the
    simulator's forecast must never see the true end of a service.
    """
    begin = started_at or called_at + timedelta(minutes=WALK_MINUTES)
    elapsed = (now - begin).total_seconds() / 60.0
    if elapsed <= 0:
        return begin + timedelta(minutes=remaining_minutes(minutes, 0.0))
    return now + timedelta(minutes=remaining_minutes(minutes, elapsed))


def desk_states(desks: Sequence[DeskNow], *, now: datetime) -> list[DeskState]:
    """Which desks the forecast plays, and from when.

    An agency with no desk open or paused yet (the morning before staff press "open")
    counts with all its desks, as if they opened now: otherwise nobody could be promised
    anything before the first desk opens.
    """
    working = {d.desk.agency for d in desks if d.state in (DeskMode.OPEN, DeskMode.PAUSED)}
    out: list[DeskState] = []
    for d in desks:
        if d.state == DeskMode.CLOSED and d.desk.agency in working:
            continue
        start = now + timedelta(minutes=PAUSE_MINUTES) if d.state == DeskMode.PAUSED else now
        free = max(d.busy_until, start) if d.busy_until is not None else start
        out.append(DeskState(desk=d.desk, free_at=free, visit_id=d.visit_id))
    return out


def estimate_waits(
    visits: Sequence[VisitView],
    *,
    now: datetime,
    before: Mapping[str, frozenset[str]],
    desks_per_agency: Mapping[str, int],
) -> dict[str, int]:
    """Minutes until each waiting visitor is likely called at the first of their agencies."""
    best: dict[str, float] = {}
    agencies = {s.agency for v in visits for s in v.steps if s.status == StepStatus.PENDING}
    for agency in agencies:
        capacity = max(1, desks_per_agency.get(agency, 0))
        ahead = 0.0
        for cand in rank(DeskView(code="", agency=agency), visits, now=now, before=before):
            wait = ahead / capacity
            vid = cand.visit.visit_id
            best[vid] = min(best.get(vid, wait), wait)
            ahead += sum(s.minutes for s in cand.steps)
    out: dict[str, int] = {}
    for v in visits:
        if is_busy(v):
            out[v.visit_id] = 0
        elif v.visit_id in best:
            out[v.visit_id] = round(best[v.visit_id])
    return out


def _with_status(
    visit: VisitView, step_ids: set[int], status: str, at: datetime | None = None
) -> VisitView:
    steps = tuple(
        replace(s, status=status, ended_at=at if status == StepStatus.DONE else s.ended_at)
        if s.step_id in step_ids
        else s
        for s in visit.steps
    )
    return replace(visit, steps=steps)


def _release(visit: VisitView, at: datetime) -> VisitView:
    return _with_status(
        visit, {s.step_id for s in visit.steps if s.status in BUSY}, StepStatus.DONE, at
    )


class _Forecast:
    """The day played forward: desks call in the order they become free."""

    def __init__(
        self,
        visits: Sequence[VisitView],
        desks: Sequence[DeskState],
        before: Mapping[str, frozenset[str]],
        chooser: Chooser,
    ) -> None:
        self.views = {v.visit_id: v for v in visits}
        self.before = before
        self.chooser = chooser
        self.heap: list[tuple[datetime, int, DeskState]] = []
        self.idle: list[DeskState] = []
        self.first: dict[str, datetime] = {}
        for i, d in enumerate(sorted(desks, key=lambda d: (d.free_at, d.desk.code))):
            heapq.heappush(self.heap, (d.free_at, i, d))
        self.counter = len(desks)

    def _push(self, at: datetime, desk: DeskState) -> None:
        self.counter += 1
        heapq.heappush(self.heap, (at, self.counter, desk))

    def step(self) -> bool:
        if not self.heap:
            return False
        at, _, state = heapq.heappop(self.heap)
        if state.visit_id is not None and state.visit_id in self.views:
            self.views[state.visit_id] = _release(self.views[state.visit_id], at)
            # A visitor freed may be the candidate an idle desk was missing.
            for desk in self.idle:
                self._push(at, desk)
            self.idle = []
        free = DeskState(desk=state.desk, free_at=at)
        # A visitor with a bus to catch is gone at leave_by: nobody waits behind them then.
        present = [
            v for v in self.views.values() if v.leave_by is None or v.leave_by > at or is_busy(v)
        ]
        cand = self.chooser(state.desk, present, now=at, before=self.before)
        if cand is None:
            self.idle.append(free)
            return True
        vid = cand.visit.visit_id
        self.first.setdefault(vid, at)
        self.views[vid] = _with_status(
            cand.visit, {s.step_id for s in cand.steps}, StepStatus.CALLED
        )
        busy = WALK_MINUTES + sum(s.minutes for s in cand.steps)
        self._push(at + timedelta(minutes=busy), DeskState(state.desk, at, visit_id=vid))
        return True


def forecast_waits(
    visits: Sequence[VisitView],
    *,
    now: datetime,
    before: Mapping[str, frozenset[str]],
    desks: Sequence[DeskState],
    chooser: Chooser = choose,
    only: set[str] | None = None,
) -> dict[str, int]:
    """Minutes until each waiting visitor (or those in `only`) is first called."""
    waiting = {v.visit_id for v in visits if not is_busy(v) and _has_pending(v)}
    wanted = waiting if only is None else waiting & only
    forecast = _Forecast(visits, desks, before, chooser)
    limit = 4 * sum(len(v.steps) for v in visits) + len(desks) + 10
    while wanted - forecast.first.keys() and limit > 0 and forecast.step():
        limit -= 1
    out = {v.visit_id: 0 for v in visits if is_busy(v)}
    for vid in wanted:
        at = forecast.first.get(vid)
        if at is not None:
            out[vid] = max(0, round((at - now).total_seconds() / 60.0))
    return out


def _has_pending(visit: VisitView) -> bool:
    return any(s.status == StepStatus.PENDING for s in visit.steps)


# The wait range around an estimate: per estimate (minutes), the quantiles of the actual
# wait until the first call, measured in the simulator (app/sim, every scenario of
# bench/scenarios on seeds apart from the benchmark's; `python -m bench.planning
# --calibrate` prints this table again). (estimate, low, high), interpolated between rows
# and scaled beyond them. Half the visitors of those days are called at once (estimate 0,
# range 0–5, always inside); the rows are the central 55 % of the others, which with the
# rounding below puts about 80 % of all visitors' actual waits inside (docs/routing.md,
# "Wait ranges": 0.8 of all, about 0.65 of those who wait at all).
RANGE_KNOTS: tuple[tuple[float, float, float], ...] = (
    (5.0, 1.6, 10.4),
    (8.0, 2.7, 14.7),
    (13.0, 5.5, 21.3),
    (18.0, 8.3, 28.3),
    (25.0, 13.4, 40.7),
    (37.0, 22.4, 62.2),
    (51.0, 32.6, 72.6),
    (73.0, 48.2, 95.4),
    (110.0, 84.9, 121.0),
    (166.0, 124.7, 165.9),
)
SOON = (0, 5)  # estimate 0: a desk is free, the call comes within minutes


def wait_range(
    minutes: float | None, knots: Sequence[tuple[float, float, float]] = RANGE_KNOTS
) -> tuple[int, int] | None:
    """The calibrated range [low, high] around an estimate, whole minutes; rounded out to
    5 minutes above 20 (a screen should not claim more precision than it has); None when
    the estimate is (nobody can say)."""
    if minutes is None:
        return None
    if minutes <= 0:
        return SOON
    first, last = knots[0], knots[-1]
    if minutes <= first[0] or minutes >= last[0]:
        e, lo, hi = first if minutes <= first[0] else last
        low, high = lo * minutes / e, hi * minutes / e
    else:
        for (e0, lo0, hi0), (e1, lo1, hi1) in pairwise(knots):
            if e0 <= minutes <= e1:
                f = (minutes - e0) / (e1 - e0)
                low, high = lo0 + f * (lo1 - lo0), hi0 + f * (hi1 - hi0)
                break
    high = max(high, SOON[1])
    step = 5 if high > 20 else 1
    low_out = int(math.floor(low / step) * step)
    return low_out, int(max(math.ceil(high / step) * step, low_out + step))

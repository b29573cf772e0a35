"""A consultation day, simulated event by event, driving the server's own routing code.

Pure and deterministic: the same plan and policy give the same day. The plan (who
comes when, with which needs, how long each service really takes, who misses a call,
who gets referred) is drawn once, before the day, so every policy faces the very same
visitors and the comparison between policies is paired, visitor by visitor.

What a desk does when it is free is exactly what the server does: build VisitViews and
call the policy (policy.choose, or a baseline with the same signature). Check-in uses
rules.resolve, referrals rules.agency_for, estimates estimate.forecast_waits, learned
minutes learn.Learned: the same functions, never copies.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from app.routing.estimate import (
    DeskNow,
    desk_states,
    expected_end,
    forecast_waits,
    service_factor,
)
from app.routing.learn import Learned
from app.routing.policy import OPEN, Candidate, DeskView, StepView, VisitView
from app.routing.rules import NeedSpec, OpenDay, Person, agency_for, resolve

Chooser = Callable[..., Candidate | None]
DAY = date(2026, 11, 24)
FAR = 10_000.0


@dataclass(frozen=True)
class DeskSpec:
    code: str
    agency: str
    languages: frozenset[str] = frozenset()
    floor: int = 0


@dataclass(frozen=True)
class CenterSpec:
    needs: Mapping[str, NeedSpec]
    desks: tuple[DeskSpec, ...]
    present: frozenset[str]
    closes: float  # minutes after opening; no arrivals after this

    @property
    def before(self) -> dict[str, frozenset[str]]:
        return {code: need.before for code, need in self.needs.items()}


@dataclass(frozen=True)
class VisitorPlan:
    ticket: str
    arrive: float
    person: Person
    needs: tuple[str, ...]
    service: Mapping[str, float]  # the true minutes of each need for this visitor
    leave_by: float | None = None
    children: bool = False
    accessibility: bool = False
    misses: tuple[bool, ...] = ()  # per call in order: was not there when called
    gone_at: float | None = None  # left without telling anyone; later calls are missed
    referral: tuple[str, str] | None = None  # (at this need, add that need)


@dataclass(frozen=True)
class DeskEvent:
    at: float
    desk: str
    action: str  # open | pause | close
    minutes: float = 0.0  # how long a pause lasts


@dataclass(frozen=True)
class Walking:
    entrance: float = 1.5
    same_floor: float = 1.0
    other_floor: float = 2.5

    def between(self, a: int | None, b: int) -> float:
        if a is None:
            return self.entrance
        return self.same_floor if a == b else self.other_floor


@dataclass(frozen=True)
class DayPlan:
    center: CenterSpec
    visitors: tuple[VisitorPlan, ...]
    desk_events: tuple[DeskEvent, ...]  # desks are closed until their first "open"
    walking: Walking = Walking()
    language_penalty: float = 1.25  # service without a shared language takes longer
    no_show_wait: float = 3.0  # minutes a desk waits before marking a no-show
    overtime: float = 120.0  # desks serve who is inside this long after the door closes
    start: datetime = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Call:
    at: float
    until: float
    desk: str
    agency: str
    ticket: str
    needs: tuple[str, ...]
    open_needs: tuple[str, ...]  # the visitor's other open needs at the moment of the call
    missed: bool


@dataclass(frozen=True)
class VisitorOutcome:
    ticket: str
    arrive: float
    left: float
    service: float
    walking: float
    lower_bound: float
    first_call: float | None
    first_estimate: float | None
    leave_by: float | None
    gone: bool
    steps: tuple[tuple[str, str, str], ...]  # (need, agency, final status)
    # Earliest finish at arrival with absolute priority (see _Day._earliest_finish); only
    # for visitors with a leave_by, FAR when no order of calls serves every step today.
    earliest_finish: float | None = None
    # The same, in an empty center (see earliest_alone): a property of the plan alone, so the
    # same for every policy. Set by whoever compares policies; None when not computed.
    alone_finish: float | None = None

    @property
    def time_in_center(self) -> float:
        return self.left - self.arrive

    @property
    def wait(self) -> float:
        return max(0.0, self.time_in_center - self.service - self.walking)

    @property
    def feasible(self) -> bool:
        """The deadline can be met by some order of calls from the room found at arrival:
        the earliest finish with absolute priority is not after leave_by."""
        if self.leave_by is None or self.earliest_finish is None:
            return False
        return self.earliest_finish <= self.leave_by + 1e-9

    @property
    def feasible_alone(self) -> bool:
        """The deadline can be met in an empty center (the visitor alone with the plan's desk
        hours, own service, walking, misses and referral): the policy-independent denominator."""
        if self.leave_by is None or self.alone_finish is None:
            return False
        return self.alone_finish <= self.leave_by + 1e-9

    @property
    def feasible_lower_bound(self) -> bool:
        """The first definition: arrival plus own service and least walking fit. Blind to
        services already running and to desks that open later, so it counts deadlines as
        feasible that no policy can meet."""
        return self.leave_by is not None and self.arrive + self.lower_bound <= self.leave_by

    @property
    def deadline_met(self) -> bool:
        served = all(status in ("done", "unavailable") for _, _, status in self.steps)
        return self.leave_by is not None and served and self.left <= self.leave_by + 1e-9


@dataclass(frozen=True)
class DayResult:
    visitors: tuple[VisitorOutcome, ...]
    calls: tuple[Call, ...]
    decisions: int
    learned: Mapping[str, float]


# ---- mutable state of one run --------------------------------------------------------------


@dataclass
class _Step:
    step_id: int
    need: str
    agency: str
    status: str
    queued_at: float
    ended_at: float | None = None
    no_shows: int = 0


@dataclass
class _Visitor:
    plan: VisitorPlan
    steps: list[_Step]
    location: int | None = None
    desk: str | None = None
    left: float | None = None
    leaving: bool = False
    gone: bool = False
    calls: int = 0
    referred: bool = False
    first_call: float | None = None
    estimate: float | None = None
    service: float = 0.0
    walking: float = 0.0
    earliest: float | None = None  # earliest possible finish, computed at arrival
    view: VisitView | None = None

    def open_steps(self) -> list[_Step]:
        return [s for s in self.steps if s.status in OPEN]


@dataclass
class _Desk:
    spec: DeskSpec
    state: str = "closed"
    visitor: str | None = None
    busy_until: float | None = None  # the true end: the simulator's, never the forecast's
    called_at: float | None = None
    started_at: float | None = None  # the visitor reached the desk (staff press "start")
    needs: tuple[str, ...] = ()  # the needs called, for the expected minutes
    then: tuple[str, float] | None = None  # a pause or close waiting for the visitor to go
    view: DeskView = field(init=False)

    def __post_init__(self) -> None:
        self.view = DeskView(self.spec.code, self.spec.agency, self.spec.languages)


# Events at the same minute: desks free up first, then desks change state, then people
# arrive and leave; deterministic in every case.
_ORDER = {"finish": 0, "no_show": 0, "desk": 1, "arrive": 2, "leave_by": 3, "gone": 3, "end": 9}
LEARN_REFRESH = 10.0  # minutes between refreshes of the learned minutes the policy sees
# A step still to serve, in the earliest-finish search: (need, agency, missed calls so far).
Pending = tuple[tuple[str, str, int], ...]


class _Day:
    def __init__(self, plan: DayPlan, chooser: Chooser, *, learn: bool, forecast: bool) -> None:
        self.plan = plan
        self.center = plan.center
        self.before = plan.center.before
        self.chooser = chooser
        self.learn = learn
        self.forecast = forecast
        self.prior = {c: n.minutes for c, n in self.center.needs.items()}
        self.learned = Learned(prior=self.prior)
        self.minutes = dict(self.prior)
        self.minutes_at = 0.0
        self.t = 0.0
        self.heap: list[tuple[float, int, int, str, object]] = []
        self.seq = 0
        self.step_ids = 0
        self.decisions = 0
        self.active: dict[str, _Visitor] = {}
        self.visitors: dict[str, _Visitor] = {}
        self.desks = {d.code: _Desk(d) for d in self.center.desks}
        self.opens_left = {code: 0 for code in self.desks}
        self.calls: list[Call] = []
        self.call_index: dict[str, int] = {}
        self.staffed = {d.agency for d in self.center.desks}

    # -- the event queue

    def push(self, at: float, kind: str, payload: object) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (at, _ORDER[kind], self.seq, kind, payload))

    def run(self) -> DayResult:
        for v in self.plan.visitors:
            self.push(v.arrive, "arrive", v)
        for e in self.plan.desk_events:
            self.push(e.at, "desk", e)
            if e.action == "open":
                self.opens_left[e.desk] += 1
        self.push(self.center.closes + self.plan.overtime, "end", None)
        while self.heap:
            at, _, _, kind, payload = heapq.heappop(self.heap)
            self.t = at
            getattr(self, f"_on_{kind}")(payload)
            if kind == "end":
                break
            self._dispatch()
        return self._result()

    def now(self, t: float | None = None) -> datetime:
        return self.plan.start + timedelta(minutes=self.t if t is None else t)

    # -- visitors

    def _on_arrive(self, plan: VisitorPlan) -> None:
        needs = [self.center.needs[n] for n in plan.needs if n in self.center.needs]
        present = self.center.present & self.staffed
        res = resolve(needs, plan.person, OpenDay(DAY, present), [])
        steps = [self._new_step(need, agency, "pending") for need, agency in res.steps]
        steps += [self._new_step(need, "", "unavailable") for need, _ in res.unavailable]
        v = _Visitor(plan=plan, steps=steps)
        self.visitors[plan.ticket] = v
        if not v.open_steps():
            v.left = self.t
            return
        self.active[plan.ticket] = v
        if plan.leave_by is not None:
            v.earliest = self._earliest_finish(v)
            self.push(plan.leave_by, "leave_by", plan.ticket)
        if plan.gone_at is not None:
            self.push(plan.gone_at, "gone", plan.ticket)
        if self.forecast:
            v.estimate = self._estimate(plan.ticket)

    def _new_step(self, need: str, agency: str, status: str) -> _Step:
        self.step_ids += 1
        return _Step(self.step_ids, need, agency, status, queued_at=self.t)

    def _on_leave_by(self, ticket: str) -> None:
        v = self.active.get(ticket)
        if v is None:
            return
        if v.desk is not None:
            v.leaving = True  # finishes what they are in the middle of, then goes
        else:
            self._leave(v, "cancelled")

    def _on_gone(self, ticket: str) -> None:
        v = self.active.get(ticket)
        if v is not None:
            v.gone = True

    def _leave(self, v: _Visitor, status: str) -> None:
        for s in v.open_steps():
            s.status = status
            s.ended_at = self.t
        v.left = self.t
        v.view = None
        self.active.pop(v.plan.ticket, None)

    # -- desks

    def _on_desk(self, e: DeskEvent) -> None:
        d = self.desks[e.desk]
        if e.action == "open":
            self.opens_left[e.desk] -= 1
            d.state = "open"
        elif d.visitor is not None:
            d.then = (e.action, e.minutes)
        else:
            self._desk_to(d, e.action, e.minutes)

    def _desk_to(self, d: _Desk, action: str, minutes: float) -> None:
        if action == "pause":
            d.state = "paused"
            self.opens_left[d.spec.code] += 1
            self.push(self.t + minutes, "desk", DeskEvent(self.t + minutes, d.spec.code, "open"))
        else:
            d.state = "closed"
            self._strand()

    def _strand(self) -> None:
        """Steps of an agency with no desk left for the day are sent home, not kept waiting."""
        alive = {
            d.spec.agency
            for d in self.desks.values()
            if d.state != "closed" or self.opens_left[d.spec.code] > 0
        }
        for v in list(self.active.values()):
            for s in v.steps:
                if s.status == "pending" and s.agency not in alive:
                    s.status = "cancelled"
                    s.ended_at = self.t
                    v.view = None
            if not v.open_steps() and v.desk is None:
                self._leave(v, "cancelled")

    def _dispatch(self) -> None:
        waiting_at = self._waiting_agencies()
        for d in self.desks.values():
            if d.state == "open" and d.visitor is None and d.spec.agency in waiting_at:
                self._call(d)

    def _waiting_agencies(self) -> set[str]:
        return {
            s.agency
            for v in self.active.values()
            if v.desk is None
            for s in v.steps
            if s.status == "pending"
        }

    def _call(self, d: _Desk) -> None:
        self.decisions += 1
        views = self._views()
        cand = self.chooser(d.view, views, now=self.now(), before=self.before)
        if cand is None:
            return
        v = self.active[cand.visit.visit_id]
        ids = {s.step_id for s in cand.steps}
        steps = [s for s in v.steps if s.step_id in ids]
        for s in steps:
            s.status = "called"
        v.desk = d.spec.code
        v.view = None
        d.visitor = v.plan.ticket
        d.called_at, d.needs = self.t, tuple(s.need for s in steps)
        missed = v.gone or (v.calls < len(v.plan.misses) and v.plan.misses[v.calls])
        v.calls += 1
        if v.first_call is None:
            v.first_call = self.t
        if missed:
            until = self.t + self.plan.no_show_wait
            self.push(until, "no_show", (d.spec.code, v.plan.ticket))
        else:
            until = self._serve(d, v, steps)
        d.busy_until = until
        self.calls.append(self._call_record(d, v, steps, until, missed))

    def _serve(self, d: _Desk, v: _Visitor, steps: Sequence[_Step]) -> float:
        walk = self.plan.walking.between(v.location, d.spec.floor)
        lang = v.plan.person.language
        slow = d.spec.languages and lang not in d.spec.languages
        factor = self.plan.language_penalty if slow else 1.0
        service = sum(v.plan.service.get(s.need, 15.0) for s in steps) * factor
        v.walking += walk
        v.service += service
        d.started_at = self.t + walk
        until = self.t + walk + service
        self.push(until, "finish", (d.spec.code, v.plan.ticket, service))
        return until

    def _call_record(
        self, d: _Desk, v: _Visitor, steps: Sequence[_Step], until: float, missed: bool
    ) -> Call:
        called = {s.step_id for s in steps}
        others = tuple(s.need for s in v.steps if s.status in OPEN and s.step_id not in called)
        return Call(
            at=self.t,
            until=until,
            desk=d.spec.code,
            agency=d.spec.agency,
            ticket=v.plan.ticket,
            needs=tuple(s.need for s in steps),
            open_needs=others,
            missed=missed,
        )

    def _on_finish(self, payload: tuple[str, str, float]) -> None:
        code, ticket, service = payload
        d, v = self.desks[code], self.visitors[ticket]
        served = [s for s in v.steps if s.status == "called" and s.agency == d.spec.agency]
        for s in served:
            s.status = "done"
            s.ended_at = self.t
        self.learned.observe([s.need for s in served], service)
        v.location = d.spec.floor
        self._refer(v, [s.need for s in served])
        self._free(d, v)

    def _refer(self, v: _Visitor, served: Sequence[str]) -> None:
        ref = v.plan.referral
        if v.referred or ref is None or ref[0] not in served or ref[1] not in self.center.needs:
            return
        v.referred = True  # staff refer once; a second visit to the same desk is not a referral
        if any(s.need == ref[1] and s.status in OPEN for s in v.steps):
            return
        agency = agency_for(self.center.needs[ref[1]], v.plan.person)
        if agency is not None and agency in self.center.present & self.staffed:
            v.steps.append(self._new_step(ref[1], agency, "pending"))
        else:
            v.steps.append(self._new_step(ref[1], "", "unavailable"))

    def _on_no_show(self, payload: tuple[str, str]) -> None:
        code, ticket = payload
        d, v = self.desks[code], self.visitors[ticket]
        for s in v.steps:
            if s.status == "called":
                s.no_shows += 1
                if s.no_shows >= 2:
                    s.status, s.ended_at = "no_show", self.t
                else:
                    s.status, s.queued_at = "pending", self.t  # the end of the queue
        self._free(d, v)

    def _free(self, d: _Desk, v: _Visitor) -> None:
        v.desk = None
        v.view = None
        d.visitor = None
        d.busy_until = d.called_at = d.started_at = None
        d.needs = ()
        if v.leaving or not v.open_steps():
            self._leave(v, "cancelled")
        if d.then is not None:
            action, minutes = d.then
            d.then = None
            self._desk_to(d, action, minutes)

    def _on_end(self, _: object) -> None:
        for v in list(self.active.values()):
            self._leave(v, "cancelled")
        for d in self.desks.values():
            d.state = "closed"

    # -- what the policy sees

    def _views(self) -> list[VisitView]:
        if self.learn and self.t - self.minutes_at >= LEARN_REFRESH:
            self.minutes = {**self.prior, **self.learned.minutes_map()}
            self.minutes_at = self.t
            for v in self.active.values():
                v.view = None
        out = []
        for v in self.active.values():
            if v.view is None:
                v.view = self._view(v)
            out.append(v.view)
        return out

    def _view(self, v: _Visitor) -> VisitView:
        p = v.plan
        return VisitView(
            visit_id=p.ticket,
            ticket=p.ticket,
            checked_in_at=self.now(p.arrive),
            language=p.person.language or "de",
            steps=tuple(self._step_view(s) for s in v.steps if s.status != "unavailable"),
            leave_by=None if p.leave_by is None else self.now(p.leave_by),
            children=p.children,
            accessibility=p.accessibility,
        )

    def _step_view(self, s: _Step) -> StepView:
        return StepView(
            step_id=s.step_id,
            need=s.need,
            agency=s.agency,
            status=s.status,
            queued_at=self.now(s.queued_at),
            minutes=self.minutes.get(s.need, 15.0),
            ended_at=None if s.ended_at is None else self.now(s.ended_at),
        )

    def _expected_end(self, d: _Desk) -> datetime | None:
        """What the server would expect: it knows the call, the start once the visitor has
        reached the desk, the learned minutes and the languages; never the true end
        (`d.busy_until`), nor that a call will be missed."""
        if d.visitor is None or d.called_at is None:
            return None
        started = d.started_at if d.started_at is not None and d.started_at <= self.t else None
        language = self.visitors[d.visitor].plan.person.language or "de"
        expected = sum(self.minutes.get(n, 15.0) for n in d.needs)
        return expected_end(
            self.now(d.called_at),
            None if started is None else self.now(started),
            expected * service_factor(d.view, language),
            now=self.now(),
        )

    def _estimate(self, ticket: str) -> float | None:
        views = self._views()  # first: it refreshes the learned minutes the desks use too
        desks = [
            DeskNow(
                desk=d.view, state=d.state, visit_id=d.visitor, busy_until=self._expected_end(d)
            )
            for d in self.desks.values()
        ]
        waits = forecast_waits(
            views,
            now=self.now(),
            before=self.before,
            desks=desk_states(desks, now=self.now()),
            chooser=self.chooser,
            only={ticket},
        )
        return None if ticket not in waits else float(waits[ticket])

    # -- what any policy could still do for a visitor at arrival

    def _openings(self, d: _Desk) -> list[tuple[float, float]]:
        """Intervals [from, to) in which `d` could start a call for a visitor who has
        absolute priority: after whoever it holds now (true end, the simulator knows it),
        with pauses and closings deferred while it is busy and applied while it is free,
        exactly as _on_desk and _desk_to do. The desk's future events are the ones in the
        heap (the plan's and the reopenings of pauses already running)."""
        end = self.center.closes + self.plan.overtime
        code = d.spec.code
        events: list[tuple[float, int, DeskEvent]] = [
            (at, seq, e)
            for at, _, seq, kind, e in self.heap
            if kind == "desk" and isinstance(e, DeskEvent) and e.desk == code
        ]
        heapq.heapify(events)
        free_at = self.t if d.visitor is None or d.busy_until is None else d.busy_until
        state, then = d.state, d.then
        # While the desk is busy a pause or close waits for the visitor to go (the last one wins).
        while events and events[0][0] < free_at:
            _, _, e = heapq.heappop(events)
            if e.action == "open":
                state = "open"
            else:
                then = (e.action, e.minutes)
        seq = self.seq

        def apply(at: float, action: str, minutes: float) -> str:
            nonlocal seq
            if action == "pause":
                seq += 1
                heapq.heappush(events, (at + minutes, seq, DeskEvent(at + minutes, code, "open")))
                return "paused"
            return "closed" if action == "close" else "open"

        if then is not None:
            state = apply(free_at, *then)
        out: list[tuple[float, float]] = []
        since = free_at if state == "open" else None
        while events:
            at, _, e = heapq.heappop(events)
            if at >= end:
                break
            state_after = apply(at, e.action, e.minutes)
            if since is not None and state_after != "open":
                out.append((since, at))
                since = None
            elif since is None and state_after == "open":
                since = at
        if since is not None:
            out.append((since, end))
        return out

    def _earliest_finish(self, v: _Visitor) -> float:
        """When `v` could be done at the earliest, from the room as it is at arrival.

        The visitor gets absolute priority from now on (no waiting visitor goes first), but
        calls already running end at their true time, closed or paused desks open when the
        plan says, `before` holds, and every call is played as _call/_serve play it:
        walking from where they are, the language penalty of that desk, the plan's missed
        calls (three minutes lost; a second miss of a step is a no-show) and the plan's
        referral (its step is added when the referring need is done: the deadline counts
        as met only when that step is done too, so a policy can never avoid it). Every
        order of agencies and every desk is tried (depth-first, pruned at the best finish
        so far); FAR when no order serves every step before the day ends.

        Ignored, so the result stays a lower bound: a pause deferred by the visitor's own
        service at a desk they come back to later (the same desk twice is rare).
        """
        plan = v.plan
        end = self.center.closes + self.plan.overtime
        openings = {code: self._openings(d) for code, d in self.desks.items()}
        by_agency: dict[str, list[_Desk]] = {}
        for d in self.desks.values():
            by_agency.setdefault(d.spec.agency, []).append(d)
        lang = plan.person.language
        walking = self.plan.walking
        best = FAR

        def start(code: str, at: float) -> float:
            for lo, hi in openings[code]:
                if hi > at:
                    return max(lo, at)
            return FAR

        def go(t: float, loc: int | None, calls: int, pending: Pending, referred: bool) -> None:
            nonlocal best
            if t >= best:
                return
            if not pending:
                best = t
                return
            blocked: set[str] = set()
            for need, _, _ in pending:
                blocked |= self.before.get(need, frozenset())
            agencies = dict.fromkeys(a for n, a, _ in pending if n not in blocked)
            for agency in agencies:
                here = [p for p in pending if p[1] == agency and p[0] not in blocked]
                rest = tuple(p for p in pending if p not in here)
                for d in by_agency.get(agency, ()):
                    s = start(d.spec.code, t)
                    if s >= end:
                        continue
                    if calls < len(plan.misses) and plan.misses[calls]:
                        again = tuple((n, a, m + 1) for n, a, m in here)
                        if all(m < 2 for _, _, m in again):  # a second miss is a no-show
                            go(s + self.plan.no_show_wait, loc, calls + 1, rest + again, referred)
                        continue
                    slow = d.spec.languages and lang not in d.spec.languages
                    factor = self.plan.language_penalty if slow else 1.0
                    service = sum(plan.service.get(n, 15.0) for n, _, _ in here) * factor
                    done = s + walking.between(loc, d.spec.floor) + service
                    if done > end:
                        continue
                    left, now_referred = self._referred(v, rest, [n for n, _, _ in here], referred)
                    go(done, d.spec.floor, calls + 1, left, now_referred)

        pending = tuple((s.need, s.agency, s.no_shows) for s in v.steps if s.status == "pending")
        go(self.t, v.location, v.calls, pending, v.referred)
        return best

    def _referred(
        self, v: _Visitor, pending: Pending, served: Sequence[str], referred: bool
    ) -> tuple[Pending, bool]:
        """The pending steps after serving `served`, with the plan's referral as _refer adds it."""
        ref = v.plan.referral
        if referred or ref is None or ref[0] not in served or ref[1] not in self.center.needs:
            return pending, referred
        if any(n == ref[1] for n, _, _ in pending):
            return pending, True
        agency = agency_for(self.center.needs[ref[1]], v.plan.person)
        if agency is not None and agency in self.center.present & self.staffed:
            return (*pending, (ref[1], agency, 0)), True
        return pending, True  # unavailable today: counts as served

    # -- the outcome

    def _result(self) -> DayResult:
        return DayResult(
            visitors=tuple(self._outcome(v) for v in self.visitors.values()),
            calls=tuple(self.calls),
            decisions=self.decisions,
            learned=self.learned.minutes_map(),
        )

    def _outcome(self, v: _Visitor) -> VisitorOutcome:
        p = v.plan
        return VisitorOutcome(
            ticket=p.ticket,
            arrive=p.arrive,
            left=p.arrive if v.left is None else v.left,
            service=v.service,
            walking=v.walking,
            lower_bound=self._lower_bound(v),
            first_call=None if v.first_call is None else v.first_call - p.arrive,
            first_estimate=v.estimate,
            leave_by=p.leave_by,
            gone=p.gone_at is not None,
            steps=tuple((s.need, s.agency, s.status) for s in v.steps),
            earliest_finish=v.earliest,
        )

    def _lower_bound(self, v: _Visitor) -> float:
        """Own service (slower without a shared language at any desk of the agency) plus the
        least walking: what no policy can beat."""
        served = [s for s in v.steps if s.status != "unavailable"]
        if not served:
            return 0.0
        service = sum(
            v.plan.service.get(s.need, 15.0) * self._least_penalty(s.agency, v) for s in served
        )
        agencies = {s.agency for s in served}
        walk = self.plan.walking
        return service + walk.entrance + walk.same_floor * (len(agencies) - 1)

    def _least_penalty(self, agency: str, v: _Visitor) -> float:
        """1, unless no desk of the agency speaks the visitor's language: then the penalty."""
        lang = v.plan.person.language
        factors = [
            self.plan.language_penalty if d.spec.languages and lang not in d.spec.languages else 1.0
            for d in self.desks.values()
            if d.spec.agency == agency
        ]
        return min(factors, default=1.0)


def _nobody(*_: object, **__: object) -> None:
    return None


def earliest_alone(plan: DayPlan) -> dict[str, float]:
    """Each deadline visitor's earliest finish if they were alone in the center.

    Computed once per plan, before and apart from any policy's day, so a deadline's
    feasibility is the same for every policy compared: the visitor arrives in an empty
    room (desks open, pause and close as the plan says, nobody holds them) and gets the
    earliest finish of `_Day._earliest_finish` (own true service, walking, language
    penalty, own missed calls and referral). No policy's visitor finishes earlier; FAR
    when the day has no desk hours left for some step.
    """
    out: dict[str, float] = {}
    for v in plan.visitors:
        if v.leave_by is None:
            continue
        day = _Day(replace(plan, visitors=(v,)), _nobody, learn=False, forecast=False)
        finish = day.run().visitors[0].earliest_finish
        if finish is not None:
            out[v.ticket] = finish
    return out


def simulate(
    plan: DayPlan, chooser: Chooser, *, learn: bool = True, forecast: bool = False
) -> DayResult:
    """Play one day with `chooser` deciding every call; `forecast` records first estimates."""
    return _Day(plan, chooser, learn=learn, forecast=forecast).run()

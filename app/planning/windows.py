"""Arrival windows for invitees: level each agency's load against its desks.

The model (docs/routing.md, "Planning the day"). Per agency, the expected minutes of
work arriving in each 5-minute bin: walk-ins at the setup's hourly rates times the
work an average walk-in brings there (from the mix, by the same eligibility rules),
and each invitee's needs times the turnout, spread over when they are likely to come
around their window. Work that arrived in the last `span` minutes is what a desk has
in hand; its ratio to what the agency's open desks serve in that time is the load. A
plan costs Σ load² over agencies and bins (plus a steep term above 1): the same work
is cheaper spread thin than bunched, so every invitee is placed where it adds least,
those with a deadline or a long journey first, then the most work first; then each is
moved while a move lowers the cost.

That leveller is run with a few settings (span, how strongly multi-need visitors are
pulled to the morning) and the candidates, together with an even spread, are played
in the simulator (the server's policy, seeded days at 40, 60 and 80 % turnout, paired):
the plan with the least mean time in the center of everyone wins. The seeds are the
planner's own, never a benchmark's.

Hard rules: every invitee gets exactly one window inside opening hours; the window ends
early enough for their own expected service (and walking) before their `leave_by`; when
no window allows it, the earliest window. Closing time is no such limit: desks serve
who is inside after the door closes, and keeping the last hour free of invitees bunched
them before it (measured: mean time in the center +6 minutes for an even spread).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from app.planning.model import DaySetup, Invitee, Window
from app.planning.setup import draw_day, person
from app.routing.estimate import WALK_MINUTES
from app.routing.policy import choose
from app.routing.rules import OpenDay, Person, resolve
from app.sim.scenario import random_visitor
from app.sim.simulate import DAY, CenterSpec, DayPlan, simulate

BIN = 5.0  # minutes per bin of the load model
OVERLOAD = 8.0  # weight of load above 1 (more work than the desks serve)
MIX_SAMPLE = 400  # walk-ins drawn from the mix to learn what an average one brings
LONG_JOURNEY = 40.0  # minutes: from here on an invitee is placed early in the day
PASSES = 3  # rounds of moving invitees one by one
PLAN_SEEDS = 3_000_000  # the planner's own seeded days
# Leveller settings tried: (span in minutes, pull of multi-need visitors to the morning).
SETTINGS = ((30.0, 0.0), (60.0, 0.0), (60.0, 1.0))
CHECK_DAYS = 4  # seeded days per turnout on which candidates are compared
CHECK_TURNOUTS = (0.4, 0.6, 0.8)


def work_of(center: CenterSpec, needs: Sequence[str], who: Person) -> dict[str, float]:
    """Expected minutes per agency for these needs, by the same eligibility rules."""
    specs = [center.needs[n] for n in needs if n in center.needs]
    out: dict[str, float] = {}
    for need, agency in resolve(specs, who, OpenDay(DAY, center.present), []).steps:
        out[agency] = out.get(agency, 0.0) + center.needs[need].minutes
    return out


def own_minutes(work: Mapping[str, float]) -> float:
    """A visitor's own expected service plus the walk to each agency."""
    return sum(work.values()) + WALK_MINUTES * len(work)


def _desks_per_bin(plan: DayPlan, bins: int) -> dict[str, list[float]]:
    """Per agency, desks open in each bin (pauses and closings from the desk events)."""
    out: dict[str, list[float]] = {}
    for desk in plan.center.desks:
        events = sorted((e for e in plan.desk_events if e.desk == desk.code), key=lambda e: e.at)
        row = out.setdefault(desk.agency, [0.0] * bins)
        for b in range(bins):
            t = (b + 0.5) * BIN
            state = "closed"
            for e in events:
                if e.at > t:
                    break
                if e.action == "open":
                    state = "open"
                elif e.action == "close":
                    state = "closed"
                elif e.action == "pause":
                    state = "paused" if t < e.at + e.minutes else "open"
            row[b] += 1.0 if state == "open" else 0.0
    return out


@dataclass
class _Agency:
    desks: list[float]  # open desks per bin
    arriving: list[float]  # expected minutes of work arriving per bin (walk-ins + placed)
    held: list[float]  # work arrived in the `span` up to each bin


class _Leveller:
    def __init__(self, setup: DaySetup, turnout: float, span: float, seed: int) -> None:
        self.setup = setup
        self.turnout = turnout
        self.width = max(1, round(span / BIN))
        self.bins = math.ceil((setup.closes + setup.overtime) / BIN) + self.width
        base = draw_day(setup, seed=PLAN_SEEDS + seed)
        desks = _desks_per_bin(base, self.bins)
        per_walk_in: dict[str, float] = dict.fromkeys(desks, 0.0)
        for k in range(MIX_SAMPLE):
            v = random_visitor(f"mix{k}", 0.0, setup.center, setup.mix, PLAN_SEEDS + seed)
            for agency, m in work_of(setup.center, v.needs, v.person).items():
                if agency in per_walk_in:
                    per_walk_in[agency] += m / MIX_SAMPLE
        rates = setup.walk_ins_per_hour
        self.agencies: dict[str, _Agency] = {}
        for agency, row in desks.items():
            arriving = [0.0] * self.bins
            for b in range(self.bins):
                hour = int(b * BIN // 60)
                rate = rates[hour] if hour < len(rates) and b * BIN < setup.closes else 0.0
                arriving[b] = rate / 60.0 * BIN * per_walk_in[agency]
            held = [sum(arriving[max(0, j - self.width + 1) : j + 1]) for j in range(self.bins)]
            self.agencies[agency] = _Agency(desks=row, arriving=arriving, held=held)

    def spread(self, window: Window) -> list[tuple[int, float]]:
        """Bins an invitee arrives in, with their probability (uniform punctuality)."""
        early, late = self.setup.punctuality
        mid = (window.start + window.end) / 2
        cut = self.setup.closes - 1.0
        weights: dict[int, float] = {}
        steps = 10
        for k in range(steps):
            at = min(max(0.0, mid + early + (late - early) * (k + 0.5) / steps), cut)
            b = int(at // BIN)
            weights[b] = weights.get(b, 0.0) + 1.0 / steps
        return sorted(weights.items())

    def _f(self, work: float, desks: float) -> float:
        capacity = desks * self.width * BIN
        if capacity <= 0:
            return OVERLOAD * (work / BIN) ** 2
        x = work / capacity
        return x * x + OVERLOAD * max(0.0, x - 1.0) ** 2

    def delta(self, work: Mapping[str, float], window: Window) -> float:
        """What placing this work in the window adds to Σ load²."""
        bins = self.spread(window)
        out = 0.0
        for agency, m in work.items():
            a = self.agencies.get(agency)
            if a is None:
                continue
            add = [0.0] * self.bins
            for b, p in bins:
                for j in range(b, min(self.bins, b + self.width)):
                    add[j] += p * m * self.turnout
            lo = bins[0][0]
            hi = min(self.bins, bins[-1][0] + self.width)
            for j in range(lo, hi):
                held = a.held[j]
                out += self._f(held + add[j], a.desks[j]) - self._f(held, a.desks[j])
        return out

    def place(self, work: Mapping[str, float], window: Window, sign: float = 1.0) -> None:
        for agency, m in work.items():
            a = self.agencies.get(agency)
            if a is None:
                continue
            for b, p in self.spread(window):
                a.arriving[b] += sign * p * m * self.turnout
                for j in range(b, min(self.bins, b + self.width)):
                    a.held[j] += sign * p * m * self.turnout


def slots(setup: DaySetup, slot_minutes: int) -> list[Window]:
    """Every window of the day: [k·slot, (k+1)·slot) inside opening hours."""
    n = max(1, int(setup.closes // slot_minutes))
    return [Window(float(k * slot_minutes), float((k + 1) * slot_minutes)) for k in range(n)]


def allowed(who: Invitee, own: float, windows: Sequence[Window]) -> list[Window]:
    """Windows whose end leaves the invitee's own expected service (and walking) before
    their leave_by; the earliest window when none does."""
    if who.leave_by is None:
        return list(windows)
    ok = [w for w in windows if w.end + own <= who.leave_by]
    return ok or [windows[0]]


def _level(
    setup: DaySetup,
    invitees: Sequence[Invitee],
    work: Mapping[str, Mapping[str, float]],
    options: Mapping[str, Sequence[Window]],
    *,
    turnout: float,
    span: float,
    morning: float,
    seed: int,
) -> dict[str, Window]:
    model = _Leveller(setup, turnout, span, seed)
    scale = 1.0 / max(1.0, setup.closes)

    def penalty(who: Invitee, w: Window) -> float:
        """Long journeys and (by `morning`) multi-need visitors: the later, the dearer."""
        pull = morning * max(0, len(work[who.id]) - 1)
        if who.journey_minutes >= LONG_JOURNEY:
            pull += 1.0
        return pull * w.start * scale * turnout

    def best(who: Invitee) -> Window:
        return min(
            options[who.id],
            key=lambda w: (model.delta(work[who.id], w) + penalty(who, w), w.start),
        )

    order = sorted(
        invitees,
        key=lambda i: (
            i.leave_by is None,
            i.leave_by or 0.0,
            i.journey_minutes < LONG_JOURNEY,
            -own_minutes(work[i.id]),
            i.id,
        ),
    )
    chosen: dict[str, Window] = {}
    for who in order:
        chosen[who.id] = best(who)
        model.place(work[who.id], chosen[who.id])
    for _ in range(PASSES):
        moved = False
        for who in order:
            model.place(work[who.id], chosen[who.id], -1.0)
            w = best(who)
            model.place(work[who.id], w)
            moved = moved or w != chosen[who.id]
            chosen[who.id] = w
        if not moved:
            break
    return chosen


def _distance(at: float, w: Window) -> tuple[float, float]:
    return abs(w.start - at), w.start


def even_spread(
    invitees: Sequence[Invitee],
    options: Mapping[str, Sequence[Window]],
    windows: Sequence[Window],
) -> dict[str, Window]:
    """The obvious plan: invitees spread evenly over the windows in the order given,
    each moved to the nearest window that respects their leave_by."""
    out: dict[str, Window] = {}
    for k, who in enumerate(invitees):
        at = windows[min(len(windows) - 1, k * len(windows) // len(invitees))].start
        out[who.id] = min(options[who.id], key=partial(_distance, at))
    return out


def _score(
    setup: DaySetup, invitees: Sequence[Invitee], plan: Mapping[str, Window], seed: int
) -> float:
    """Mean time in the center of everyone over the planner's seeded days."""
    times: list[float] = []
    for turnout in CHECK_TURNOUTS:
        for k in range(CHECK_DAYS):
            day = draw_day(setup, invitees, plan, turnout=turnout, seed=PLAN_SEEDS + seed + k)
            result = simulate(day, choose)
            times += [v.time_in_center for v in result.visitors if not v.gone]
    return statistics.fmean(times) if times else 0.0


def plan_windows(
    setup: DaySetup,
    invitees: Sequence[Invitee],
    *,
    turnout: float = 0.6,
    slot_minutes: int = 15,
    seed: int = 0,
) -> dict[str, Window]:
    """One arrival window per invitee (by id), `slot_minutes` long, inside opening hours.

    Deterministic: the same arguments give the same plan (the planner's days are drawn
    from `seed`). `turnout` is the share of invitees expected to come.
    """
    if not invitees:
        return {}
    windows = slots(setup, slot_minutes)
    work = {i.id: work_of(setup.center, i.needs, person(i)) for i in invitees}
    options = {i.id: allowed(i, own_minutes(work[i.id]), windows) for i in invitees}
    candidates = [even_spread(invitees, options, windows)]
    for span, morning in SETTINGS:
        candidates.append(
            _level(
                setup,
                invitees,
                work,
                options,
                turnout=turnout,
                span=span,
                morning=morning,
                seed=seed,
            )
        )
    scored = [(_score(setup, invitees, c, seed), k) for k, c in enumerate(candidates)]
    chosen = candidates[min(scored)[1]]
    return {i.id: chosen[i.id] for i in invitees}

"""Turning a scenario description into the plan of a day: who comes, when, for what.

Pure and seeded. Every visitor draws from their own random stream (seed, ticket), so
changing one knob of a scenario does not reshuffle everyone else, and every policy
meets the same visitors. Times are minutes after the center opens.

True service times and the configured minutes (the policy's prior) are two things: true
times are drawn around the center file's minutes times `service.factor`; `prior_factor`
(per need, `"*"` for every other) scales what the configuration says, so the plan's
center tells the policy minutes that are off from the truth and the learner must find
them. The day's load is the same with or without it; only what the desks believe changes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from app.routing.rules import Person
from app.sim.simulate import CenterSpec, DayPlan, DeskEvent, VisitorPlan

MAX_CALLS = 8  # misses are drawn for this many calls per visitor


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[float(weights[k]) for k in keys])[0]


def _sample(rng: random.Random, weights: Mapping[str, float], k: int) -> list[str]:
    """k distinct keys, drawn by weight."""
    pool = {key: float(w) for key, w in weights.items() if float(w) > 0}
    out: list[str] = []
    while pool and len(out) < k:
        key = _pick(rng, pool)
        out.append(key)
        del pool[key]
    return out


def _walk_ins(spec: Mapping[str, Any], seed: int, load: float) -> list[float]:
    rng = random.Random(f"{seed}:walk-ins")
    out: list[float] = []
    for hour, rate in enumerate(spec.get("per_hour", [])):
        t = 60.0 * hour
        end = t + 60.0
        per_minute = float(rate) * load / 60.0
        while per_minute > 0:
            t += rng.expovariate(per_minute)
            if t >= end:
                break
            out.append(t)
    return out


def _invited(spec: Mapping[str, Any], seed: int) -> list[float]:
    rng = random.Random(f"{seed}:invited")
    early, late = spec.get("jitter", [-10, 10])
    out: list[float] = []
    for i in range(int(spec.get("count", 0))):
        slot = float(spec.get("from", 0)) + i * float(spec.get("every", 5))
        if rng.random() < float(spec.get("show", 0.6)):
            out.append(max(0.0, slot + rng.uniform(early, late)))
    return out


def _service(rng: random.Random, center: CenterSpec, spec: Mapping[str, Any]) -> dict[str, float]:
    """Skewed service times: lognormal with the mean at the need's true minutes (the center
    file's minutes times `factor`), whatever the configuration tells the policy."""
    sigma = float(spec.get("sigma", 0.5))
    factor = spec.get("factor", {})
    out = {}
    for code, need in sorted(center.needs.items()):
        mean = need.minutes * float(factor.get(code, 1.0))
        mu = math.log(mean) - sigma * sigma / 2
        out[code] = max(1.0, rng.lognormvariate(mu, sigma))
    return out


def _visitor(
    ticket: str, arrive: float, center: CenterSpec, spec: Mapping[str, Any], seed: int
) -> VisitorPlan:
    rng = random.Random(f"{seed}:{ticket}")
    counts = spec.get("needs_per_visitor", [0.5, 0.3, 0.15, 0.05])
    k = rng.choices(range(1, len(counts) + 1), weights=counts)[0]
    needs = _sample(rng, spec.get("needs") or dict.fromkeys(center.needs, 1), k)
    ages = spec.get("ages", [18, 60])
    person = Person(
        residence_status=_pick(rng, spec.get("residence_status", {"recognised": 1})),
        municipality=_pick(rng, spec.get("municipalities", {"Detmold": 1})),
        age=rng.randint(int(ages[0]), int(ages[1])),
        language=_pick(rng, spec.get("languages", {"de": 1})),
    )
    deadline = spec.get("leave_by", {})
    leave_by = None
    if rng.random() < float(deadline.get("share", 0.0)):
        lo, hi = deadline.get("after", [60, 180])
        leave_by = arrive + rng.uniform(lo, hi)
    referral = spec.get("referral", {})
    refer = None
    targets = {k: w for k, w in referral.get("needs", {}).items() if k not in needs}
    if needs and targets and rng.random() < float(referral.get("share", 0.0)):
        refer = (rng.choice(needs), _pick(rng, targets))
    gone_at = None
    if rng.random() < float(spec.get("gone", 0.0)):
        gone_at = arrive + rng.uniform(10, 90)
    miss = float(spec.get("miss_call", 0.0))
    return VisitorPlan(
        ticket=ticket,
        arrive=arrive,
        person=person,
        needs=tuple(needs),
        service=_service(rng, center, spec.get("service", {})),
        leave_by=leave_by,
        children=rng.random() < float(spec.get("children", 0.0)),
        accessibility=rng.random() < float(spec.get("accessibility", 0.0)),
        misses=tuple(rng.random() < miss for _ in range(MAX_CALLS)),
        gone_at=gone_at,
        referral=refer,
    )


def visitor_for(
    ticket: str,
    arrive: float,
    center: CenterSpec,
    spec: Mapping[str, Any],
    seed: int,
    *,
    needs: Sequence[str],
    person: Person,
    leave_by: float | None = None,
    children: bool = False,
    accessibility: bool = False,
) -> VisitorPlan:
    """A visitor whose needs and person are known (an invitee): the rest (true service
    minutes, missed calls, leaving silently, a referral) is drawn as for anyone else, from
    the visitor's own stream (seed, ticket)."""
    rng = random.Random(f"{seed}:{ticket}:known")
    referral = spec.get("referral", {})
    refer = None
    targets = {k: w for k, w in referral.get("needs", {}).items() if k not in needs}
    if needs and targets and rng.random() < float(referral.get("share", 0.0)):
        refer = (rng.choice(list(needs)), _pick(rng, targets))
    gone_at = None
    if rng.random() < float(spec.get("gone", 0.0)):
        gone_at = arrive + rng.uniform(10, 90)
    miss = float(spec.get("miss_call", 0.0))
    return VisitorPlan(
        ticket=ticket,
        arrive=arrive,
        person=person,
        needs=tuple(needs),
        service=_service(rng, center, spec.get("service", {})),
        leave_by=leave_by,
        children=children,
        accessibility=accessibility,
        misses=tuple(rng.random() < miss for _ in range(MAX_CALLS)),
        gone_at=gone_at,
        referral=refer,
    )


def _desk_events(center: CenterSpec, spec: Sequence[Mapping[str, Any]]) -> list[DeskEvent]:
    """Every desk opens at the start unless told otherwise; extra pauses and closings."""
    late = {e["desk"]: float(e["opens"]) for e in spec if "opens" in e}
    out = [DeskEvent(at=late.get(d.code, 0.0), desk=d.code, action="open") for d in center.desks]
    for e in spec:
        if "pause" in e:
            out.append(DeskEvent(float(e["pause"]), e["desk"], "pause", float(e["minutes"])))
        if "closes" in e:
            out.append(DeskEvent(float(e["closes"]), e["desk"], "close"))
    return out


def configured(center: CenterSpec, prior_factor: Mapping[str, float]) -> CenterSpec:
    """The center as its configuration describes it: each need's minutes times its prior
    factor (`"*"` for needs not named). 1.3 says 30 % more than the truth, 0.7 30 % less."""
    if not prior_factor:
        return center
    default = float(prior_factor.get("*", 1.0))
    needs = {
        code: replace(need, minutes=need.minutes * float(prior_factor.get(code, default)))
        for code, need in center.needs.items()
    }
    return replace(center, needs=needs)


def plan_day(center: CenterSpec, spec: Mapping[str, Any], *, seed: int | None = None) -> DayPlan:
    """The day a scenario describes; `seed` overrides the scenario's own. True service
    times come from `center`; the plan's center carries the configured (prior) minutes."""
    seed = int(spec.get("seed", 1) if seed is None else seed)
    load = float(spec.get("load", 1.0))
    times = _walk_ins(spec.get("walk_ins", {}), seed, load)
    times += _invited(spec.get("invited", {}), seed)
    times = sorted(t for t in times if t < center.closes)
    visitors = tuple(
        _visitor(f"A{i:03d}", t, center, spec, seed) for i, t in enumerate(times, start=1)
    )
    return DayPlan(
        center=configured(center, spec.get("prior_factor", {})),
        visitors=visitors,
        desk_events=tuple(_desk_events(center, spec.get("desks", []))),
        overtime=float(spec.get("overtime", 120.0)),
    )


def random_visitor(
    ticket: str, arrive: float, center: CenterSpec, spec: Mapping[str, Any], seed: int
) -> VisitorPlan:
    """One visitor drawn from a scenario's mix, as a walk-in would be."""
    return _visitor(ticket, arrive, center, spec, seed)

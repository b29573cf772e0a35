"""Seeded days from a setup (walk-ins drawn from the mix, invitees in their windows), and
the what-if changes the planner offers: desks per agency, closing time, walk-in volume."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import replace

from app.planning.model import DaySetup, Invitee, Window
from app.routing.rules import Person
from app.sim.scenario import plan_day, visitor_for
from app.sim.simulate import DayPlan, DeskEvent, DeskSpec, VisitorPlan

INVITED = "I-"  # ticket prefix of invitees in a simulated day


def person(invitee: Invitee) -> Person:
    return Person(
        residence_status=invitee.residence_status,
        municipality=invitee.municipality,
        age=invitee.age,
        language=invitee.language,
    )


def arrival(invitee: Invitee, window: Window, setup: DaySetup, seed: int) -> tuple[float, float]:
    """(u, minute): the invitee comes when u < turnout, at that minute. Drawn from the
    invitee's own stream, so the same person is as punctual, and comes or stays away
    alike, whatever window or turnout is tried: comparisons are paired."""
    rng = random.Random(f"{seed}:invitee:{invitee.id}")
    u = rng.random()
    early, late = setup.punctuality
    at = (window.start + window.end) / 2 + rng.uniform(early, late)
    return u, min(max(0.0, at), setup.closes - 1.0)


def invitee_visit(
    invitee: Invitee, window: Window, setup: DaySetup, seed: int, turnout: float
) -> VisitorPlan | None:
    u, at = arrival(invitee, window, setup, seed)
    if u >= turnout:
        return None
    return visitor_for(
        f"{INVITED}{invitee.id}",
        at,
        setup.center,
        setup.mix,
        seed,
        needs=tuple(n for n in invitee.needs if n in setup.center.needs),
        person=person(invitee),
        leave_by=invitee.leave_by,
        children=invitee.children,
        accessibility=invitee.accessibility,
    )


def draw_day(
    setup: DaySetup,
    invitees: Sequence[Invitee] = (),
    windows: Mapping[str, Window] | None = None,
    *,
    turnout: float = 0.6,
    seed: int = 0,
) -> DayPlan:
    """One seeded day: the walk-ins of the mix and those invitees who come (`turnout`)."""
    spec = {
        **setup.mix,
        "walk_ins": {"per_hour": list(setup.walk_ins_per_hour)},
        "invited": {},
        "overtime": setup.overtime,
    }
    plan = plan_day(setup.center, spec, seed=seed)
    windows = windows or {}
    invited = [
        v
        for i in invitees
        if i.id in windows
        and (v := invitee_visit(i, windows[i.id], setup, seed, turnout)) is not None
    ]
    events = plan.desk_events if setup.desk_events is None else setup.desk_events
    return replace(
        plan,
        visitors=(*plan.visitors, *invited),
        desk_events=events,
        start=setup.opens,
    )


def with_desks(setup: DaySetup, change: Mapping[str, int]) -> DaySetup:
    """More (or fewer, negative) desks per agency; a new desk is like the agency's first
    (languages, floor) and open all day."""
    desks = list(setup.center.desks)
    events = None if setup.desk_events is None else list(setup.desk_events)
    for agency, n in change.items():
        own = [d for d in desks if d.agency == agency]
        if n < 0:
            gone = {d.code for d in own[len(own) + n :]} if -n < len(own) else {d.code for d in own}
            desks = [d for d in desks if d.code not in gone]
            if events is not None:
                events = [e for e in events if e.desk not in gone]
            continue
        model = own[0] if own else DeskSpec(code=agency, agency=agency)
        for k in range(1, n + 1):
            code = f"{agency}+{k}"
            desks.append(replace(model, code=code))
            if events is not None:
                events.append(DeskEvent(at=0.0, desk=code, action="open"))
    center = replace(setup.center, desks=tuple(desks))
    return replace(setup, center=center, desk_events=None if events is None else tuple(events))


def with_hours(setup: DaySetup, closes: float) -> DaySetup:
    """The door closes `closes` minutes after opening (no arrivals after it)."""
    return replace(setup, center=replace(setup.center, closes=float(closes)))


def with_walk_ins(setup: DaySetup, factor: float) -> DaySetup:
    """Walk-in volume times `factor`, the same hours."""
    return replace(setup, walk_ins_per_hour=tuple(r * factor for r in setup.walk_ins_per_hour))

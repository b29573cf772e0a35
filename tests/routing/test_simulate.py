"""Invariants of simulated days, over random centers and visitors, for every policy."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from app.routing.baselines import policies
from app.routing.rules import NeedSpec, Person
from app.routing.simulate import (
    CenterSpec,
    DayPlan,
    DayResult,
    DeskEvent,
    DeskSpec,
    VisitorPlan,
    simulate,
)

FINAL = {"done", "no_show", "cancelled", "unavailable"}
LANGS = ["de", "ar", "uk"]


@st.composite
def centers(draw: st.DrawFn) -> CenterSpec:
    agencies = [f"a{i}" for i in range(draw(st.integers(1, 4)))]
    absent = draw(st.sampled_from([None, agencies[-1]])) if len(agencies) > 1 else None
    count = draw(st.integers(1, 5))
    needs = {}
    for i in range(count):
        # `before` only points at later needs, so the order never has a cycle.
        later = [f"n{j}" for j in range(i + 1, count)]
        before = draw(st.lists(st.sampled_from(later), max_size=2)) if later else []
        needs[f"n{i}"] = NeedSpec(
            code=f"n{i}",
            minutes=float(draw(st.integers(5, 30))),
            served_by=({"agency": draw(st.sampled_from(agencies))},),
            before=frozenset(before),
        )
    desks = tuple(
        DeskSpec(
            code=f"d{i}",
            agency=draw(st.sampled_from(agencies)),
            languages=frozenset(draw(st.lists(st.sampled_from(LANGS), max_size=2))),
            floor=draw(st.integers(0, 2)),
        )
        for i in range(draw(st.integers(1, 5)))
    )
    present = frozenset(a for a in agencies if a != absent)
    return CenterSpec(needs=needs, desks=desks, present=present, closes=180.0)


@st.composite
def visitors(draw: st.DrawFn, center: CenterSpec, i: int) -> VisitorPlan:
    codes = sorted(center.needs)
    arrive = draw(st.floats(0, 170))
    needs = tuple(draw(st.lists(st.sampled_from(codes), min_size=1, max_size=3, unique=True)))
    return VisitorPlan(
        ticket=f"A{i:03d}",
        arrive=arrive,
        person=Person(language=draw(st.sampled_from(LANGS))),
        needs=needs,
        service={c: float(draw(st.integers(1, 40))) for c in codes},
        leave_by=draw(st.none() | st.floats(arrive + 5, arrive + 200)),
        children=draw(st.booleans()),
        misses=tuple(draw(st.lists(st.booleans(), max_size=4))),
        gone_at=draw(st.none() | st.floats(arrive, arrive + 60)),
        referral=draw(st.none() | st.tuples(st.sampled_from(needs), st.sampled_from(codes))),
    )


@st.composite
def days(draw: st.DrawFn) -> DayPlan:
    center = draw(centers())
    people = tuple(draw(visitors(center, i)) for i in range(draw(st.integers(0, 25))))
    events = [DeskEvent(draw(st.sampled_from([0.0, 30.0])), d.code, "open") for d in center.desks]
    for d in center.desks:
        kind = draw(st.sampled_from(["none", "pause", "close"]))
        if kind != "none":
            events.append(DeskEvent(draw(st.floats(10, 170)), d.code, kind, 20.0))
    # Long enough: desks keep serving whoever is inside for ten more hours.
    return DayPlan(center=center, visitors=people, desk_events=tuple(events), overtime=600.0)


def _check(plan: DayPlan, result: DayResult) -> None:
    before = plan.center.before
    desk_agency = {d.code: d.agency for d in plan.center.desks}
    by_visitor: dict[str, list[tuple[float, float]]] = defaultdict(list)
    by_desk: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for call in result.calls:
        assert call.agency in plan.center.present
        assert desk_agency[call.desk] == call.agency
        blocked = set().union(*(before.get(n, frozenset()) for n in call.open_needs))
        assert not blocked & set(call.needs), (call, "called before a need that must come first")
        by_visitor[call.ticket].append((call.at, call.until))
        by_desk[call.desk].append((call.at, call.until))
    for spans in [*by_visitor.values(), *by_desk.values()]:
        spans.sort()
        for (_, end), (start, _) in pairwise(spans):
            assert start >= end - 1e-9, "a visitor at two desks, or a desk with two visitors"
    for v in result.visitors:
        for need, agency, status in v.steps:
            assert status in FINAL, (v.ticket, need, status)
            assert status == "unavailable" or agency in plan.center.present


@settings(max_examples=30, deadline=None)
@given(days())
def test_every_policy_keeps_the_rules_of_the_house(plan: DayPlan) -> None:
    for chooser in policies().values():
        _check(plan, simulate(plan, chooser))


@settings(max_examples=10, deadline=None)
@given(days())
def test_same_plan_same_day(plan: DayPlan) -> None:
    chooser = policies()["routing"]
    assert simulate(plan, chooser, forecast=True) == simulate(plan, chooser, forecast=True)


def test_same_seed_same_plan() -> None:
    from app.routing.scenario import plan_day
    from bench.scenarios import load_all

    scenario = load_all()[0]
    assert plan_day(scenario.center, scenario.spec) == plan_day(scenario.center, scenario.spec)
    other = plan_day(scenario.center, scenario.spec, seed=999)
    assert other != plan_day(scenario.center, scenario.spec)

"""The planner's library: windows (properties), predictions and staffing advice."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.planning import (
    DaySetup,
    Invitee,
    Window,
    advise_staffing,
    plan_windows,
    predict_day,
    with_desks,
    with_hours,
    with_walk_ins,
)
from app.planning.setup import INVITED, draw_day
from app.routing.estimate import WALK_MINUTES
from bench.scenarios import load

SCENARIOS = Path(__file__).resolve().parents[2] / "bench" / "scenarios"
MOBILE = load(SCENARIOS / "07_mobile_day.yaml")
SETUP = DaySetup.from_scenario(MOBILE.center, MOBILE.spec)
NEEDS = sorted(SETUP.center.needs)
MINUTES = {code: need.minutes for code, need in SETUP.center.needs.items()}

invitee_lists = st.lists(
    st.builds(
        Invitee,
        id=st.text("abcdef0123", min_size=1, max_size=6),
        needs=st.lists(st.sampled_from(NEEDS), min_size=1, max_size=3, unique=True).map(tuple),
        language=st.sampled_from(["de", "ar", "uk", "fa"]),
        residence_status=st.sampled_from(["recognised", "tolerated", None]),
        journey_minutes=st.sampled_from([0.0, 20.0, 60.0]),
        leave_by=st.one_of(st.none(), st.floats(20, 260)),
    ),
    max_size=10,
    unique_by=lambda i: i.id,
)


AGENCY = {code: need.served_by[0]["agency"] for code, need in SETUP.center.needs.items()}


def own_minutes(who: Invitee) -> float:
    """Their own expected service, and the walk to each agency's desk."""
    agencies = {AGENCY[n] for n in who.needs}
    return sum(MINUTES[n] for n in who.needs) + WALK_MINUTES * len(agencies)


@settings(max_examples=12, deadline=None)
@given(
    invitees=invitee_lists,
    slot=st.sampled_from([10, 15, 20, 30]),
    turnout=st.sampled_from([0.4, 0.6, 0.8]),
    seed=st.integers(0, 3),
)
def test_every_invitee_gets_exactly_one_window_inside_opening_hours(
    invitees: list[Invitee], slot: int, turnout: float, seed: int
) -> None:
    plan = plan_windows(SETUP, invitees, turnout=turnout, slot_minutes=slot, seed=seed)
    assert set(plan) == {i.id for i in invitees}
    for w in plan.values():
        assert 0 <= w.start < w.end <= SETUP.closes
        assert w.end - w.start == slot
    again = plan_windows(SETUP, invitees, turnout=turnout, slot_minutes=slot, seed=seed)
    assert again == plan  # the same inputs give the same plan


@settings(max_examples=12, deadline=None)
@given(invitees=invitee_lists, seed=st.integers(0, 3))
def test_windows_respect_leave_by(invitees: list[Invitee], seed: int) -> None:
    plan = plan_windows(SETUP, invitees, seed=seed)
    first = min(w.start for w in plan.values()) if plan else 0.0
    for who in invitees:
        w = plan[who.id]
        if who.leave_by is None:
            continue
        # Their own service fits between the window's end and the bus; when no window
        # allows that, they get the day's very first window.
        assert w.end + own_minutes(who) <= who.leave_by or (w.start == 0.0 and first == 0.0)


def test_a_tight_deadline_gets_an_early_window_and_a_late_one_need_not() -> None:
    crowd = [Invitee(id=f"c{k}", needs=("income", "work")) for k in range(10)]
    hurry = Invitee(id="bus", needs=("income",), leave_by=70.0)
    plan = plan_windows(SETUP, [*crowd, hurry])
    assert plan["bus"].end + MINUTES["income"] + WALK_MINUTES <= 70.0


def test_the_plan_spreads_one_agency_over_the_day() -> None:
    same = [Invitee(id=f"i{k:02d}", needs=("income",)) for k in range(12)]
    plan = plan_windows(SETUP, same)
    busiest = max(list(plan.values()).count(w) for w in plan.values())
    assert busiest <= 2, plan
    assert len({w.start for w in plan.values()}) >= 6


def test_no_invitees_no_windows() -> None:
    assert plan_windows(SETUP, []) == {}


def test_window_clock_times_for_the_letter() -> None:
    start, end = Window(30.0, 45.0).clock(SETUP.opens)
    assert (start - SETUP.opens).total_seconds() == 30 * 60
    assert (end - start).total_seconds() == 15 * 60


def test_drawn_day_holds_the_invitees_who_come_in_their_window() -> None:
    invitees = [Invitee(id=f"i{k}", needs=("work",)) for k in range(40)]
    windows = {i.id: Window(60.0, 75.0) for i in invitees}
    low = draw_day(SETUP, invitees, windows, turnout=0.4, seed=5)
    high = draw_day(SETUP, invitees, windows, turnout=0.8, seed=5)
    came_low = {v.ticket for v in low.visitors if v.ticket.startswith(INVITED)}
    came_high = {v.ticket for v in high.visitors if v.ticket.startswith(INVITED)}
    assert came_low < came_high  # the same people come, and more at a higher turnout
    assert 6 <= len(came_low) <= 26 and 22 <= len(came_high) <= 40
    early, late = SETUP.punctuality
    for v in high.visitors:
        if v.ticket.startswith(INVITED):
            assert 67.5 + early <= v.arrive <= 67.5 + late
    walk_ins = [v for v in low.visitors if not v.ticket.startswith(INVITED)]
    assert walk_ins == [v for v in high.visitors if not v.ticket.startswith(INVITED)]


def test_predict_day_is_seeded_repeatable_and_reports_progress() -> None:
    invitees = [Invitee(id=f"i{k}", needs=("work", "residence")) for k in range(8)]
    seen: list[tuple[int, int]] = []
    first = predict_day(SETUP, invitees, days=4, seed=1, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert predict_day(SETUP, invitees, days=4, seed=1) == first
    assert first.days == 4 and first.invited_mean_time is not None
    assert {a.agency for a in first.agencies} == {"abh", "jobcenter", "beratung"}
    assert all(a.mean_wait >= 0 for a in first.agencies)
    assert len(first.by_hour) == 4
    other = predict_day(SETUP, invitees, days=4, seed=2)
    assert other != first


def test_more_walk_ins_longer_days_and_a_desk_shortens_them() -> None:
    base = predict_day(SETUP, days=6)
    busy = predict_day(with_walk_ins(SETUP, 2.0), days=6)
    assert busy.visitors > base.visitors * 1.5
    assert busy.mean_time > base.mean_time
    staffed = predict_day(with_desks(with_walk_ins(SETUP, 2.0), {"jobcenter": 1}), days=6)
    assert staffed.mean_time < busy.mean_time


def test_with_desks_and_hours() -> None:
    more = with_desks(SETUP, {"abh": 2, "beratung": -1})
    agencies = [d.agency for d in more.center.desks]
    assert agencies.count("abh") == 3 and "beratung" not in agencies
    assert len({d.code for d in more.center.desks}) == len(more.center.desks)
    assert with_hours(SETUP, 180).closes == 180
    events = replace(SETUP, desk_events=draw_day(SETUP).desk_events)
    added = with_desks(events, {"jobcenter": 1})
    assert added.desk_events is not None
    assert any(e.desk == "jobcenter+1" and e.action == "open" for e in added.desk_events)


def test_staffing_advice_names_the_bottleneck() -> None:
    # Three times the walk-ins, all for the Jobcenter: its single desk is the bottleneck.
    mix = {**SETUP.mix, "needs": {"work": 1, "income": 1}, "needs_per_visitor": [1.0]}
    busy = replace(with_walk_ins(SETUP, 3.0), mix=mix)
    seen: list[int] = []
    advice = advise_staffing(busy, days=4, progress=lambda d, t: seen.append(t))
    assert advice[0].agency == "jobcenter"
    assert advice[0].gain > 10 and advice[0].mean_time_after < advice[0].mean_time_before
    assert advice == sorted(advice, key=lambda a: -a.gain)
    assert set(seen) == {4 * 4}


@pytest.mark.parametrize("turnout", [0.0, 1.0])
def test_turnout_bounds(turnout: float) -> None:
    invitees = [Invitee(id=f"i{k}", needs=("work",)) for k in range(6)]
    windows = plan_windows(SETUP, invitees, turnout=max(turnout, 0.1))
    day = draw_day(SETUP, invitees, windows, turnout=turnout, seed=3)
    came = [v for v in day.visitors if v.ticket.startswith(INVITED)]
    assert len(came) == (0 if turnout == 0.0 else 6)

"""Learned minutes and the forecast of waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.routing.estimate import (
    DeskNow,
    desk_states,
    expected_end,
    forecast_waits,
    remaining_minutes,
    service_factor,
)
from app.routing.learn import Learned, split
from app.routing.policy import DeskView, StepView, VisitView

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_prior_until_observed_then_the_median_takes_over() -> None:
    learned = Learned(prior={"residence": 15.0})
    assert learned.minutes("residence") == 15.0
    for minutes in (30, 31, 29, 30, 30, 32, 28, 30, 30):
        learned.observe(["residence"], minutes)
    assert 25 < learned.minutes("residence") <= 30  # three priors against nine seen
    learned.observe(["residence"], 200)  # one case that took all morning
    assert learned.minutes("residence") < 31


def test_a_joint_service_is_shared_by_expected_size() -> None:
    assert split(30, ["a", "b"], {"a": 10, "b": 20}) == {"a": 10, "b": 20}


def _visit(vid: str, minutes: float, at: datetime = T0) -> VisitView:
    step = StepView(int(vid[1:]), "residence", "abh", "pending", at, minutes)
    return VisitView(vid, vid, at, "de", (step,))


def test_forecast_plays_the_desks_forward() -> None:
    desk = DeskView("r1", "abh")
    visits = [_visit("A1", 10), _visit("A2", 20, T0 + timedelta(minutes=1))]
    desks = desk_states([DeskNow(desk, "open")], now=T0)
    waits = forecast_waits(visits, now=T0, before={}, desks=desks)
    assert waits == {"A1": 0, "A2": 12}  # ten minutes of service and two of walking


def test_a_closed_morning_counts_every_desk_as_opening_now() -> None:
    desks = [DeskNow(DeskView("r1", "abh"), "closed"), DeskNow(DeskView("r2", "abh"), "closed")]
    visits = [_visit("A1", 10), _visit("A2", 10)]
    waits = forecast_waits(visits, now=T0, before={}, desks=desk_states(desks, now=T0))
    assert waits == {"A1": 0, "A2": 0}


def test_the_forecast_lets_a_visitor_go_at_their_leave_by() -> None:
    """Whoever has a bus at leave_by is gone then: the forecast does not queue behind them."""
    desk = DeskView("r1", "abh")
    first = _visit("A1", 10)
    bus = VisitView(
        "A2",
        "A2",
        T0,
        "de",
        (StepView(2, "residence", "abh", "pending", T0, 20),),
        leave_by=T0 + timedelta(minutes=5),  # before the desk is free again at 9:12
    )
    later = _visit("A3", 10, T0 + timedelta(minutes=2))
    desks = desk_states([DeskNow(desk, "open")], now=T0)
    waits = forecast_waits([first, bus, later], now=T0, before={}, desks=desks)
    assert waits == {"A1": 0, "A3": 12}


def test_a_service_past_its_expected_minutes_still_has_minutes_left() -> None:
    assert remaining_minutes(20, 0) == 20  # not started: the expected (median) minutes
    assert 9 < remaining_minutes(20, 10) < 12  # about what is left, a little more
    overrun = remaining_minutes(20, 25)
    assert overrun > 5  # not "ending now"
    assert remaining_minutes(20, 40) > overrun - 5  # the longer it ran, the longer it goes


def test_expected_end_counts_from_the_start_or_the_call_plus_the_walk() -> None:
    called = T0
    before_start = expected_end(called, None, 20, now=T0 + timedelta(minutes=1))
    assert before_start == T0 + timedelta(minutes=22)  # the walk (2) plus 20
    started = T0 + timedelta(minutes=1)
    running = expected_end(called, started, 20, now=T0 + timedelta(minutes=30))
    assert running > T0 + timedelta(minutes=35)  # 29 minutes into 20: still going


def test_without_a_shared_language_service_takes_longer() -> None:
    desk = DeskView("r1", "abh", frozenset({"de", "en"}))
    assert service_factor(desk, "de") == 1.0
    assert service_factor(desk, "ar") > 1.0
    assert service_factor(DeskView("r2", "abh"), "ar") == 1.0  # languages unknown: no guess

"""The wait range around an estimate: shape of the calibrated table."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.routing.estimate import RANGE_KNOTS, SOON, wait_range


def test_nobody_can_say_means_no_range() -> None:
    assert wait_range(None) is None


def test_a_free_desk_means_within_minutes() -> None:
    assert wait_range(0) == SOON == (0, 5)


@given(st.floats(0.5, 400))
def test_the_range_holds_the_estimate_and_grows_with_it(minutes: float) -> None:
    found = wait_range(minutes)
    assert found is not None
    low, high = found
    assert 0 <= low < high
    assert low <= minutes + 5 and high >= SOON[1]
    if high > 20:
        assert low % 5 == 0 and high % 5 == 0  # no more precision than a screen has
    bigger = wait_range(minutes + 10)
    assert bigger is not None and bigger[0] >= low and bigger[1] >= high


def test_long_waits_are_told_apart() -> None:
    assert wait_range(10) == (3, 18)
    assert wait_range(60) == (35, 85)
    # Relative width shrinks: a long queue is more predictable than the next consultation.
    short, long_ = wait_range(10), wait_range(120)
    assert short is not None and long_ is not None
    assert (long_[1] - long_[0]) / 120 < (short[1] - short[0]) / 10
    assert all(lo < e and lo < hi for e, lo, hi in RANGE_KNOTS)

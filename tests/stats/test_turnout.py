"""Turnout's arithmetic: the last count of a day's list wins, days without a list (or an
empty one) give no turnout rather than a division by zero."""

from __future__ import annotations

from datetime import date

from app.stats.turnout import invited_per_day, turnout

DEC1, DEC2 = date(2026, 12, 1), date(2026, 12, 2)


def test_the_last_count_of_each_day_wins_and_other_shapes_are_skipped() -> None:
    changes = [
        {"date": "2026-12-01", "total": 2},
        {"date": "not a date", "total": 9},
        {"date": "2026-12-01", "total": True},
        {"date": "2026-12-01", "total": 5},
        {"date": "2026-12-02", "total": 0},
    ]
    assert invited_per_day(changes) == {DEC1: 5, DEC2: 0}


def test_turnout_over_days_with_a_list_only() -> None:
    got = turnout({DEC1: 5, DEC2: 0}, {DEC1: 2, DEC2: 3})
    assert got is not None
    assert (got.invitations, got.came, got.turnout) == (5, 2, 0.4)
    assert turnout({DEC2: 0}, {DEC2: 3}) is None
    assert turnout({}, {}) is None

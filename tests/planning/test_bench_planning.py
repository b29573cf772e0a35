"""The planning benchmark's output: tables and the exact last line (a smoke run)."""

from __future__ import annotations

import re

import pytest

from bench import planning

LAST = re.compile(
    r"^planning: rush_invited_vs_wave=\d+\.\d\d planned_vs_even=\d+\.\d\d "
    r"walkin_vs_wave=\d+\.\d\d turnout_worst_vs_wave=\d+\.\d\d "
    r"planner_mae_ratio=\d+\.\d\d staffing_regret=-?\d+\.\d\d "
    r"eta_coverage=\d+\.\d\d eta_width_ratio=\d+\.\d\d$"
)


def test_last_line_has_the_exact_form(capsys: pytest.CaptureFixture[str]) -> None:
    planning.main(["--only", "mobile-day", "--days", "1", "--workers", "1"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert LAST.match(lines[-1]), lines[-1]
    text = "\n".join(lines)
    for heading in ("invitations", "what-if and staffing", "wait ranges"):
        assert heading in text
    assert any(line.startswith("mobile-day") for line in lines)


def test_bench_invitees_are_the_scenarios_mix_and_can_make_their_deadline() -> None:
    first = planning.invitees_for("opening-rush", 13)
    assert len(first) == 56 and first == planning.invitees_for("opening-rush", 13)
    assert first != planning.invitees_for("opening-rush", 14)
    wave = planning.wave_windows("opening-rush", first)
    # The wave's last letter is at 88 minutes; every deadline is after the wave.
    assert max(w.start for w in wave.values()) == pytest.approx(55 * 1.6)
    assert all(i.leave_by is None or i.leave_by > 89.6 for i in first)
    setup = planning.setup_of("opening-rush")
    even = planning.even_windows(setup, first)
    assert set(even) == {i.id for i in first}
    assert all(0 <= w.start < setup.closes for w in even.values())

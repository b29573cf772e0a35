"""The routing benchmark's output: the table, the reference row and the exact last line."""

from __future__ import annotations

import re

import pytest

from app.sim.scenario import plan_day
from bench import routing
from bench.scenarios import load_all

LAST = re.compile(
    r"^routing: mean_vs_fifo=\d+\.\d\d parallel_mean_vs_fifo=\d+\.\d\d "
    r"p90_vs_fifo=\d+\.\d\d parallel_p90_vs_fifo=\d+\.\d\d "
    r"max_vs_fifo=\d+\.\d\d parallel_max_vs_fifo=\d+\.\d\d max_scenario=[a-z0-9-]+ "
    r"deadlines_met=\d+\.\d\d parallel_deadlines_met=\d+\.\d\d "
    r"eta_mae_ratio=\d+\.\d\d decide_ms_500=\d+\.\d$"
)


def test_last_line_has_the_exact_form(capsys: pytest.CaptureFixture[str]) -> None:
    routing.main(["--seeds", "1", "--only", "mobile-day"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert LAST.match(lines[-1]), lines[-1]
    assert lines[-2].startswith("context: deadlines_met_vs_fifo_room=")
    assert "clairvoyant SRPT reference (no bound)" in lines[-2]
    assert "ceiling" not in "\n".join(lines)
    policies = {line.split()[1] for line in lines[1:-2]}
    assert policies == {
        "sequential-fifo",
        "parallel-fifo",
        "v1-score",
        "routing",
        "clairvoyant-srpt",
    }


def test_the_reference_row_can_be_left_out(capsys: pytest.CaptureFixture[str]) -> None:
    routing.main(["--seeds", "1", "--only", "mobile-day", "--no-reference"])
    out = capsys.readouterr().out
    assert "clairvoyant" not in out
    assert LAST.match(out.strip().splitlines()[-1])


def _row(scenario: str, policy: str, max_wait: float) -> routing.Row:
    return routing.Row(scenario, policy, 1, 10.0, 10.0, max_wait, 1.0, 1.0, 0.5, 0.5, None, 0.0, ())


def test_the_summary_reports_the_worst_scenario_not_an_average() -> None:
    rows = [
        _row("a", "sequential-fifo", 100.0),
        _row("a", "routing", 50.0),
        _row("b", "sequential-fifo", 100.0),
        _row("b", "routing", 130.0),
    ]
    ratios = routing._ratios(rows, "routing")
    assert ratios["max"] == 1.3 and ratios["max_in"] == "b"


def test_deadline_feasibility_is_the_same_for_every_policy() -> None:
    scenario = next(s for s in load_all() if s.name == "deadlines")
    rows = routing.run_scenario(scenario, 1, routing.policies())
    feasible = [{v.ticket for v in r.outcomes if v.feasible_alone} for r in rows]
    assert feasible[0] and all(f == feasible[0] for f in feasible)
    # Alone in the center is never later than in any policy's room at arrival.
    for row in rows:
        for v in row.outcomes:
            if v.earliest_finish is not None:
                assert v.alone_finish is not None
                assert v.alone_finish <= v.earliest_finish + 1e-9


def test_most_scenarios_start_with_wrong_minutes() -> None:
    """The configured minutes (the policy's prior) are off from the truth in most scenarios,
    in both directions, so learning matters; a few stay calibrated for comparison."""
    off: dict[str, set[str]] = {}
    for scenario in load_all():
        plan = plan_day(scenario.center, scenario.spec)
        factor = scenario.spec.get("service", {}).get("factor", {})
        signs = set()
        for code, need in scenario.center.needs.items():
            true = need.minutes * float(factor.get(code, 1.0))
            prior = plan.center.needs[code].minutes
            if abs(prior / true - 1) >= 0.25:
                signs.add("high" if prior > true else "low")
        off[scenario.name] = signs
    miscalibrated = [name for name, signs in off.items() if signs]
    assert len(miscalibrated) >= 4, off
    assert {"high", "low"} <= set().union(*off.values()), off
    assert len(off) - len(miscalibrated) >= 2, off

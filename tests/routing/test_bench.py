"""The routing benchmark's output: the table, the ceiling row and the exact last line."""

from __future__ import annotations

import re

import pytest

from bench import routing

LAST = re.compile(
    r"^routing: mean_vs_fifo=\d+\.\d\d p90_vs_fifo=\d+\.\d\d max_vs_fifo=\d+\.\d\d "
    r"deadlines_met=\d+\.\d\d eta_mae_ratio=\d+\.\d\d decide_ms_500=\d+\.\d$"
)


def test_last_line_has_the_exact_form(capsys: pytest.CaptureFixture[str]) -> None:
    routing.main(["--seeds", "1", "--only", "mobile-day"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert LAST.match(lines[-1]), lines[-1]
    assert lines[-2].startswith("context: deadlines_met_by_lower_bound=")
    policies = {line.split()[1] for line in lines[1:-2]}
    assert policies == {"sequential-fifo", "parallel-fifo", "v1-score", "routing", "oracle-srpt"}


def test_the_ceiling_row_can_be_left_out(capsys: pytest.CaptureFixture[str]) -> None:
    routing.main(["--seeds", "1", "--only", "mobile-day", "--no-ceiling"])
    out = capsys.readouterr().out
    assert "oracle-srpt" not in out
    assert LAST.match(out.strip().splitlines()[-1])

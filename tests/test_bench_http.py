"""`make bench-http` on tiny sizes: every phase runs, the table and the last line hold.

Not a timing test (numbers are not asserted): it keeps the benchmark from rotting as
the app changes (routes, prefill through the service layer, server start, the ceiling,
the load generator's protocol). PostgreSQL runs when its binaries are there.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from bench.liveserver import ROOT
from bench.pgcluster import pg_bin

pytestmark = pytest.mark.slow

NUMBER = r"(\d+\.\d\d)"
LAST = re.compile(
    rf"^http: checkin_vs_ceiling={NUMBER} checkin_vs_ceiling_1000={NUMBER} "
    rf"callnext_p99_ms=(\d+) status_vs_ceiling={NUMBER} pg_checkin_vs_ceiling=({NUMBER}|nan)$"
)


def test_the_tiny_benchmark_prints_its_table_and_last_line() -> None:
    args = [sys.executable, "-m", "bench.http", "--tiny"] + ([] if pg_bin() else ["--no-pg"])
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    found = LAST.match(lines[-1])
    assert found, lines[-1]
    ratios = [float(found.group(i)) for i in (1, 2, 4)]
    assert all(0 < r < 5 for r in ratios), lines[-1]  # both servers answered
    assert int(found.group(3)) > 0
    table = "\n".join(lines)
    for row in ("check-in, room 0", "visit status, room 10", "4 desks cycling, room 10"):
        assert row in table
    assert "loader cpu" in table
    if pg_bin():
        assert "PG, 2 workers" in table and found.group(5) != "nan"

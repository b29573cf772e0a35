"""A real `welcome-center serve` on a copy of the migrated template, its output captured."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.liveserver import ROOT, SECRET, free_port


@pytest.fixture
def served(
    template_db: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[str, Path]]:
    """Parametrise indirectly with a dict for more environment (WELCOME_LOG_FORMAT…)."""
    extra: dict[str, str] = getattr(request, "param", {})
    db = tmp_path / "welcome.db"
    shutil.copy(template_db, db)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "WELCOME_DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "WELCOME_SECRET_KEY": SECRET,
        "WELCOME_ALLOWED_ORIGINS": base,
        "WELCOME_DEMO": "0",
        **extra,
    }
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        cmd = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, start_new_session=True, stdout=out, stderr=out
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "server did not come up"
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            yield base, log
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)

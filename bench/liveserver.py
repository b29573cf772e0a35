"""A welcome-center server in a subprocess on a free loopback port (tests and benchmarks)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

ROOT = Path(__file__).resolve().parents[1]
SECRET = "live-test-secret-key-0123456789"
ORIGIN = "http://display.example"


async def prepare_database(url: str) -> None:
    """What `welcome-center demo` does: the demo center with today open (call after migrate)."""
    from sqlalchemy import select

    from app.centers.loader import ensure_day, load_config_file
    from app.centers.models import Center
    from app.cli import DEMO_FILE
    from app.db import Database

    db = Database(url)
    try:
        await load_config_file(db, DEMO_FILE)
        async with db.write() as session:
            center = await session.scalar(select(Center).where(Center.slug == "lippe"))
            assert center is not None
            today = datetime.now(ZoneInfo(center.timezone)).date()
            await ensure_day(session, center_id=center.id, day=today)
    finally:
        await db.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`welcome-center serve` on a free loopback port, in its own process group."""

    def __init__(
        self,
        db_url: str,
        *,
        workers: int = 1,
        port: int | None = None,
        quiet: bool = False,
        **env: str,
    ) -> None:
        self.quiet = quiet  # benchmarks: no access log line per connection
        self.db_url = db_url
        self.workers = workers
        self.port = port or free_port()
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> LiveServer:
        env = {
            **os.environ,
            "WELCOME_DATABASE_URL": self.db_url,
            "WELCOME_SECRET_KEY": SECRET,
            "WELCOME_ALLOWED_ORIGINS": f"{ORIGIN},http://127.0.0.1:{self.port}",
            "WELCOME_DEMO": "0",
            **self.env,
        }
        cmd = [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port)]
        cmd += ["--workers", str(self.workers)]
        out = subprocess.DEVNULL if self.quiet else None
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, start_new_session=True, stdout=out, stderr=out
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            try:
                r = httpx.get(f"{self.http}/api/v1/centers/lippe/today", timeout=1)
                if r.status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not come up")

    def kill9(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

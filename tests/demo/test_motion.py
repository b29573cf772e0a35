"""The demo's simulated day drives a real server over HTTP, and leaves a person's desk alone."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.demo.motion import Motion
from bench.liveserver import LiveServer

pytestmark = pytest.mark.slow
PACE = 30.0  # simulated minutes per second: a 15-minute consultation in half a second


@pytest.fixture
def live(template_db: Path, tmp_path: Path) -> Iterator[tuple[LiveServer, Path]]:
    path = tmp_path / "welcome.db"
    shutil.copy(template_db, path)
    server = LiveServer(f"sqlite+aiosqlite:///{path}", quiet=True).start()
    try:
        yield server, path
    finally:
        server.stop()


class Running:
    """The driver in a thread with its own event loop, as `welcome-center demo` runs it
    in its own process."""

    def __init__(self, motion: Motion) -> None:
        self.motion = motion
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.motion.run())

    def __enter__(self) -> Motion:
        self.thread.start()
        return self.motion

    def __exit__(self, *_: object) -> None:
        self.loop.call_soon_threadsafe(self.motion.stop)
        self.thread.join(timeout=20)
        assert not self.thread.is_alive(), "the driver did not stop"


def events(db: Path, after: int = 0) -> list[tuple[int, str, str | None]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT e.seq, e.type, e.desk FROM events e JOIN centers c ON c.id = e.center_id "
            "WHERE c.slug = 'lippe' AND e.seq > ? ORDER BY e.seq",
            (after,),
        ).fetchall()


def wait_for(check: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s")


def take_desk(base: str, code: str) -> None:
    """A person signs in as the agency's user and works the desk: they start or finish the
    visitor the simulation called there, then pause it."""
    with httpx.Client(base_url=base, timeout=10) as client:
        r = client.post("/api/v1/auth/login", json={"username": "abh1", "password": "demo-abh"})
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            current = client.get(f"/api/v1/desks/{code}", headers=headers).json()["current"]
            if current is None:
                action = "pause"
            elif current["status"] == "called":
                action = "start"
            else:
                action = "finish"
            r = client.post(f"/api/v1/desks/{code}/{action}", headers=headers)
            if r.status_code == 200 and action == "pause":
                return
            time.sleep(0.05)
        raise AssertionError(f"could not take desk {code}")


def test_the_simulated_day_moves_the_center_and_leaves_a_persons_desk_alone(
    live: tuple[LiveServer, Path],
) -> None:
    server, db = live
    with Running(Motion(server.http, pace=PACE, seed=5)) as motion:
        # Within seconds: check-ins, calls, starts and finishes, from the real API.
        def moving() -> bool:
            kinds = Counter(kind for _, kind, _ in events(db))
            return all(
                kinds[k] >= 3
                for k in ("visit.checked_in", "visit.called", "visit.started", "visit.step_done")
            )

        wait_for(moving, 30)
        wait_for(lambda: any(d == "r113" and k == "visit.called" for _, k, d in events(db)), 30)

        take_desk(server.http, "r113")
        paused_at = max(seq for seq, kind, desk in events(db) if desk == "r113")
        before = len(events(db))
        time.sleep(4)  # ~120 simulated minutes
        later = events(db, after=paused_at)
        assert len(events(db)) > before + 5, "the rest of the center keeps moving"
        assert [e for e in later if e[2] == "r113"] == [], "the simulation acted at r113"
        assert motion.stats.get("handed_over", 0) >= 1
    assert motion.stats["checked_in"] >= 3 and motion.stats["finished"] >= 3

"""Statements and in-process timings per check-in, call-next and finish at a room size.

Quick and in-process (httpx over ASGI, no sockets): what a write costs in SQL statements
(counted with a `before_cursor_execute` listener) and in milliseconds, with 0, 300 and
1,000 visitors waiting. `make bench-http` measures the real server; this one says where
the statements go. Run: `.venv/bin/python -m bench.room [--sizes 0,300,1000]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import event, select

from app.centers.context import load_context
from app.centers.loader import ensure_day, load_config_file
from app.centers.models import Center
from app.cli import DEMO_FILE
from app.config import Settings
from app.db import Database
from app.main import create_app
from app.migrate import upgrade
from app.visits import service
from app.visits.schemas import CheckIn

BERLIN = ZoneInfo("Europe/Berlin")
KIOSK = "demo-kiosk-token-foyer"
DISPLAY = "demo-display-token-wartebereich"
CENTER = "/api/v1/centers/lippe"
DESKS = "/api/v1/desks"
NEEDS = [["residence"], ["work"], ["counselling"], ["residence", "work"], ["language_course"]]


class Statements:
    def __init__(self) -> None:
        self.count = 0
        self.kinds: Counter[str] = Counter()

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.count += 1
        self.kinds[" ".join(statement.split()[:4])[:60]] += 1


async def prepare(url: str, day: Any) -> None:
    db = Database(url)
    try:
        await load_config_file(db, DEMO_FILE)
        async with db.write() as session:
            center = await session.scalar(select(Center).where(Center.slug == "lippe"))
            assert center is not None
            await ensure_day(session, center_id=center.id, day=day)
    finally:
        await db.dispose()


async def fill(db: Database, now: datetime, size: int) -> None:
    """The room's visitors, checked in through the service layer in one write."""
    async with db.read() as session:
        center = await session.scalar(select(Center).where(Center.slug == "lippe"))
    assert center is not None
    async with db.write(center.id) as session:
        ctx = await load_context(session, center, now=now)
        for i in range(size):
            body = CheckIn.model_validate({"language": "de", "needs": NEEDS[i % len(NEEDS)]})
            await service.check_in(session, ctx, body, now=now, idempotency_key=None)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def run(size: int, rounds: int, verbose: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await asyncio.to_thread(upgrade, url)
        now = datetime.now(BERLIN).replace(hour=10, minute=0, second=0, microsecond=0)
        await prepare(url, now.date())
        db = Database(url)
        stmts = Statements()
        event.listen(db.engine.sync_engine, "before_cursor_execute", stmts)
        app = create_app(Settings(demo=True, database_url=url), database=db)
        clock = Clock(now)
        app.state.clock = clock
        kiosk = {"Authorization": f"Bearer {KIOSK}"}
        out: dict[str, Any] = {"waiting": size}
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                r = await c.post(
                    "/api/v1/auth/login", json={"username": "admin", "password": "demo-admin"}
                )
                admin = {"Authorization": f"Bearer {r.json()['access_token']}"}
                c.cookies.clear()
                await fill(db, clock(), size)
                display = (
                    await c.get(
                        "/api/v1/centers/lippe/display",
                        headers={"Authorization": f"Bearer {DISPLAY}"},
                    )
                ).json()
                desks = [d["code"] for d in display["desks"] if d["agency"] in ("abh", "aa")]
                timings: dict[str, list[float]] = {}
                counts: dict[str, list[int]] = {}
                kinds: dict[str, Counter[str]] = {}

                async def measure(name: str, method: str, path: str, **kw: Any) -> httpx.Response:
                    before = stmts.count
                    stmts.kinds.clear()
                    t0 = time.perf_counter()
                    r = await c.request(method, path, **kw)
                    timings.setdefault(name, []).append((time.perf_counter() - t0) * 1000)
                    counts.setdefault(name, []).append(stmts.count - before)
                    kinds[name] = Counter(stmts.kinds)
                    return r

                for i in range(rounds):
                    body = {"language": "de", "needs": NEEDS[i % len(NEEDS)]}
                    r = await measure(
                        "check-in", "POST", "/api/v1/centers/lippe/visits", json=body, headers=kiosk
                    )
                    token = r.json()["token"]
                    await measure("status", "GET", f"/api/v1/visits/{token}")
                    desk = desks[i % len(desks)]
                    clock.now = clock.now.replace(second=(clock.now.second + 1) % 60)
                    r = await measure(
                        "call-next", "POST", f"/api/v1/desks/{desk}/call-next", headers=admin
                    )
                    if r.status_code != 200:
                        continue
                    await measure("start", "POST", f"/api/v1/desks/{desk}/start", headers=admin)
                    here = [s["need"] for s in r.json()["steps"] if s["status"] == "called"]
                    await measure(
                        "finish",
                        "POST",
                        f"/api/v1/desks/{desk}/finish",
                        json={"resolved": here},
                        headers=admin,
                    )
                    await measure(
                        "display",
                        "GET",
                        "/api/v1/centers/lippe/display",
                        headers={"Authorization": f"Bearer {DISPLAY}"},
                    )
                    await measure("queue", "GET", f"/api/v1/desks/{desk}/queue", headers=admin)
                for name in timings:
                    out[name] = (
                        statistics.median(counts[name]),
                        max(counts[name]),
                        statistics.median(timings[name]),
                        max(timings[name]),
                    )
                    if verbose:
                        print(name, dict(kinds[name]))
        await db.dispose()
        return out


async def main() -> None:
    # One kiosk checks in far more than a real one may (read when the app starts).
    os.environ.setdefault("WELCOME_KIOSK_CHECKINS", "100000/minute")
    os.environ.setdefault("WELCOME_TIMER_SECONDS", "0")
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="0,300,1000")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("-v", action="store_true")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        res = await run(size, args.rounds, args.v)
        print(f"waiting={size}")
        for name, value in res.items():
            if name == "waiting":
                continue
            med, mx, ms, msmax = value
            counted = f"statements median {med:5.1f} max {mx:3d}"
            print(f"  {name:10s} {counted}   ms median {ms:7.1f} max {msmax:7.1f}")


if __name__ == "__main__":
    asyncio.run(main())

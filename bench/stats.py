"""Statistics benchmark: a year of consultation days, then the statistics API timed.

Run with `make bench-stats` (or `python -m bench.stats [--days N] [--runs N]`).

Builds, in a fresh SQLite file with the demo center, `--days` closed days of 40
visitors each through the services the HTTP routes call (check-in, call, start,
finish with referrals, no-show, cancel) on a fake clock, one transaction per day: the
event log is exactly what the server writes. Then, through the API (httpx over ASGI,
the real app), as the server runs: the rollups are built ahead of time by the backfill
(app/stats/rollup.py) in the app's event loop while `/today` is asked every 50 ms
(printed: the backfill's time and `/today`'s latency during it beside idle); then the full
statistics of the whole range and of one day: the first query after the backfill
(`first`) and the median of the following `--runs`. `--db FILE` keeps the built database
for another run (built only when missing). The last line is the issue's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import delete, func, select

from app.centers.context import load_context
from app.centers.loader import ensure_day, load_config_file
from app.centers.models import Center
from app.cli import DEMO_FILE
from app.config import Settings
from app.db import Database
from app.desks import service as desks
from app.desks.schemas import FinishBody
from app.journal.log import append
from app.journal.models import Event
from app.kinds import BUSY_STEP, EventType, VisitStatus
from app.main import create_app
from app.migrate import upgrade
from app.stats.models import StatsDay
from app.stats.rollup import backfill
from app.visits import service as visits
from app.visits.models import Visit
from app.visits.schemas import CheckIn

VISITORS = 40
# One desk per agency the needs below go to: a day with queues in the morning.
DESKS = ("r112", "r114", "r116", "r201", "r204", "r205", "r206")
NEEDS = (
    (["residence"], 6),
    (["residence", "work"], 4),
    (["work"], 4),
    (["income"], 4),
    (["career"], 2),
    (["case_management"], 2),
    (["counselling"], 3),
    (["recognition"], 2),
    (["language_course"], 3),
)
LANGUAGES = (("de", 8), ("ar", 5), ("uk", 4), ("en", 3), ("ru", 2), ("tr", 2), ("fa", 2))


@dataclass
class DeskRun:
    code: str
    visit: Visit | None = None
    until: int = 0  # minute of the day the current step ends
    phase: str = "free"  # free, called, serving
    absent: bool = False  # the called visitor does not come (no-show)
    agency: str = ""
    idle: bool = False  # nobody to call until its agency's queue changes


@dataclass
class Day:
    arrivals: dict[int, list[CheckIn]] = field(default_factory=dict)
    cancels: dict[int, list[int]] = field(default_factory=dict)  # minute → arrival index


def plan(rng: random.Random) -> Day:
    day = Day()
    needs, weights = zip(*NEEDS, strict=True)
    langs, lang_weights = zip(*LANGUAGES, strict=True)
    for i in range(VISITORS):
        minute = 8 * 60 + int(rng.triangular(0, 6 * 60, 20))  # most come in the morning
        body = CheckIn(
            language=rng.choices(langs, lang_weights)[0],
            needs=list(rng.choices(needs, weights)[0]),
            leave_by=f"{rng.randrange(12, 16):02d}:00" if rng.random() < 0.15 else None,
            invitation_code=f"INV-{rng.randrange(10**6):06d}" if rng.random() < 0.2 else None,
        )
        day.arrivals.setdefault(minute, []).append(body)
        if rng.random() < 0.03:
            day.cancels.setdefault(minute + 30, []).append(i)
    return day


async def build_day(db: Database, center: Center, day: date, rng: random.Random) -> int:
    """One consultation day through the services, in one transaction."""
    tz = ZoneInfo(center.timezone)
    start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    planned = plan(rng)
    checked: list[Visit] = []
    async with db.write(center.id) as session:
        ctx = await load_context(session, center, now=start + timedelta(hours=8))
        runs = [DeskRun(code, agency=ctx.desks[code].agency_code) for code in DESKS]
        gone: set[str] = set()
        for minute in range(8 * 60, 17 * 60):
            now = (start + timedelta(minutes=minute)).astimezone(UTC)
            changed: set[str] = set()  # agencies with new steps in their queue
            for body in planned.arrivals.get(minute, []):
                visit, _ = await visits.check_in(session, ctx, body, now=now, idempotency_key=None)
                checked.append(visit)
                changed.update(s.agency for s in visit.steps)
            for index in planned.cancels.get(minute, []):
                if index < len(checked) and checked[index].status == VisitStatus.WAITING:
                    await visits.cancel(session, ctx, checked[index], now=now, by="visitor")
            for run in runs:
                desk = ctx.desks[run.code]
                if run.phase == "called" and minute >= run.until:
                    if run.absent:
                        await desks.no_show(session, ctx, desk, now=now)
                        run.phase, run.visit = "free", None
                        changed.add(run.agency)
                    else:
                        await desks.start(session, ctx, desk, now=now)
                        run.phase, run.until = "serving", minute + rng.randrange(8, 36)
                elif run.phase == "serving" and minute >= run.until:
                    assert run.visit is not None
                    mine = [
                        s.need
                        for s in run.visit.steps
                        if s.desk == desk.code and s.status in BUSY_STEP
                    ]
                    refer = ["counselling"] if rng.random() < 0.1 else []
                    done = FinishBody(resolved=mine, add_needs=refer)
                    await desks.finish(session, ctx, desk, done, now=now)
                    changed.update(s.agency for s in run.visit.steps)
                    run.phase, run.visit = "free", None
            for run in runs:
                run.idle = run.idle and run.agency not in changed
                if run.phase != "free" or run.idle or minute >= 16 * 60 + 30:
                    continue
                called = await desks.call_next(session, ctx, ctx.desks[run.code], now=now)
                if called is None:
                    run.idle = True
                    continue
                run.visit, run.phase, run.until = called, "called", minute + 1
                # Some have left: called once in vain, most of them are gone for good.
                run.absent = called.id in gone or rng.random() < 0.04
                if run.absent and rng.random() < 0.7:
                    gone.add(called.id)
    return len(checked)


async def template_events(db: Database, center: Center, day: date) -> list[Event]:
    async with db.read() as session:
        rows = await session.scalars(
            select(Event).where(Event.center_id == center.id, Event.date == day).order_by(Event.seq)
        )
        return list(rows.all())


async def copy_day(db: Database, center: Center, events: list[Event], day: date) -> None:
    """A served day's log again on another date: the same events through the journal's
    append (same types and payloads, new visit ids, the same local clock times)."""
    tz = ZoneInfo(center.timezone)
    ids: dict[str, str] = {}
    async with db.write(center.id) as session:
        for event in events:
            text = json.dumps(event.data)
            if event.visit_id is not None:
                ids.setdefault(event.visit_id, str(uuid.uuid4()))
            for old, new in ids.items():
                text = text.replace(old, new)
            local = event.at.astimezone(tz)
            at = datetime.combine(day, local.time(), tzinfo=tz).astimezone(UTC)
            await append(
                session,
                center_id=center.id,
                day=day,
                type=event.type,
                at=at,
                data=json.loads(text.replace(event.date.isoformat(), day.isoformat())),
                visit_id=ids.get(event.visit_id or ""),
                desk=event.desk,
            )


async def build(url: str, days: int, today: date, served: int) -> tuple[int, list[date]]:
    """`served` days through the services, the others copies of their logs."""
    db = Database(url)
    try:
        await load_config_file(db, DEMO_FILE)
        async with db.write() as session:
            center = await session.scalar(select(Center).where(Center.slug == "lippe"))
            assert center is not None
            dates = [today - timedelta(days=days - i) for i in range(days)]
            for day in dates:
                await ensure_day(session, center_id=center.id, day=day, opens="08:00")
        began = time.perf_counter()
        templates = []
        for day in dates[:served]:
            await build_day(db, center, day, random.Random(day.toordinal()))
            templates.append(await template_events(db, center, day))
        print(f"  served {served} days through the services in {time.perf_counter() - began:.0f} s")
        for n, day in enumerate(dates[served:], served):
            await copy_day(db, center, templates[n % served], day)
        print(f"  copied {days - served} days' logs in {time.perf_counter() - began:.0f} s")
        async with db.read() as session:
            checked_in = await session.scalar(
                select(func.count(Event.id)).where(Event.type == EventType.VISIT_CHECKED_IN)
            )
        return int(checked_in or 0), dates
    finally:
        await db.dispose()


def spread(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"median {statistics.median(ordered):.0f} ms, p95 {p95:.0f}, max {ordered[-1]:.0f}"


async def ask_today(client: httpx.AsyncClient, until: asyncio.Event) -> list[float]:
    times = []
    while not until.is_set():
        began = time.perf_counter()
        r = await client.get("/api/v1/centers/lippe/today")
        times.append((time.perf_counter() - began) * 1000)
        assert r.status_code == 200, r.text
        await asyncio.sleep(0.05)
    return times


async def backfill_beside_today(
    db: Database, client: httpx.AsyncClient, now: datetime
) -> tuple[int, float]:
    """The backfill in the app's loop, as the server runs it, while a screen asks /today."""
    async with db.write() as session:  # today open, so /today has a day to show
        center = await session.scalar(select(Center).where(Center.slug == "lippe"))
        assert center is not None
        local = now.astimezone(ZoneInfo(center.timezone)).date()
        await ensure_day(session, center_id=center.id, day=local, opens="08:00")
    idle_done = asyncio.Event()
    idle_task = asyncio.create_task(ask_today(client, idle_done))
    await asyncio.sleep(2)
    idle_done.set()
    idle = await idle_task
    done = asyncio.Event()
    asker = asyncio.create_task(ask_today(client, done))
    began = time.perf_counter()
    written = await backfill(db, center, now=now)
    took = (time.perf_counter() - began) * 1000
    done.set()
    during = await asker
    print(f"backfill: {written} days in {took:.0f} ms")
    print(f"/today idle: {spread(idle)} ({len(idle)} requests)")
    print(f"/today during the backfill: {spread(during)} ({len(during)} requests)")
    return written, took


async def measure(url: str, dates: list[date], today: date, runs: int) -> dict[str, float]:
    settings = Settings(demo=True, database_url=url, stats_rollup_after=0)
    db = Database(url)
    app = create_app(settings, database=db)
    noon = datetime.combine(today, datetime.min.time(), tzinfo=ZoneInfo("Europe/Berlin"))
    app.state.clock = lambda: noon + timedelta(hours=12)
    out: dict[str, float] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            r = await client.post(
                "/api/v1/auth/login", json={"username": "admin", "password": "demo-admin"}
            )
            headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
            client.cookies.clear()
            await backfill_beside_today(db, client, app.state.clock())
            middle = dates[len(dates) // 2]
            queries = {
                "year": {"from": dates[0].isoformat(), "to": dates[-1].isoformat()},
                "day": {"from": middle.isoformat(), "to": middle.isoformat()},
            }
            for name, params in queries.items():
                times = []
                cpu = []
                for i in range(runs + 1):
                    began, used = time.perf_counter(), time.process_time()
                    r = await client.get(
                        "/api/v1/centers/lippe/stats", params=params, headers=headers
                    )
                    times.append((time.perf_counter() - began) * 1000)
                    cpu.append((time.process_time() - used) * 1000)
                    assert r.status_code == 200, r.text
                    if i == 0:
                        visitors = r.json()["totals"]["visitors"]
                        pending = r.json()["pending_days"]
                        print(
                            f"{name}: first after the backfill {times[0]:.0f} ms, "
                            f"{visitors} visits, {pending} days pending"
                        )
                warm = times[1:]
                out[name] = statistics.median(warm)
                # CPU time of this process (app and client): the wall time less the
                # waiting for a core on a busy machine.
                spread = f"min {min(warm):.0f}, max {max(warm):.0f}, "
                load = os.getloadavg()[0]
                spread += f"CPU median {statistics.median(cpu[1:]):.0f} ms, load {load:.1f}"
                print(f"{name}: warm median {out[name]:.0f} ms ({spread})")
    await db.dispose()
    return out


async def reuse(url: str) -> int:
    """A kept database as if just built: its visits counted, its rollups gone."""
    db = Database(url)
    try:
        async with db.write() as session:
            await session.execute(delete(StatsDay))
            checked_in = await session.scalar(
                select(func.count(Event.id)).where(Event.type == EventType.VISIT_CHECKED_IN)
            )
        return int(checked_in or 0)
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--served", type=int, default=7, help="days served through the services")
    parser.add_argument("--db", type=Path, help="keep the built database here (reused if there)")
    args = parser.parse_args()
    today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as tmp:
        path = args.db or Path(tmp) / "stats.db"
        url = f"sqlite+aiosqlite:///{path}"
        dates = [today - timedelta(days=args.days - i) for i in range(args.days)]
        if path.exists():
            visits_total = asyncio.run(reuse(url))
            print(f"reusing {path}: {visits_total} visits, rollups cleared")
        else:
            upgrade(url)
            began = time.perf_counter()
            visits_total, dates = asyncio.run(
                build(url, args.days, today, min(args.served, args.days))
            )
            elapsed = time.perf_counter() - began
            print(f"built {len(dates)} days, {visits_total} visits in {elapsed:.0f} s")
        ms = asyncio.run(measure(url, dates, today, args.runs))
    print(
        f"stats: days={len(dates)} visits={visits_total} "
        f"year_query_ms={ms['year']:.0f} day_query_ms={ms['day']:.0f}"
    )


if __name__ == "__main__":
    main()

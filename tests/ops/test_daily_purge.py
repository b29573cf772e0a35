"""The daily retention purge runs by itself at WELCOME_PURGE_AT (the center's local
time), once however many workers check, and leaves newer days alone. A fake clock."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta

import httpx
import pytest
from sqlalchemy import select

from app.config import Settings
from app.db import Database
from app.journal.models import Event
from app.main import create_app
from app.ops.purge import DailyPurge, parse_at
from app.visits.models import Visit
from tests.conftest import BERLIN, KIOSK, TEST_DAY, Clock, Harness

pytestmark = pytest.mark.anyio


def at(days: int, hh: int, mm: int, ss: int = 0) -> datetime:
    """A moment `days` after the test day, in the center's time zone (Europe/Berlin)."""
    return datetime.combine(TEST_DAY + timedelta(days=days), time(hh, mm, ss), tzinfo=BERLIN)


async def municipalities(db: Database) -> list[str | None]:
    async with db.read() as session:
        return list((await session.scalars(select(Visit.municipality).order_by(Visit.id))).all())


async def purged_events(db: Database) -> list[Event]:
    async with db.read() as session:
        found = await session.scalars(select(Event).where(Event.type == "visits.purged"))
        return list(found.all())


def test_parse_at() -> None:
    assert parse_at("03:00") == time(3, 0) and parse_at("23:59") == time(23, 59)
    assert parse_at("off") is None
    assert Settings(demo=True).purge_at == "03:00" and Settings(demo=True).retention_days == 30
    for bad in ("3:00", "24:00", "03:60", "never"):
        with pytest.raises(ValueError):
            Settings(demo=True, purge_at=bad)


@pytest.mark.parametrize(
    "db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_due_at_its_time_once_for_two_workers(harness: Harness) -> None:
    h = harness
    await h.check_in(needs=["residence"], municipality="Lügde")
    clock = Clock(at(2, 2, 59, 59))  # retention 1 day: the test day goes on day 2
    workers = [
        DailyPurge(h.db, clock, at=time(3, 0), retention_days=1, audit_days=730) for _ in range(2)
    ]
    assert [await w.tick() for w in workers] == [0, 0]  # not yet 03:00
    assert await municipalities(h.db) == ["Lügde"]

    clock.now = at(2, 3, 0)
    counts = await asyncio.gather(*(w.tick() for w in workers))
    assert sorted(counts) == [0, 1]  # both checked, one did it
    assert await municipalities(h.db) == [None]
    events = await purged_events(h.db)
    assert len(events) == 1 and events[0].date == TEST_DAY + timedelta(days=2)

    # Later the same day, and a restarted worker (which forgot): nothing more happens.
    clock.now = at(2, 14, 0)
    restarted = DailyPurge(h.db, clock, at=time(3, 0), retention_days=1, audit_days=730)
    assert [await w.tick() for w in (*workers, restarted)] == [0, 0, 0]
    assert len(await purged_events(h.db)) == 1


async def test_newer_days_stay(harness: Harness) -> None:
    await harness.check_in(needs=["residence"], municipality="Lügde")
    clock = Clock(at(30, 3, 0))  # 30 days later: the test day is still kept
    purge = DailyPurge(harness.db, clock, at=time(3, 0), retention_days=30, audit_days=730)
    assert await purge.tick() == 0
    clock.now = at(31, 3, 0)
    assert await purge.tick() == 1
    assert await municipalities(harness.db) == [None]


async def test_the_server_purges_by_itself(sqlite_url: str) -> None:
    """The app's own loop, nobody calling it: at 03:00 on the fake clock the data goes."""
    settings = Settings(
        demo=True, database_url=sqlite_url, retention_days=1, purge_check_seconds=0.05
    )
    db = Database(sqlite_url)
    app = create_app(settings, database=db)
    clock = Clock(datetime.combine(TEST_DAY, time(10, 0), tzinfo=BERLIN))
    app.state.clock = clock
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            r = await client.post(
                "/api/v1/centers/lippe/visits",
                json={"language": "de", "needs": ["residence"], "municipality": "Lügde"},
                headers={"Authorization": f"Bearer {KIOSK}"},
            )
            assert r.status_code == 201, r.text
            token = r.json()["token"]
            clock.now = at(2, 2, 59)
            await asyncio.sleep(0.3)  # several checks: not due yet
            assert await municipalities(db) == ["Lügde"]
            clock.now = at(2, 3, 0)
            for _ in range(100):
                if await municipalities(db) == [None]:
                    break
                await asyncio.sleep(0.05)
            assert await municipalities(db) == [None]
            assert (await client.get(f"/api/v1/visits/{token}")).status_code == 404
    await db.dispose()

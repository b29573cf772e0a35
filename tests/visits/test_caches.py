"""The app's caches: owned by the app, keyed by (database, center, day), cleared through it."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date, datetime, timedelta

import pytest

from app.caches import Caches, DayCache
from app.centers.context import center_by_slug, load_context
from app.db import Database, database_of
from app.journal.log import append
from app.visits import learned
from tests.conftest import Harness, desks_by_agency

pytestmark = pytest.mark.anyio


async def _serve(h: Harness, code: str, staff: dict[str, str], minutes: float) -> None:
    await h.check_in(needs=["residence"])
    await h.desk(code, "call-next", staff)
    await h.desk(code, "start", staff)
    h.clock.advance(minutes)
    assert (await h.desk(code, "finish", staff, resolved=["residence"])).status_code == 200


async def _refresh(db: Database, now: datetime) -> float:
    async with db.read() as session:
        ctx = await load_context(session, await center_by_slug(session, "lippe"), now=now)
        found = await learned.refresh(session, ctx)
        assert ctx.learned is found  # the request's context carries them for sync callers
        return found.minutes("residence")


async def test_the_app_owns_the_caches_and_clears_them(harness: Harness) -> None:
    h = harness
    caches = h.app.state.caches
    assert isinstance(caches, Caches) and h.db.caches is caches
    async with h.db.read() as session:
        assert database_of(session) is h.db
    code = (await desks_by_agency(h))["abh"][0]
    staff = await h.login("abh1")
    await _serve(h, code, staff, 45)
    waiting = await h.check_in(needs=["residence"])
    first = (await h.client.get(f"/api/v1/visits/{waiting['token']}")).json()
    keys = list(caches.learned._items)
    assert len(keys) == 1 and keys[0][0] == h.db.url and keys[0][2] == h.clock.now.date()
    assert len(caches.estimates) == 1
    minutes = await _refresh(h.db, h.clock())

    h.clear_caches()
    assert len(caches.learned) == 0 and len(caches.estimates) == 0
    # Read again from the log: the same answers.
    assert (await h.client.get(f"/api/v1/visits/{waiting['token']}")).json() == first
    assert await _refresh(h.db, h.clock()) == minutes == pytest.approx((3 * 15 + 45) / 4)


async def _logged_service(h: Harness, desk: str, *, minutes: float) -> None:
    """A service as the log tells it, written straight to the log (no request refreshes)."""
    async with h.db.write() as session:
        center = await center_by_slug(session, "lippe")
        start = h.clock()
        for type, at, data in (
            ("visit.called", start, {}),
            ("visit.started", start, {}),
            ("visit.step_done", start + timedelta(minutes=minutes), {"needs": ["residence"]}),
        ):
            await append(
                session,
                center_id=center.id,
                day=start.date(),
                type=type,
                at=at,
                data=data,
                visit_id="v-logged",
                desk=desk,
            )


async def test_concurrent_refreshes_learn_each_service_once(harness: Harness) -> None:
    h = harness
    code = (await desks_by_agency(h))["abh"][0]
    staff = await h.login("abh1")
    await _serve(h, code, staff, 45)
    await _refresh(h.db, h.clock())  # the cache holds the log up to here
    await _logged_service(h, code, minutes=15)
    # Five requests read the same new events at once: each service counts once.
    async with contextlib.AsyncExitStack() as stack:
        sessions = [await stack.enter_async_context(h.db.read()) for _ in range(5)]
        center = await center_by_slug(sessions[0], "lippe")
        contexts = [await load_context(s, center, now=h.clock()) for s in sessions]
        found = await asyncio.gather(
            *(learned.refresh(s, ctx) for s, ctx in zip(sessions, contexts, strict=True))
        )
    results = [f.minutes("residence") for f in found]
    assert results == [pytest.approx((3 * 15 + 45 + 15) / 5)] * 5
    assert await _refresh(h.db, h.clock()) == results[0]


async def test_a_bare_database_keeps_its_own_caches(harness: Harness) -> None:
    h = harness
    other = Database(h.db.url)
    try:
        assert other.caches is not h.db.caches
        await _refresh(other, h.clock())
        assert len(other.caches.learned) == 1
    finally:
        await other.dispose()


def test_a_day_cache_drops_a_centers_older_days_and_stays_bounded() -> None:
    cache: DayCache[int] = DayCache(limit=3)
    today = date(2026, 11, 24)
    yesterday = today - timedelta(days=1)
    cache.put(("db-a", 1, yesterday), 1)
    cache.put(("db-b", 1, yesterday), 2)  # another database: not mixed up
    cache.put(("db-a", 1, today), 3)
    assert cache.get(("db-a", 1, yesterday)) is None
    assert cache.get(("db-b", 1, yesterday)) == 2 and cache.get(("db-a", 1, today)) == 3
    for center in (2, 3, 4):
        cache.put(("db-a", center, today), center)
    assert len(cache) == 3 and cache.get(("db-a", 4, today)) == 4

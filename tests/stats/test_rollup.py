"""Rollups built ahead of time: the backfill (closed days only, once across workers), the
API's pending days while a long range is not rolled up yet, `welcome-center stats-rollup`."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from app.centers.models import Center, DayCounter
from app.db import Database
from app.stats import rollup
from app.stats.compute import day_facts as real
from app.stats.models import StatsDay
from app.stats.routes import INLINE_DAYS
from tests.conftest import Harness
from tests.stats.test_stats_clock import open_days, stats, utc

pytestmark = pytest.mark.anyio

FIRST = date(2026, 9, 1)


async def served_days(h: Harness, count: int) -> list[date]:
    """`count` days from FIRST with one visitor each (two on the first)."""
    days = [FIRST + timedelta(days=i) for i in range(count)]
    await open_days(h, *days)
    for day in days:
        h.clock.now = utc(day, 10, 0)
        await h.check_in(needs=["residence"])
    h.clock.now = utc(FIRST, 11, 0)
    await h.check_in(needs=["work"], language="uk")
    return days


async def center(db: Database) -> Center:
    async with db.read() as session:
        found = await session.scalar(select(Center).where(Center.slug == "lippe"))
    assert found is not None
    return found


async def stored(db: Database) -> dict[date, StatsDay]:
    async with db.read() as session:
        return {row.date: row for row in (await session.scalars(select(StatsDay))).all()}


async def test_the_backfill_stores_closed_days_and_leaves_yesterday_and_today_live(
    harness: Harness,
) -> None:
    h = harness
    days = await served_days(h, 4)
    lippe = await center(h.db)
    # The fourth day is today, the third yesterday (today's log may still finish its
    # visits): only the first two are closed.
    h.clock.now = utc(days[3], 12, 0)
    assert await rollup.backfill(h.db, lippe, now=h.clock.now) == 2
    built = await stored(h.db)
    assert set(built) == {days[0], days[1]}
    assert await rollup.backfill(h.db, lippe, now=h.clock.now) == 0  # nothing stale
    # The same facts as the query reads from the log and stores itself.
    async with h.db.write() as session:
        await session.execute(delete(StatsDay))
    answer = await stats(h, days[0], days[3])
    assert answer["pending_days"] == 0 and answer["totals"]["visitors"] == 5
    assert {d: r.facts for d, r in (await stored(h.db)).items()} == {
        d: r.facts for d, r in built.items()
    }
    # A new event on the second day makes it stale, and the first day too (its
    # consultations may have finished in the second day's log).
    async with h.db.write() as session:
        await session.execute(
            update(DayCounter)
            .where(DayCounter.date == days[1])
            .values(last_seq=DayCounter.last_seq + 1)
        )
    assert await rollup.backfill(h.db, lippe, now=h.clock.now) == 2
    # Two days on, the other two are closed.
    h.clock.now = utc(days[3] + timedelta(days=2), 0, 30)
    assert await rollup.backfill(h.db, lippe, now=h.clock.now) == 2
    assert set(await stored(h.db)) == set(days)


async def test_two_workers_backfilling_at_once_write_each_day_once(harness: Harness) -> None:
    h = harness
    days = await served_days(h, rollup.BATCH + 5)  # two batches
    lippe = await center(h.db)
    now = utc(days[-1] + timedelta(days=3), 9, 0)
    first, second = Database(h.db.url), Database(h.db.url)  # one engine per worker
    try:
        written = await asyncio.gather(
            rollup.backfill(first, lippe, now=now), rollup.backfill(second, lippe, now=now)
        )
    finally:
        await first.dispose()
        await second.dispose()
    assert sum(written) == len(days), written
    assert set(await stored(h.db)) == set(days)


@pytest.mark.parametrize(
    "during", [0, 1], ids=["after-it-was-read-as-the-next-day", "while-its-facts-are-computed"]
)
async def test_a_day_whose_log_moved_while_it_was_read_is_not_stored(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, during: int
) -> None:
    h = harness
    days = await served_days(h, 3)
    lippe = await center(h.db)
    h.clock.now = utc(days[-1] + timedelta(days=3), 9, 0)

    def meanwhile(day: date, events: Any, tz: Any) -> Any:
        if day == days[during]:  # an event lands on days[1] meanwhile
            asyncio.get_running_loop().create_task(bump(days[1]))
        return real(day, events, tz)

    async def bump(day: date) -> None:
        async with h.db.write(lippe.id) as session:
            await session.execute(
                update(DayCounter)
                .where(DayCounter.date == day)
                .values(last_seq=DayCounter.last_seq + 1)
            )

    monkeypatch.setattr(rollup, "day_facts", meanwhile)
    # days[0]'s next day and days[1] itself moved: only days[2] is stored now.
    assert await rollup.backfill(h.db, lippe, now=h.clock.now) == 1
    monkeypatch.setattr(rollup, "day_facts", real)
    assert await rollup.backfill(h.db, lippe, now=h.clock.now) == 2  # the next round


async def test_a_long_range_not_rolled_up_answers_at_once_with_pending_days(
    harness: Harness,
) -> None:
    h = harness
    days = await served_days(h, INLINE_DAYS + 4)
    today = days[-1] + timedelta(days=3)
    await open_days(h, today)
    h.clock.now = utc(today, 9, 0)
    await h.check_in(needs=["residence"])
    first = await stats(h, days[0], today)
    # Today is read live; the closed days are left out and counted, not read inline.
    assert first["pending_days"] == len(days)
    assert first["totals"]["visitors"] == 1
    # The query woke the background rollup; the range is complete when it is done.
    for _ in range(100):
        again = await stats(h, days[0], today)
        if again["pending_days"] == 0:
            break
        await asyncio.sleep(0.1)
    assert again["pending_days"] == 0, again["pending_days"]
    assert again["totals"]["visitors"] == len(days) + 2
    # A download never leaves days out: it reads what is missing, however long.
    async with h.db.write() as session:
        await session.execute(delete(StatsDay))
    admin = await h.login("admin")
    r = await h.client.get(
        "/api/v1/centers/lippe/stats.csv",
        params={"table": "summary", "from": days[0].isoformat(), "to": today.isoformat()},
        headers=admin,
    )
    assert r.status_code == 200 and f"visitors,{len(days) + 2}" in r.text, r.text


async def test_a_query_of_few_missing_days_reads_them_inline(harness: Harness) -> None:
    h = harness
    days = await served_days(h, 5)
    h.clock.now = utc(days[-1] + timedelta(days=10), 9, 0)
    got = await stats(h, days[0], days[-1])
    assert got["pending_days"] == 0 and got["totals"]["visitors"] == 6
    assert set(await stored(h.db)) == set(days)


async def test_the_stats_rollup_command(harness: Harness, db_url: str) -> None:
    h = harness
    if not db_url.startswith("sqlite"):
        pytest.skip("the command's database is the same on PostgreSQL; once is enough")
    days = await served_days(h, 3)  # long closed by the real clock the command reads
    env = {"WELCOME_DATABASE_URL": db_url, "PATH": "/usr/bin:/bin"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", "stats-rollup", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    done = run("--center", "lippe")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "lippe: 3 days rolled up"
    assert set(await stored(h.db)) == set(days)
    again = run()
    assert again.returncode == 0, again.stderr
    assert "lippe: 0 days rolled up" in again.stdout and "herford: 0" in again.stdout
    missing = run("--center", "nowhere")
    assert missing.returncode == 1 and "nowhere" in missing.stderr
    async with h.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(StatsDay)) == 3

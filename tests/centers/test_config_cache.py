"""A center's configuration is read once per config version, and every change is seen.

The app (conftest `harness`) keeps agencies, needs and days between requests
(app/centers/config_cache.py). Changes made through this app's Database are forgotten
on commit; changes made through another Database on the same file or cluster (another
worker, `welcome-center load-config`, the administration pages of another process) are
seen because they move the center's version, which every request reads with its center.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update

from app.centers import config_cache
from app.centers.loader import ensure_day
from app.centers.models import Center, Day, Need
from app.db import Database
from app.journal.log import append
from app.kinds import EventType
from tests.conftest import TEST_DAY, Harness
from tests.sqlcount import count_statements

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.parametrize(
        "db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
    ),
]
CONFIG_TABLES = ("agencies", "needs", "days")


async def today(h: Harness, expect: int = 200) -> dict[str, Any]:
    r = await h.client.get("/api/v1/centers/lippe/today")
    assert r.status_code == expect, r.text
    return dict(r.json())


def minutes(day: dict[str, Any], need: str) -> int:
    return int(next(n["minutes"] for n in day["needs"] if n["code"] == need))


@pytest.fixture
async def elsewhere(harness: Harness) -> AsyncIterator[Database]:
    """Another process's view of the same database: its own engine, its own cache."""
    other = Database(harness.db.url)
    try:
        yield other
    finally:
        await other.dispose()


async def lippe(session: Any) -> Center:
    center = await session.scalar(select(Center).where(Center.slug == "lippe"))
    assert center is not None
    return center  # type: ignore[no-any-return]


async def test_the_configuration_is_read_once_not_per_request(harness: Harness) -> None:
    h = harness
    config_cache.clear(h.db)
    with count_statements(h.db.engine) as first:
        await today(h)
    with count_statements(h.db.engine) as second:
        await today(h)
    for table in CONFIG_TABLES:
        assert first.touching(table), first.report()  # read once ...
        assert not second.touching(table), second.report()  # ... and then kept
    assert second.count < first.count


async def test_a_change_made_elsewhere_is_seen_by_the_next_request(
    harness: Harness, elsewhere: Database
) -> None:
    h = harness
    before = minutes(await today(h), "residence")
    async with elsewhere.write() as session:
        center = await lippe(session)
        need = await session.scalar(
            select(Need).where(Need.center_id == center.id, Need.code == "residence")
        )
        assert need is not None
        need.minutes = before + 7
    assert minutes(await today(h), "residence") == before + 7


async def test_a_day_removed_and_added_elsewhere_closes_and_opens_at_once(
    harness: Harness, elsewhere: Database
) -> None:
    h = harness
    await today(h)
    async with elsewhere.write() as session:
        center = await lippe(session)
        day = await session.scalar(
            select(Day).where(Day.center_id == center.id, Day.date == TEST_DAY)
        )
        await session.delete(day)
    closed = await today(h, expect=404)
    assert closed["code"] == "day_closed"
    async with elsewhere.write() as session:
        center = await lippe(session)
        assert await ensure_day(session, center_id=center.id, day=TEST_DAY)
    assert (await today(h))["date"] == TEST_DAY.isoformat()


async def test_center_configured_alone_moves_the_version(
    harness: Harness, elsewhere: Database
) -> None:
    """A writer this process cannot see through the ORM still appends center.configured."""
    h = harness
    before = minutes(await today(h), "residence")
    async with elsewhere.write() as session:
        center = await lippe(session)
        await session.execute(
            text("UPDATE needs SET minutes = :m WHERE center_id = :c AND code = 'residence'"),
            {"m": before + 3, "c": center.id},
        )
        await append(
            session,
            center_id=center.id,
            day=TEST_DAY,
            type=EventType.CENTER_CONFIGURED,
            at=h.clock(),
            data={"updated": {"need": 1}},
        )
    assert minutes(await today(h), "residence") == before + 3


async def test_a_statement_in_this_process_is_forgotten_on_commit(harness: Harness) -> None:
    h = harness
    assert "anerkennung" in (await today(h))["agencies"]
    async with h.db.write() as session:
        await session.execute(
            update(Day).where(Day.date == TEST_DAY).values(agencies=["abh", "jobcenter"])
        )
    assert (await today(h))["agencies"] == ["abh", "jobcenter"]


async def test_a_rolled_back_change_keeps_what_was_read(harness: Harness) -> None:
    h = harness
    await today(h)
    with pytest.raises(RuntimeError):
        async with h.db.write() as session:
            await session.execute(delete(Day).where(Day.date == TEST_DAY))
            raise RuntimeError("changed my mind")
    with count_statements(h.db.engine) as sql:
        assert (await today(h))["date"] == TEST_DAY.isoformat()
    assert not sql.touching("days"), sql.report()


async def test_a_new_local_day_reads_the_calendar_again(harness: Harness) -> None:
    h = harness
    await today(h)
    h.clock.now += timedelta(days=365)
    closed = await today(h, expect=404)  # no consultation day a year from now
    assert closed["code"] == "day_closed"

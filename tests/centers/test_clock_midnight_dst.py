"""The app's clock on a UTC machine, a Berlin center: local midnight and both
daylight-saving switches of 2026 (29 March, 25 October).

Every request reads the app's clock (`app.state.clock`, set by the harness as a UTC
instant): "today", tickets (one counter per local day), `leave_by` (local HH:MM on that
day, with that day's offset) and the learned minutes (per local day) must all follow the
center's zone, not the machine's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.centers.context import load_context
from app.centers.loader import ensure_day
from app.centers.models import Center
from app.visits import learned
from tests.conftest import BERLIN, Harness

pytestmark = pytest.mark.anyio

SPRING, AUTUMN = date(2026, 3, 29), date(2026, 10, 25)  # 02:00→03:00, 03:00→02:00


def utc(day: date, hh: int, mm: int) -> datetime:
    """Berlin local time as the UTC instant a UTC machine's clock reads."""
    return datetime.combine(day, time(hh, mm), tzinfo=BERLIN).astimezone(UTC)


async def open_days(h: Harness, *days: date) -> None:
    async with h.db.write() as session:
        center = await session.scalar(select(Center).where(Center.slug == "lippe"))
        assert center is not None
        for day in days:
            await ensure_day(session, center_id=center.id, day=day, opens="00:00", closes="23:59")


async def today(h: Harness) -> str:
    r = await h.client.get("/api/v1/centers/lippe/today")
    assert r.status_code == 200, r.text
    return str(r.json()["date"])


@pytest.mark.parametrize("day", [SPRING, AUTUMN, date(2026, 12, 1)], ids=str)
async def test_today_and_tickets_turn_over_at_local_midnight(harness: Harness, day: date) -> None:
    h = harness
    eve = day - timedelta(days=1)
    await open_days(h, eve, day)
    h.clock.now = utc(eve, 23, 50)
    assert h.clock.now.date() == eve  # still the same day in UTC too, but ...
    assert await today(h) == eve.isoformat()
    late = [await h.check_in(needs=["residence"]) for _ in range(2)]
    assert [v["ticket"] for v in late] == ["A001", "A002"]

    h.clock.now = utc(day, 0, 10)
    assert h.clock.now.date() == eve  # ... now UTC says yesterday, Berlin says today
    assert await today(h) == day.isoformat()
    first = await h.check_in(needs=["residence"])
    assert first["ticket"] == "A001"  # a new local day counts tickets from one
    assert first["checked_in_at"].startswith(f"{day.isoformat()}T00:10")


@pytest.mark.parametrize(
    ("day", "at", "offset"),
    [
        (SPRING, (1, 30), "+01:00"),  # before the switch: winter time
        (SPRING, (3, 30), "+02:00"),  # after: summer time
        (AUTUMN, (1, 30), "+02:00"),
        (AUTUMN, (4, 0), "+01:00"),
    ],
    ids=["spring-before", "spring-after", "autumn-before", "autumn-after"],
)
async def test_leave_by_on_a_switch_day_is_that_days_local_time(
    harness: Harness, day: date, at: tuple[int, int], offset: str
) -> None:
    h = harness
    await open_days(h, day)
    h.clock.now = utc(day, *at)
    visit = await h.check_in(needs=["residence"], leave_by="14:30")
    summer = "+02:00" if day == SPRING else "+01:00"  # 14:30 is after either switch
    assert visit["leave_by"] in (f"{day.isoformat()}T14:30:00{summer}", "14:30"), visit
    assert visit["checked_in_at"].endswith(offset), visit["checked_in_at"]
    mine = (await h.client.get(f"/api/v1/visits/{visit['token']}")).json()
    assert mine["leave_by"] == visit["leave_by"]


async def _learned_minutes(h: Harness) -> float:
    async with h.db.read() as session:
        center = await session.scalar(select(Center).where(Center.slug == "lippe"))
        assert center is not None
        ctx = await load_context(session, center, now=h.clock())
        return (await learned.refresh(session, ctx)).minutes("residence")


async def test_learned_minutes_are_per_local_day_across_midnight(harness: Harness) -> None:
    h = harness
    eve = AUTUMN - timedelta(days=1)
    await open_days(h, eve, AUTUMN)
    staff = await h.login("abh1")
    h.clock.now = utc(eve, 22, 20)
    prior = await _learned_minutes(h)
    for _ in range(3):
        await h.check_in(needs=["residence"])
    for _ in range(3):
        assert (await h.desk("r112", "call-next", staff)).status_code == 200
        assert (await h.desk("r112", "start", staff)).status_code == 200
        h.clock.advance(30)
        r = await h.desk("r112", "finish", staff, resolved=["residence"])
        assert r.status_code == 200, r.text
    assert h.clock.now == utc(eve, 23, 50)
    evening: Any = await _learned_minutes(h)
    h.clock.now = utc(AUTUMN, 0, 30)
    morning = await _learned_minutes(h)
    assert evening > prior  # the evening's long consultations taught the evening ...
    assert morning == prior  # ... and the new local day starts from the configured minutes


async def test_a_consultation_over_local_midnight_can_be_finished(harness: Harness) -> None:
    h = harness
    eve = SPRING - timedelta(days=1)
    await open_days(h, eve, SPRING)
    staff = await h.login("abh1")
    h.clock.now = utc(eve, 23, 40)
    await h.check_in(needs=["residence"])
    assert (await h.desk("r112", "call-next", staff)).status_code == 200
    assert (await h.desk("r112", "start", staff)).status_code == 200
    h.clock.now = utc(SPRING, 0, 15)
    r = await h.desk("r112", "finish", staff, resolved=["residence"])
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "done"
    # The desk is free in the new day: nobody waits yet, so nobody is called.
    assert (await h.desk("r112", "call-next", staff)).status_code == 204

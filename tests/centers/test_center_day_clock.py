"""'Today' is the center's local date, whatever the server's clock zone says."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from app.centers.context import load_context
from app.centers.models import Center
from tests.conftest import BERLIN, TEST_DAY, Harness

pytestmark = pytest.mark.anyio


async def test_just_after_local_midnight_is_the_new_local_day(harness: Harness) -> None:
    h = harness
    # 00:30 in Berlin is still the day before in UTC (23:30 in winter, 22:30 in summer).
    local = datetime.combine(TEST_DAY, time(0, 30), tzinfo=BERLIN)
    in_utc = local.astimezone(UTC)
    assert in_utc.date() == TEST_DAY - timedelta(days=1)
    async with h.db.read() as session:
        center = await session.scalar(select(Center).where(Center.slug == "lippe"))
        assert center is not None
        ctx = await load_context(session, center, now=in_utc)
        assert ctx.today == TEST_DAY
        assert ctx.day is not None and ctx.day.date == TEST_DAY
        late = datetime.combine(TEST_DAY, time(23, 30), tzinfo=BERLIN).astimezone(UTC)
        assert (await load_context(session, center, now=late)).today == TEST_DAY


async def test_the_today_document_follows_the_center_zone(harness: Harness) -> None:
    h = harness
    h.clock.now = datetime.combine(TEST_DAY, time(0, 30), tzinfo=BERLIN).astimezone(UTC)
    r = await h.client.get("/api/v1/centers/lippe/today")
    assert r.status_code == 200, r.text
    assert TEST_DAY.isoformat() in r.text
    assert (TEST_DAY - timedelta(days=1)).isoformat() not in r.text

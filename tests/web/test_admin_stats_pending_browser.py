"""The statistics page over a range whose days are not rolled up yet: it answers at once
with what is ready, says "Wird berechnet …", and completes itself while the server builds
the rollups (the background task is woken by the query, not by its startup timer)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.centers.loader import ensure_day
from app.centers.models import Center
from app.db import Database
from app.stats.routes import INLINE_DAYS
from bench.stats import build_day, copy_day, template_events
from tests.web.conftest import Server, chromium, fresh_page

pytestmark = pytest.mark.browser
DAYS = INLINE_DAYS + 9  # more closed days than a query reads inline


async def fill_log(url: str) -> None:
    db = Database(url)
    try:
        today = datetime.now(ZoneInfo("Europe/Berlin")).date()
        dates = [today - timedelta(days=DAYS - i) for i in range(DAYS)]
        async with db.write() as session:
            center = await session.scalar(select(Center).where(Center.slug == "lippe"))
            assert center is not None
            for day in dates:
                await ensure_day(session, center_id=center.id, day=day, opens="08:00")
        template = None
        for day in dates:
            if template is None:
                await build_day(db, center, day, random.Random(day.toordinal()))
                template = await template_events(db, center, day)
            else:
                await copy_day(db, center, template, day)
    finally:
        await db.dispose()


@pytest.fixture
def server_env() -> dict[str, str]:
    return {"WELCOME_STATS_ROLLUP_AFTER": "3600"}  # only a query wakes the rollup


@pytest.fixture
def unrolled(server: Server) -> Server:
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API keeps this thread's loop
        pool.submit(asyncio.run, fill_log(server.env["WELCOME_DATABASE_URL"])).result()
    return server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium("--lang=de-DE")


@pytest.fixture
def desk_pc(browser: Any) -> Iterator[Any]:
    yield from fresh_page(browser, 1366, 768)


def test_a_year_not_rolled_up_shows_what_is_ready_and_completes_itself(
    desk_pc: Any, unrolled: Server
) -> None:
    page = desk_pc
    # The year straight away: the default month would be read inline (and stored).
    today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    year = f"from={today - timedelta(days=364)}&to={today}"
    page.goto(f"{unrolled.base}/admin/stats.html?{year}")
    page.fill("#admin-user", "lead1")
    page.fill("#admin-password", "demo-lead")
    page.click("#admin-login button[type=submit]")
    # The first answer leaves the closed days out (all but yesterday, read live) and
    # says so.
    page.wait_for_function("() => Number(document.body.dataset.statsPending) > 0")
    assert page.evaluate("document.body.dataset.statsPending") == str(DAYS - 1)
    note = page.inner_text("#stats-note")
    assert note.startswith(f"Wird berechnet … {DAYS - 1} Tage"), note
    # The page asks again by itself until every day is in.
    page.wait_for_function("() => document.body.dataset.statsPending === '0'", timeout=60000)
    assert "Wird berechnet" not in page.inner_text("#stats-note")
    token = unrolled.login("admin", "demo-admin")
    status, body = unrolled.api("GET", f"/api/v1/centers/lippe/stats?{year}", token=token)
    assert status == 200 and body["pending_days"] == 0
    assert body["totals"]["visitors"] == DAYS * 40
    shown = page.locator(
        "#stats-figures li", has=page.locator(".label:text-is('Besuche')")
    ).locator(".value")
    assert shown.inner_text() == f"{DAYS * 40:,}".replace(",", ".")

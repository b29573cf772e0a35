"""The statistics page (/admin/stats.html) as a team lead sees it at a desk PC's 1366×768:
30 past days in the log (two served through the services, the others copies of their
logs, as `make bench-stats` builds them), the figures, charts and tables the API gives,
CSV downloads, filters, German and English.

WELCOME_SCREENSHOTS=1 writes docs/screenshots/admin-stats-de.png and -en.png;
WELCOME_SCREENSHOT_DIR=<dir> writes them elsewhere.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.centers.loader import ensure_day
from app.centers.models import Center
from app.db import Database
from bench.stats import build_day, copy_day, template_events
from tests.web.conftest import ROOT, Server, chromium, fresh_page

pytestmark = pytest.mark.browser
DAYS = 30
GERMAN_ONLY = ("Besuche", "Wartezeit", "Stelle", "Anliegen", "Weiterleitungen", "Anzeigen")
ENGLISH_ONLY = ("Visits", "Waiting", "Agency", "Referrals", "Show", "Per day")


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
        templates = []
        for day in dates[:2]:
            await build_day(db, center, day, random.Random(day.toordinal()))
            templates.append(await template_events(db, center, day))
        for n, day in enumerate(dates[2:], 2):
            await copy_day(db, center, templates[n % 2], day)
    finally:
        await db.dispose()


@pytest.fixture
def month(server: Server) -> Server:
    # In a thread of its own: Playwright's sync API keeps an event loop on this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, fill_log(server.env["WELCOME_DATABASE_URL"])).result()
    return server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # A German desk PC: date fields read 31.10.2026, as the page's own dates do.
    yield from chromium("--lang=de-DE")


@pytest.fixture
def desk_pc(browser: Any) -> Iterator[Any]:
    yield from fresh_page(browser, 1366, 768)


def sign_in(page: Any, server: Server) -> None:
    page.goto(server.base + "/admin/stats.html")
    page.fill("#admin-user", "lead1")  # the center's read-only lead
    page.fill("#admin-password", "demo-lead")
    page.click("#admin-login button[type=submit]")
    page.wait_for_function("() => document.body.dataset.statsLoaded")


def api_stats(server: Server, **query: str) -> Any:
    token = server.login("admin", "demo-admin")
    q = "&".join(f"{k}={v}" for k, v in query.items())
    status, body = server.api("GET", f"/api/v1/centers/lippe/stats?{q}", token=token)
    assert status == 200, body
    return body


def figure(page: Any, label: str) -> str:
    item = page.locator("#stats-figures li", has=page.locator(f".label:text-is('{label}')"))
    return str(item.locator(".value").inner_text())


def no_overflow(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('.figures li, .card, th, td, .btn')]
            .filter((el) => el.scrollWidth > el.clientWidth + 1
                && getComputedStyle(el).overflowX === 'visible')
            .map((el) => el.textContent.trim().slice(0, 40))"""
    )
    assert clipped == []


def shoot(page: Any, name: str) -> None:
    folder = os.environ.get("WELCOME_SCREENSHOT_DIR") or (
        str(ROOT / "docs" / "screenshots") if os.environ.get("WELCOME_SCREENSHOTS") == "1" else ""
    )
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(300)
        page.screenshot(path=str(Path(folder) / name))


def test_a_month_at_a_glance_in_german_and_english(desk_pc: Any, month: Server) -> None:
    page = desk_pc
    sign_in(page, month)
    shown = page.evaluate("() => new URLSearchParams(location.search).get('from')")
    today = date.fromisoformat(page.input_value("#stats-to"))
    assert shown == (today - timedelta(days=29)).isoformat()  # the last 30 days
    api = api_stats(month, **{"from": shown, "to": today.isoformat()})
    t = api["totals"]
    assert t["visitors"] > 500 and t["referrals"] > 0
    assert figure(page, "Besuche") == f"{t['visitors']:,}".replace(",", ".")
    median = f"{t['first_wait']['median']:.1f}".replace(".", ",").removesuffix(",0")
    assert figure(page, "Wartezeit bis Aufruf") == f"{median} Min."
    assert figure(page, "Weiterleitungen") == str(t["referrals"])

    # Four charts drawn by Chart.js from the same figures.
    charts = page.evaluate(
        """() => [...document.querySelectorAll('canvas')].map((c) => {
            const chart = Chart.getChart(c);
            return chart ? [c.id, chart.data.datasets[0].data.length, c.width > 100] : [c.id];
        })"""
    )
    assert charts == [
        ["chart-days", len(api["days"]), True],
        ["chart-agencies", len(api["agencies"]), True],
        ["chart-hours", len(api["hours"]), True],
        ["chart-languages", len(api["languages"]), True],
    ]
    # The referral matrix: each cell the API's count, row by sending agency.
    first = api["referrals"][0]
    names = api["agency_names"]
    row = page.locator(
        "[data-table=referrals] tbody tr",
        has=page.locator(f"th:text-is('{names[first['from_agency']]['de']}')"),
    )
    assert str(first["count"]) in row.inner_text()
    no_overflow(page)
    shoot(page, "admin-stats-de.png")

    # Every table downloads as CSV, with the session cookie, for the same range.
    links = page.locator("a[download][href*='stats.csv']")
    assert links.count() == 7  # summary + agencies, needs, referrals, joint, languages, days
    with page.expect_download() as download:
        page.locator("[data-table=referrals] a[download]").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "from_agency,to_agency,count"
    assert f"{first['from_agency']},{first['to_agency']},{first['count']}" in lines

    # Narrowed to one agency: the figures follow the API's for that agency.
    page.select_option("#stats-agency", "abh")
    page.click("#stats-filter button[type=submit]")
    page.wait_for_function("() => document.body.dataset.statsLoaded.includes('/abh/')")
    abh = api_stats(month, **{"from": shown, "to": today.isoformat(), "agency": "abh"})
    assert figure(page, "Besuche") == f"{abh['totals']['visitors']:,}".replace(",", ".")
    assert page.locator("[data-table=agencies] tbody tr").count() == len(abh["agencies"])

    # A range the API refuses is said on the page, not thrown.
    page.fill("#stats-from", today.isoformat())
    page.fill("#stats-to", (today - timedelta(days=3)).isoformat())
    page.click("#stats-filter button[type=submit]")
    page.wait_for_selector("#stats-error:has-text('Zeitraum')")

    # English: the same page, no German word left on it.
    english = page.context.new_page()  # signed in already (the session cookie)
    english.goto(month.base + "/admin/stats.html")
    english.evaluate("localStorage.setItem('wc.admin.lang', 'en')")
    english.reload()
    english.wait_for_function("() => document.body.dataset.statsLoaded")
    body = str(english.locator("main").inner_text())
    assert all(word in body for word in ENGLISH_ONLY), body[:400]
    assert not [w for w in GERMAN_ONLY if w in body], body[:400]
    assert english.locator("#admin-top nav").inner_text().count("Statistics") == 1
    no_overflow(english)
    shoot(english, "admin-stats-en.png")
    english.close()

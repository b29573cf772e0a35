"""The live overview at /admin/ in Chromium: the lead sees the day change as it happens,
and an idle desk beside a waiting queue as an alert that goes when the desk calls.

Screenshots (German and English, 1366×768 desk PC and 1920×1080 wall screen) go to
docs/screenshots/ with WELCOME_SCREENSHOTS=1 (or WELCOME_SCREENSHOT_DIR).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from app.cli import DEMO_FILE
from tests.web.conftest import ROOT, Server, fresh_page

pytestmark = pytest.mark.browser


def open_all_day(closes: str = "23:59") -> str:
    """The demo center, open today (until `closes`) and all of tomorrow: the test runs
    whenever it runs (the real clock), and a midnight during it finds a day open too."""
    now = datetime.now(ZoneInfo("Europe/Berlin"))
    today = now.date()
    opens = f"{max(now.hour - 2, 0):02d}:00"
    days = (
        f'  - {{date: {today.isoformat()}, opens: "{opens}", closes: "{closes}"}}\n'
        f'  - {{date: {today + timedelta(days=1)}, opens: "00:00", closes: "23:59"}}\n'
    )
    lines = DEMO_FILE.read_text(encoding="utf-8").splitlines(keepends=True)
    for d in (today, today + timedelta(days=1)):
        # The demo's Tuesdays are one line each: this test's hours replace them.
        lines = [line for line in lines if f"{{date: {d.isoformat()}," not in line]
        assert not any(f"date: {d.isoformat()}" in line for line in lines)
    return "".join(lines).rstrip("\n") + "\n" + days


@pytest.fixture
def server_config() -> str:
    return open_all_day()


@pytest.fixture
def desk_pc(browser: Any) -> Iterator[Any]:
    yield from fresh_page(browser, 1366, 768)


def sign_in_as_lead(page: Any, server: Server, lang: str = "de") -> None:
    page.goto(server.base + "/admin/")
    if lang != "de":
        page.evaluate(f"localStorage.setItem('wc.admin.lang', '{lang}')")
        page.reload()
    page.fill("#admin-user", "lead1")
    page.fill("#admin-password", "demo-lead")
    page.click("#admin-login button[type=submit]")
    page.locator("#ov-counts").wait_for()
    page.locator("#ov-live[data-state=open]").wait_for()


def count(page: Any, key: str) -> int:
    return int(page.locator(f"[data-count={key}] .value").inner_text())


def test_the_overview_shows_an_alert_when_a_desk_idles_beside_a_queue(
    desk_pc: Any, server: Server
) -> None:
    page = desk_pc
    sign_in_as_lead(page, server)
    assert "Leitung" in page.locator("#admin-top .who").inner_text()
    admin = server.login("admin", "demo-admin")
    checked_in = count(page, "checked_in")
    assert page.locator("#ov-alerts li[data-code=desk_idle]").count() == 0

    status, _ = server.api("POST", "/api/v1/desks/r112/open", token=admin)
    assert status == 200
    page.locator("tr[data-desk=r112][data-activity=idle]").wait_for(timeout=10_000)
    # A check-in at the kiosk reaches the open page through its socket (it polls only
    # every 30 s while the socket is open, so this is the live path).
    visit = server.check_in(needs=["residence"])
    page.wait_for_function(
        "n => Number(document.querySelector('[data-count=checked_in] .value').textContent) > n",
        arg=checked_in,
        timeout=10_000,
    )
    alert = page.locator("#ov-alerts li[data-code=desk_idle][data-desk=r112]")
    alert.wait_for(timeout=10_000)
    text = alert.inner_text()
    assert "Schalter r112" in text and "Ausländerbehörde" in text and "1 Person wartet" in text
    abh = page.locator("table.ov-queues tr[data-agency=abh]")
    assert abh.locator("td.big").inner_text().startswith("1")

    status, called = server.api("POST", "/api/v1/desks/r112/call-next", token=admin)
    assert status == 200 and called["ticket"] == visit["ticket"]
    alert.wait_for(state="detached", timeout=10_000)
    row = page.locator("tr[data-desk=r112][data-activity=calling]")
    row.wait_for(timeout=10_000)
    assert visit["ticket"] in row.inner_text()
    # Nothing personal on the page: the ticket, never the visit's token.
    assert visit["token"] not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366


def busy_day(server: Server) -> None:
    """A morning in progress: desks serving, one idle beside a queue, one paused, a
    visitor about to miss their bus, a queue too long for the rest of the day."""
    admin = server.login("admin", "demo-admin")
    for code in ("r112", "r113", "r114", "r116", "r201", "r204"):
        status, _ = server.api("POST", f"/api/v1/desks/{code}/open", token=admin)
        assert status == 200
    now = datetime.now(ZoneInfo("Europe/Berlin"))
    soon = (now + timedelta(minutes=18)).strftime("%H:%M")
    later = (now + timedelta(minutes=26)).strftime("%H:%M")
    needs = [
        ["residence"],
        ["residence", "work"],
        ["income"],
        ["work"],
        ["residence"],
        ["counselling"],
        ["income"],
        ["residence"],
        ["language_course"],
        ["residence"],
    ]
    for n, need in enumerate(needs):
        body: dict[str, Any] = {"needs": need}
        if n == 1:
            body["leave_by"] = soon
        if n == 4:
            body["leave_by"] = later
        status, visit = server.api(
            "POST",
            "/api/v1/centers/lippe/visits",
            {"language": "de", **body},
            server.kiosk_token,
        )
        assert status == 201, visit
    for code in ("r112", "r114", "r116"):
        status, _ = server.api("POST", f"/api/v1/desks/{code}/call-next", token=admin)
        assert status in (200, 204)
    for code in ("r112", "r114"):
        server.api("POST", f"/api/v1/desks/{code}/start", token=admin)
    server.api("POST", "/api/v1/desks/r201/pause", token=admin)


def office_hours() -> str:
    """For the pictures: a plausible closing time (the queue-past-closing alert is for
    tests/overview; here it would crowd out the rest near the end of the day)."""
    hour = datetime.now(ZoneInfo("Europe/Berlin")).hour
    return open_all_day("17:00" if hour < 14 else "23:59")


@pytest.mark.parametrize("server_config", [office_hours()])
@pytest.mark.parametrize(
    ("lang", "width", "height"),
    [("de", 1366, 768), ("en", 1366, 768), ("de", 1920, 1080), ("en", 1920, 1080)],
)
def test_overview_at_a_glance(
    browser: Any, server: Server, lang: str, width: int, height: int
) -> None:
    busy_day(server)
    for page in fresh_page(browser, width, height):
        sign_in_as_lead(page, server, lang)
        page.locator("#ov-alerts li[data-code=desk_idle]").first.wait_for(timeout=10_000)
        assert page.evaluate("document.documentElement.lang") == lang
        title = "Tagesüberblick" if lang == "de" else "Today"
        assert page.locator("main h1").inner_text() == title
        # Everything fits the width; the alerts and the queues start above the fold.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.locator("#ov-alerts").bounding_box()["y"] < height
        assert page.locator("table.ov-queues").bounding_box()["y"] < height
        # Whoever is about to miss their bus is in sight without scrolling.
        soon = page.locator("table.ov-leaving tr[data-ticket]")
        assert soon.count() == 2 and soon.first.bounding_box()["y"] < height
        shoot(page, f"admin-overview-{lang}-{width}x{height}.png")


def shoot(page: Any, name: str) -> None:
    folder = os.environ.get("WELCOME_SCREENSHOT_DIR") or (
        str(ROOT / "docs" / "screenshots") if os.environ.get("WELCOME_SCREENSHOTS") == "1" else ""
    )
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(300)
        page.screenshot(path=str(Path(folder) / name))


def closing_in_an_hour() -> str:
    now = datetime.now(ZoneInfo("Europe/Berlin"))
    closes = now + timedelta(minutes=60)
    return open_all_day(closes.strftime("%H:%M") if closes.date() == now.date() else "23:59")


@pytest.mark.parametrize("server_config", [closing_in_an_hour()])
@pytest.mark.parametrize("lang", ["de", "en"])
def test_a_queue_past_closing_carries_staffing_advice(
    desk_pc: Any, server: Server, lang: str
) -> None:
    page = desk_pc
    if datetime.now(ZoneInfo("Europe/Berlin")).hour == 23:
        pytest.skip("closing an hour from now falls on tomorrow")
    admin = server.login("admin", "demo-admin")
    status, _ = server.api("POST", "/api/v1/desks/r112/open", token=admin)
    assert status == 200
    for _ in range(6):
        server.check_in(needs=["residence"])
    sign_in_as_lead(page, server, lang)
    alert = page.locator("#ov-alerts li[data-code=queue_past_closing][data-agency=abh]")
    alert.wait_for(timeout=10_000)
    # The advice is simulated in the background after a read: the next read (an event,
    # here one more check-in, or the 30 s poll) carries it.
    page.wait_for_timeout(1500)
    server.check_in(needs=["residence"])
    advice = alert.locator("#ov-staffing[data-agency=abh]")
    advice.wait_for(timeout=35_000)
    text = advice.inner_text()
    if lang == "de":
        assert "Ein weiterer Schalter „Ausländerbehörde“" in text and "um etwa" in text
        assert "mittlere Aufenthaltszeit" in text and "Vorhersage" in text
    else:
        assert "one more" in text and "by about" in text and "Prediction" in text
    gain = int(text.split("etwa " if lang == "de" else "about ")[1].split(" ")[0])
    assert gain > 0

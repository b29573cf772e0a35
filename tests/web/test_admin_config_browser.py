"""Days and devices in the administration pages, seen where they matter: a mobile day
added in the browser opens the kiosk that day; a revoked kiosk is refused; a new kiosk
pairs by its link once. Screenshots at a desk PC's 1366×768 (German and English):
WELCOME_SCREENSHOTS=1 writes docs/screenshots/admin-days-de.png, WELCOME_SCREENSHOT_DIR=<dir>
writes all of them elsewhere."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from app.cli import DEMO_FILE
from tests.conftest import TEST_DAY
from tests.web.conftest import ROOT, Server, fresh_page

pytestmark = pytest.mark.browser
LATER_DAY = TEST_DAY + timedelta(days=3)


def demo_with_days(*days: str) -> str:
    text = DEMO_FILE.read_text(encoding="utf-8")
    head, _, _ = text.partition("\ndays:\n")
    return head + "\ndays:\n" + "".join(f"  - {day}\n" for day in days)


# Closed today: the calendar's only day is in three days.
CLOSED_TODAY = demo_with_days(f'{{date: {LATER_DAY}, opens: "09:00", closes: "15:00"}}')


@pytest.fixture
def desk_pc(browser: Any) -> Iterator[Any]:
    yield from fresh_page(browser, 1366, 768)


@pytest.fixture
def kiosk(browser: Any) -> Iterator[Any]:
    yield from fresh_page(browser, 1080, 1920)


def sign_in(page: Any, server: Server, path: str) -> None:
    page.goto(server.base + path)
    page.fill("#admin-user", "admin")
    page.fill("#admin-password", "demo-admin")
    page.click("#admin-login button[type=submit]")
    page.locator("nav.sections").wait_for()


def shoot(page: Any, name: str, *, commit: bool = False) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366  # nothing cut off
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    folder = os.environ.get("WELCOME_SCREENSHOT_DIR") or (
        str(ROOT / "docs" / "screenshots")
        if commit and os.environ.get("WELCOME_SCREENSHOTS") == "1"
        else ""
    )
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name))


def open_kiosk(page: Any, server: Server) -> None:
    page.goto(f"{server.base}/kiosk/?center=lippe&token={server.kiosk_token}")
    expect(page.locator("[data-lang]").first).to_be_visible()


@pytest.mark.parametrize("server_config", [CLOSED_TODAY])
def test_a_mobile_day_added_in_the_browser_opens_the_kiosk_that_day(
    desk_pc: Any, kiosk: Any, server: Server
) -> None:
    open_kiosk(kiosk, server)
    kiosk.click("[data-lang=de]")
    expect(kiosk.locator("h1")).to_contain_text("heute geschlossen")

    page = desk_pc
    sign_in(page, server, "/admin/days.html")
    expect(page.locator("h1")).to_have_text("Beratungstage")
    row = page.locator(f"tr[data-day='{LATER_DAY.isoformat()}']")
    expect(row).to_contain_text("geplant")

    page.fill("#day-date", TEST_DAY.isoformat())
    page.fill("#day-opens", "12:00")
    page.fill("#day-closes", "08:00")
    page.fill("#day-site", "Lügde, Rathaus")
    for box in page.locator("input[name=agency]").all():
        if box.get_attribute("value") not in ("abh", "aa"):
            box.uncheck()
    page.fill("#note-de", "Bitte Pass mitbringen.")
    page.click("#day-submit")
    # Named in the page's language, at its field; nothing typed is lost.
    expect(page.locator("[data-error-for=closes]")).to_have_text(
        "Schließt: „Schließt“ muss nach „Öffnet“ liegen."
    )
    expect(page.locator("#day-site")).to_have_value("Lügde, Rathaus")
    expect(page.locator("#note-de")).to_have_value("Bitte Pass mitbringen.")
    assert page.locator("input[name=agency]:checked").count() == 2

    page.fill("#day-opens", "00:00")
    page.fill("#day-closes", "23:59")
    page.click("#day-submit")
    today_row = page.locator(f"tr[data-day='{TEST_DAY.isoformat()}']")
    expect(today_row).to_contain_text("Lügde, Rathaus")
    expect(today_row).to_contain_text("heute")
    expect(page.locator("#days-flash")).to_have_text("Gespeichert.")
    shoot(page, "admin-days-de.png", commit=True)
    page.click("[data-lang=en]")
    expect(page.locator("h1")).to_have_text("Consultation days")
    shoot(page, "admin-days-en.png")

    status, today = server.api("GET", "/api/v1/centers/lippe/today")
    assert status == 200, today
    assert (today["site"], today["agencies"]) == ("Lügde, Rathaus", ["abh", "aa"])
    # The kiosk, that day: open, with what the two agencies serve.
    open_kiosk(kiosk, server)
    kiosk.click("[data-lang=de]")
    expect(kiosk.locator("[data-need=residence]")).to_be_visible()
    expect(kiosk.locator("[data-need=residence]")).not_to_have_class(re.compile(r"\boff\b"))
    expect(kiosk.locator("[data-need=recognition]")).to_have_class(re.compile(r"\boff\b"))
    expect(kiosk.locator("#center-name")).to_have_text(
        "Welcome-Center Kreis Lippe · Lügde, Rathaus"
    )
    shoot(kiosk, "kiosk-mobile-day-de.png")

    # The public list, for the district's website: the site, the note, right to left in Arabic.
    page.goto(f"{server.base}/days/?c=lippe")
    first = page.locator(f"li.day[data-date='{TEST_DAY.isoformat()}']")
    expect(first).to_contain_text("Mobiler Beratungstag: Lügde, Rathaus")
    expect(first).to_contain_text("Bitte Pass mitbringen.")
    expect(first).to_contain_text("Ausländerbehörde")
    page.select_option("#lang", "ar")
    expect(page.locator("h1")).to_have_text("أيام الاستشارة")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    shoot(page, "public-days-ar.png")


def test_a_revoked_kiosk_is_refused_and_a_new_one_pairs_once(
    desk_pc: Any, kiosk: Any, server: Server, browser: Any
) -> None:
    open_kiosk(kiosk, server)
    page = desk_pc
    sign_in(page, server, "/admin/devices.html")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("[data-revoke=kiosk-foyer]")
    expect(page.locator("#devices-flash")).to_have_text("„kiosk-foyer“ ist gesperrt.")
    expect(page.locator("tr[data-device=kiosk-foyer]")).to_have_count(0)

    # The kiosk, still showing its start screen, is refused at its next check-in.
    kiosk.click("[data-lang=de]")
    kiosk.click("[data-need=counselling]")
    kiosk.click("[data-action=next]")
    screen = kiosk.locator("#screen")
    for _ in range(10):
        if screen.get_attribute("data-screen") == "consent":
            break
        if screen.get_attribute("data-screen") == "priority":
            kiosk.click("[data-action=next]")
        else:
            kiosk.click("[data-action=skip]")
    kiosk.click("[data-consent=no]")
    expect(kiosk.locator("body")).to_contain_text("nicht eingerichtet")
    assert server.display()["waiting"] == []

    # A replacement kiosk: its pairing link, opened once, sets it up for good.
    page.fill("#device-name", "kiosk-neu")
    page.click("#device-form button[type=submit]")
    link = page.locator("#pairing-link")
    expect(link).to_be_visible()
    expect(page.locator("img.qr")).to_be_visible()
    shoot(page, "admin-devices-de.png")
    url = link.get_attribute("href")
    assert url is not None and "#code=" in url
    fresh = browser.new_context(viewport={"width": 1080, "height": 1920})
    try:
        tablet = fresh.new_page()
        tablet.goto(url)
        tablet.wait_for_url(re.compile(r"/kiosk/\?center=lippe$"))
        expect(tablet.locator("[data-lang]").first).to_be_visible()
        expect(tablet.locator(".alert")).to_have_count(0)  # no "not set up"
        token = tablet.evaluate("localStorage.getItem('wc.kiosk.token')")
        assert token and token not in tablet.url
        status, _ = server.api(
            "POST", "/api/v1/centers/lippe/visits", {"language": "de", "needs": ["work"]}, token
        )
        assert status == 201
        # The same link a second time: spent.
        again = fresh.new_page()
        again.goto(url)
        expect(again.locator(".error")).to_contain_text("schon benutzt")
    finally:
        fresh.close()
    page.reload()
    expect(page.locator("tr[data-device=kiosk-neu]")).to_contain_text("in Betrieb")


def test_staff_password_reset_shows_the_new_one_once(desk_pc: Any, server: Server) -> None:
    page = desk_pc
    sign_in(page, server, "/admin/users.html")
    page.fill("#user-name", "abh 2")
    page.click("#user-form button[type=submit]")
    expect(page.locator("#user-error")).to_have_text(
        "Benutzername: nur Buchstaben, Ziffern und . _ @ -"
    )
    expect(page.locator("#user-name")).to_have_value("abh 2")
    page.once("dialog", lambda dialog: dialog.accept(""))
    page.click("[data-reset=abh1]")
    password = page.locator("#shown-password")
    expect(password).to_have_text(re.compile(r"^(\w{4}-){3}\w{4}$"))
    server.login("abh1", password.inner_text())
    shoot(page, "admin-users-de.png")


def test_the_lead_is_told_these_sections_are_for_administrators(
    desk_pc: Any, server: Server
) -> None:
    page = desk_pc
    page.goto(server.base + "/admin/days.html")
    page.fill("#admin-user", "lead1")
    page.fill("#admin-password", "demo-lead")
    page.click("#admin-login button[type=submit]")
    expect(page.locator("h1")).to_have_text("Nur für die Administration")
    expect(page.locator("main a[href='/admin/']")).to_be_visible()


@pytest.mark.parametrize(
    "path", ["/admin/days.html", "/admin/devices.html", "/admin/users.html", "/days/?c=lippe"]
)
def test_the_pages_have_no_serious_axe_violations(desk_pc: Any, server: Server, path: str) -> None:
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    page = desk_pc
    if path.startswith("/admin/"):
        sign_in(page, server, path)
        page.locator("main h1").first.wait_for()
    else:
        page.goto(server.base + path)
        page.locator("li.day").first.wait_for()
    violations = axe_module.Axe().run(page).response["violations"]
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []

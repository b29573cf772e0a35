"""The kiosk holds at every size: every screen x 4 viewports (+ 200 % zoom) x 8 languages.

No element's content wider or taller than its box, no two controls overlapping, the
primary action inside the viewport, the need tiles filling the screen without scrolling
(at 100 %). One browser, one page per viewport, each language walked through the whole
check-in. With WELCOME_SCREENSHOTS=1 the de and ar walks at 1920x1080 also write
docs/screenshots/kiosk-<lang>-<n>-<screen>.png (and the phone page), for the README.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
LANGUAGES = ["de", "en", "ar", "uk", "ru", "tr", "fa", "ro"]
# What WELCOME_SCREENSHOTS=1 writes: the README's (de and ar at 1920x1080) unless told.
SHOT_VIEW = os.environ.get("WELCOME_SCREENSHOT_VIEW", "1920x1080")
SHOT_LANGUAGES = os.environ.get("WELCOME_SCREENSHOT_LANGUAGES", "de,ar").split(",")
# (name, CSS width, CSS height, device pixels per CSS pixel); 200 % zoom halves the CSS
# viewport and doubles the pixel ratio, exactly what a browser's zoom does to layout.
VIEWPORTS = [
    ("1920x1080", 1920, 1080, 1),
    ("1366x768", 1366, 768, 1),
    ("1080x1920", 1080, 1920, 1),
    ("1280x1024", 1280, 1024, 1),
    ("1366x768@200%", 683, 384, 2),
    ("1920x1080@200%", 960, 540, 2),
]

CHECK = (Path(__file__).parent / "kiosk_layout_check.js").read_text()


def check(page: Any, where: str, zoomed: bool, found: list[str]) -> None:
    for problem in page.evaluate(CHECK, {"zoomed": zoomed}):
        found.append(f"{where}: {problem}")


def shot(page: Any, lang: str, n: int, screen: str, enabled: bool) -> None:
    if enabled:
        SHOTS.mkdir(parents=True, exist_ok=True)
        suffix = "" if SHOT_VIEW == "1920x1080" else f"-{SHOT_VIEW}"
        page.screenshot(path=str(SHOTS / f"kiosk-{lang}-{n:02d}-{screen}{suffix}.png"))


def walk(page: Any, server: Any, lang: str, view: str, zoomed: bool, shots: bool) -> list[str]:
    """One check-in in `lang`, checking every screen on the way."""
    found: list[str] = []
    screen = page.locator("#screen")
    n = 0

    def at(name: str) -> None:
        nonlocal n
        n += 1
        check(page, f"{view} {lang} {name}", zoomed, found)
        shot(page, lang, n, name, shots)

    page.goto(f"{server.base}/kiosk/?center=lippe&token={server.kiosk_token}")
    expect(page.locator(f"[data-lang={lang}]")).to_be_visible()
    at("language")
    page.click(f"[data-lang={lang}]")
    expect(screen).to_have_attribute("data-screen", "needs")
    page.click("[data-need=residence]")
    page.click("[data-need=work]")
    off = page.locator(".tile.off")
    if off.count():
        off.first.click()
    at("needs")
    page.click("#text-size")
    # Larger text may make the screen scroll; its actions stay on screen all the same.
    check(page, f"{view} {lang} needs-larger-text", True, found)
    n += 1
    shot(page, lang, n, "needs-larger-text", shots)
    page.click("#text-size")
    page.click("[data-action=invitation]")
    page.fill("#invitation", "LIP-2026-0042")
    at("invitation")
    page.click("[data-action=next]")
    expect(screen).to_have_attribute("data-screen", "needs")
    page.click("[data-action=next]")
    for _ in range(8):
        current = screen.get_attribute("data-screen")
        if current == "consent":
            break
        at(current)
        if current == "priority":
            page.click("[data-toggle=children]")
            page.click("[data-action=next]")
        elif current == "age":
            page.click("[data-key='3']")
            page.click("[data-key='4']")
            page.click("[data-action=next]")
        elif current == "status":
            page.click("[data-value=tolerated]")
        else:
            page.click("[data-action=skip]")
    at("consent")
    page.click("[data-consent=yes]")
    expect(screen).to_have_attribute("data-screen", "ticket", timeout=15_000)
    expect(page.locator("[data-testid=qr] svg")).to_be_visible()
    at("ticket")
    page.evaluate("window.welcomeKiosk.idleWarning(9)")
    at("still-here")
    page.click("[data-still-here]")
    expect(page.locator("#idle")).to_be_hidden()
    return found


def test_every_kiosk_screen_holds_at_every_size_in_every_language(
    browser: Any, server: Any
) -> None:
    shots = os.environ.get("WELCOME_SCREENSHOTS") == "1"
    found: list[str] = []
    for view, width, height, scale in VIEWPORTS:
        context = browser.new_context(
            viewport={"width": width, "height": height}, device_scale_factor=scale, locale="de-DE"
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        page.set_default_timeout(10_000)
        try:
            for lang in LANGUAGES:
                wanted = shots and view == SHOT_VIEW and lang in SHOT_LANGUAGES
                found += walk(page, server, lang, view, scale > 1, wanted)
        finally:
            context.close()
        assert not errors, errors
    assert found == [], "\n".join(found[:60]) + f"\n… {len(found)} problems"


def test_screenshots_of_the_phone_page(browser: Any, server: Any) -> None:
    if os.environ.get("WELCOME_SCREENSHOTS") != "1":
        pytest.skip("set WELCOME_SCREENSHOTS=1 to write docs/screenshots/")
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    staff = server.login("abh1", "demo-abh")
    server.api("POST", "/api/v1/desks/r112/open", token=staff)
    for lang in ("de", "ar"):
        visit = server.check_in(language=lang, needs=["residence", "work", "recognition"])
        status, link = server.api("POST", "/api/v1/visits/phone-link", {"token": visit["token"]})
        assert status == 200
        page.goto("about:blank")  # a new fragment alone would not load the page again
        page.goto(link["url"])
        expect(page.locator(".ticket")).to_have_text(visit["ticket"])
        page.wait_for_timeout(300)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"phone-{lang}.png"), full_page=True)
    page.goto(f"{server.base}/visit/")
    expect(page.locator("#code")).to_be_visible()
    page.screenshot(path=str(SHOTS / "phone-code.png"))
    context.close()
    assert re.match(r"^http", link["url"])

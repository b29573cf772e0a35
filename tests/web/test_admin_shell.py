"""The administration frame (/admin/): sign-in with the session cookie, the sections'
navigation in German and English, desk staff turned away with a way to their desk."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.conftest import Server, fresh_page

pytestmark = pytest.mark.browser


@pytest.fixture
def desk_pc(browser: Any) -> Iterator[Any]:
    yield from fresh_page(browser, 1366, 768)


def sign_in(page: Any, server: Server, username: str, password: str) -> None:
    page.goto(server.base + "/admin/")
    page.fill("#admin-user", username)
    page.fill("#admin-password", password)
    page.click("#admin-login button[type=submit]")


def test_admin_signs_in_and_finds_every_section(desk_pc: Any, server: Server) -> None:
    page = desk_pc
    sign_in(page, server, "admin", "wrong")
    page.wait_for_selector("#admin-login-error:has-text('stimmt nicht')")
    page.fill("#admin-password", "demo-admin")
    page.click("#admin-login button[type=submit]")
    nav = page.locator("nav.sections")
    nav.wait_for()
    assert page.locator("#admin-top .center").inner_text() == "Welcome-Center Kreis Lippe"
    assert nav.locator("a[aria-current=page]").inner_text() == "Tagesüberblick"
    assert "Statistik" in nav.inner_text()
    # The header fits a desk PC's width: nothing pushed out of the window.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366

    page.click("[data-lang=en]")
    page.locator("nav.sections a[aria-current=page]:has-text('Today')").wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"

    page.click("#admin-logout")
    page.wait_for_selector("#admin-login")


def test_desk_staff_are_sent_to_their_desk(desk_pc: Any, server: Server) -> None:
    page = desk_pc
    sign_in(page, server, "abh1", "demo-abh")
    page.wait_for_selector("text=Nur für die Leitung")
    assert page.locator("a[href='/staff/']").is_visible()
    assert page.locator("nav.sections").count() == 0

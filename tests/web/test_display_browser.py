"""The waiting-room display in real Chromium: a call appears, offline is said."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_display_shows_the_called_ticket_and_room(page: Any, server: Any) -> None:
    page.goto(f"{server.base}/display/?center=lippe&token={server.display_token}")
    assert "token=" not in page.url
    expect(page.locator("#waiting-count")).to_have_text("0")

    visit = server.check_in(language="ar", needs=["residence"])
    expect(page.locator("#waiting-count")).to_have_text("1")
    staff = server.login("abh1", "demo-abh")
    status, called = server.api("POST", "/api/v1/desks/r113/call-next", token=staff)
    assert status == 200, called
    assert called["ticket"] == visit["ticket"]

    expect(page.locator("#now-ticket")).to_have_text(visit["ticket"])
    expect(page.locator("#now-room")).to_have_text("Raum 1.13")
    translated = page.locator("#now .translated")
    expect(translated).to_have_attribute("lang", "ar")
    expect(translated).to_have_attribute("dir", "rtl")
    expect(translated).to_contain_text("الغرفة 1.13")
    expect(page.locator("#recent")).to_contain_text(visit["ticket"])
    expect(page.locator("#recent")).to_contain_text("Ausländerbehörde")
    expect(page.locator("#waiting-count")).to_have_text("0")
    # Never a name or a personal answer: the page holds tickets, rooms and agencies.
    assert visit["token"] not in page.content()


def test_display_follows_the_live_channel(page: Any, server: Any) -> None:
    page.goto(f"{server.base}/display/?center=lippe&token={server.display_token}")
    page.wait_for_function("() => window.welcomeDisplay.live === 'open'")
    visit = server.check_in(language="fa", needs=["work"], residence_status="tolerated")
    staff = server.login("aa1", "demo-aa")
    status, _ = server.api("POST", "/api/v1/desks/r116/call-next", token=staff)
    assert status == 200
    expect(page.locator("#now-ticket")).to_have_text(visit["ticket"], timeout=2500)
    expect(page.locator("#now .translated")).to_contain_text("اتاق 1.16")
    assert page.evaluate("window.welcomeDisplay.seq") >= 2


def test_display_says_offline_when_the_server_is_gone(page: Any, server: Any) -> None:
    page.goto(f"{server.base}/display/?center=lippe&token={server.display_token}")
    expect(page.locator("#waiting-count")).to_have_text("0")
    expect(page.locator("#offline")).to_be_hidden()
    server.process.terminate()
    server.process.wait(timeout=10)
    expect(page.locator("#offline")).to_be_visible(timeout=15_000)
    expect(page.locator("#waiting-count")).to_have_text("0")  # the last state stays up

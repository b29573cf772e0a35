"""The staff page keeps no token where a script could read it: it is signed in by the
HttpOnly session cookie, sends the CSRF token with its actions, and its desk socket
signs in by the same cookie (no token in the address, none as a first message)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

STORAGE = """() => JSON.stringify([
  Object.entries(sessionStorage), Object.entries(localStorage), document.cookie,
])"""


def test_the_staff_page_lives_on_the_session_cookie(page: Any, server: Any) -> None:
    visit = server.check_in(language="de", needs=["residence"])
    sockets: list[Any] = []
    sent_frames: list[Any] = []

    def watch(ws: Any) -> None:
        sockets.append(ws)
        ws.on("framesent", lambda payload: sent_frames.append(payload))

    page.on("websocket", watch)

    page.goto(f"{server.base}/staff/")
    page.fill("#username", "abh1")
    page.fill("#password", "demo-abh")
    with page.expect_response("**/api/v1/auth/login") as answer:
        page.click("#login-form button[type=submit]")
    token = answer.value.json()["access_token"]
    page.click("[data-desk=r112]")
    expect(page.locator("#desk-title")).to_have_text("Raum 1.12 (r112)")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "open")

    # Nothing a script can read holds the session: not the storages, not document.cookie.
    readable = page.evaluate(STORAGE)
    assert token not in readable and "wc_session" not in readable
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["wc_session"]["httpOnly"] and cookies["wc_session"]["sameSite"] == "Strict"
    assert not cookies["wc_csrf"]["httpOnly"]  # the page sends it back as X-CSRF-Token

    # The desk socket: no token in its address and none sent as its first message.
    desk_sockets = [ws for ws in sockets if "/ws/desks/r112" in ws.url]
    assert desk_sockets and all("token" not in ws.url for ws in desk_sockets)
    assert not any("token" in str(frame) for frame in sent_frames), sent_frames

    # Actions (unsafe methods on the cookie) carry the CSRF token and work.
    with page.expect_request("**/api/v1/desks/r112/call-next") as sent:
        page.click("[data-action=call-next]")
    assert sent.value.headers.get("x-csrf-token") == cookies["wc_csrf"]["value"]
    assert "authorization" not in sent.value.headers
    expect(page.locator("[data-testid=current-ticket]")).to_have_text(visit["ticket"])

    # A live update reaches the desk over the cookie-signed socket: a new visitor waits.
    later = server.check_in(language="de", needs=["residence"])
    expect(page.locator("#queue")).to_contain_text(later["ticket"])

    # A reload (or a second tab) is still signed in; signing out ends it on the server.
    page.reload()
    expect(page.locator("#desk-title")).to_have_text("Raum 1.12 (r112)")
    expect(page.locator("#live-state")).to_have_attribute("data-state", "open")
    page.click("#logout")
    expect(page.locator("#login-view")).to_be_visible()
    status, problem = server.api("GET", "/api/v1/auth/me", token=token)
    assert status == 401, problem
    page.reload()
    expect(page.locator("#login-view")).to_be_visible()

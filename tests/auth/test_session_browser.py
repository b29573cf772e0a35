"""Staff sessions in real Chromium: the staff page works a desk, a cookie-only request
without the CSRF token is refused (the kit's client sends it), and after the idle time
the page is back at the sign-in screen with a German message."""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import (  # noqa: F401 (fixtures)
    CHROMIUM,
    browser,
    page,
    server,
    server_config,
    server_env,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and os.environ.get("CI") != "true",
        reason=f"{CHROMIUM} is missing (install Debian's chromium)",
    ),
]

IDLE_SECONDS = 6


@pytest.fixture
def short_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server (started after this, from os.environ) ends sessions idle for 6 s."""
    monkeypatch.setenv("WELCOME_STAFF_IDLE_MINUTES", str(IDLE_SECONDS / 60))


FETCH = """async ([path, headers]) => {
  const r = await fetch(path, {method: "POST", headers});
  return [r.status, (await r.json()).code ?? null];
}"""
KIT_POST = """async (path) => {
  const { request } = await import("/static/api.js");
  return (await request("POST", path)).status;
}"""


def session_token(tab: Any) -> str:
    """The token inside the page's HttpOnly session cookie (`token.signature`)."""
    cookies = {c["name"]: c["value"] for c in tab.context.cookies()}
    return cookies["wc_session"].rpartition(".")[0]


def test_csrf_and_idle_timeout_on_the_staff_page(
    short_idle: None,
    server: Any,  # noqa: F811
    page: Any,  # noqa: F811
) -> None:
    visit = server.check_in(language="de", needs=["residence"])
    page.goto(f"{server.base}/staff/")
    page.fill("#username", "abh1")
    page.fill("#password", "demo-abh")
    page.click("#login-form button[type=submit]")
    page.click("[data-desk=r112]")
    expect(page.locator("#desk-title")).to_have_text("Raum 1.12 (r112)")
    page.click("[data-action=call-next]")
    expect(page.locator("[data-testid=current-ticket]")).to_have_text(visit["ticket"])
    page.click("[data-action=start]")
    expect(page.locator("#current")).to_contain_text("in Beratung")
    token = session_token(page)
    assert page.evaluate("Number(sessionStorage.getItem('wc.staff.idle'))") == IDLE_SECONDS

    # The browser also holds the session cookie: a request riding on it alone (what a
    # forged cross-site request would be) is refused, with the CSRF token it passes.
    path = "/api/v1/desks/r112/pause"
    assert page.evaluate(FETCH, [path, {}]) == [403, "csrf_failed"]
    assert page.evaluate(FETCH, [path, {"X-CSRF-Token": "forged"}]) == [403, "csrf_failed"]
    assert page.evaluate(KIT_POST, path) == 200  # the kit reads the CSRF cookie and sends it
    status, desk = server.api("GET", "/api/v1/desks/r112", token=token)
    assert status == 200 and desk["state"] == "paused"

    # Nobody touches the page: polling and live updates do not count as activity, so the
    # session ends and the page says so at the sign-in screen.
    expect(page.locator("#login-view")).to_be_visible(timeout=(IDLE_SECONDS + 25) * 1000)
    expect(page.locator("#login-error")).to_contain_text("Ihre Sitzung ist abgelaufen")
    status, problem = server.api("GET", "/api/v1/auth/me", token=token)
    assert status == 401 and problem["code"] == "session_expired"

    # Signing in again starts a new session and brings the desk back.
    page.fill("#username", "abh1")
    page.fill("#password", "demo-abh")
    page.click("#login-form button[type=submit]")
    page.click("[data-desk=r112]")
    expect(page.locator("[data-testid=current-ticket]")).to_have_text(visit["ticket"])
    assert session_token(page) != token

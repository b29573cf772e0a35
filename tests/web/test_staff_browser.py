"""The staff desk page in real Chromium: sign in, choose a desk, call, serve, finish."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_staff_signs_in_and_calls_serves_and_finishes_a_visitor(page: Any, server: Any) -> None:
    visit = server.check_in(language="tr", needs=["residence", "language_course"])

    page.goto(f"{server.base}/staff/")
    page.fill("#username", "abh1")
    page.fill("#password", "wrong")
    page.click("#login-form button[type=submit]")
    expect(page.locator("#login-error")).to_have_text("Benutzername oder Passwort ist falsch.")
    page.fill("#password", "demo-abh")
    page.click("#login-form button[type=submit]")

    desks = page.locator("[data-desk]")
    expect(desks).to_have_count(2)  # the immigration office's two desks
    page.click("[data-desk=r112]")
    expect(page.locator("#desk-title")).to_have_text("Raum 1.12 (r112)")
    expect(page.locator("#queue")).to_contain_text(visit["ticket"])
    expect(page.locator("#queue")).to_contain_text("Türkisch")

    page.click("[data-action=call-next]")
    expect(page.locator("[data-testid=current-ticket]")).to_have_text(visit["ticket"])
    expect(page.locator("#desk-state")).to_have_text("geöffnet")
    _, seen = server.api("GET", f"/api/v1/visits/{visit['token']}")
    assert seen["status"] == "called"
    assert seen["current"]["desk"] == "r112"

    page.click("[data-action=start]")
    expect(page.locator("#current")).to_contain_text("in Beratung")
    page.click("[data-action=finish]")
    expect(page.locator("#finish-form")).to_be_visible()
    page.check('#finish-add input[value="counselling"]')
    page.fill("#finish-note", "Status geklärt")
    page.click("#finish-form button[type=submit]")
    expect(page.locator("#current")).to_contain_text("Niemand ist aufgerufen.")

    _, seen = server.api("GET", f"/api/v1/visits/{visit['token']}")
    steps = {s["need"]: s for s in seen["steps"]}
    assert steps["residence"]["status"] == "done"
    assert steps["counselling"]["status"] == "pending"
    assert steps["counselling"]["source"] == "referral"

    # A reload keeps the session (its cookie) and the desk.
    page.reload()
    expect(page.locator("#desk-title")).to_have_text("Raum 1.12 (r112)")
    page.click("#logout")
    expect(page.locator("#login-view")).to_be_visible()

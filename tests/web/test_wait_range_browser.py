"""The wait range in words, in real Chromium: kiosk ticket, phone page and display."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.test_kiosk_honest import check_in, open_kiosk

pytestmark = pytest.mark.browser

RANGE_DE = re.compile(r"Geschätzte Wartezeit: etwa (\d+)–(\d+) Minuten")


def test_the_range_is_said_on_ticket_phone_and_display(page: Any, server: Any) -> None:
    staff = server.login("abh1", "demo-abh")
    assert server.api("POST", "/api/v1/desks/r112/open", token=staff)[0] == 200
    for _ in range(4):  # an hour of residence consultations ahead at one desk
        server.check_in(language="de", needs=["residence"])

    open_kiosk(page, server)
    check_in(page, "de", ["residence"])
    ticket = page.locator("[data-testid=wait]")
    expect(ticket).to_contain_text(RANGE_DE)
    found = RANGE_DE.search(ticket.inner_text())
    assert found is not None and int(found.group(1)) < int(found.group(2))

    phone = page.context.new_page()
    phone.goto(f"{server.base}/visit/")
    phone.fill("#code", page.locator("[data-testid=code]").inner_text().lower())
    phone.click("button[type=submit]")
    expect(phone.locator("[data-testid=wait]")).to_contain_text(RANGE_DE)

    display = page.context.new_page()
    display.goto(f"{server.base}/display/?center=lippe&token={server.display_token}")
    abh = display.locator("li.agency-wait[data-agency=abh] [data-testid=range]")
    expect(abh).to_have_text(re.compile(r"ca\. \d+–\d+ Min\."))

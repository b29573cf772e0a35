"""Invitations in the browser: the admin uploads a list (a bad row is named by row and
column and nothing is imported), the good list gets codes and windows; the invitee types
the letter's code at the kiosk, which fills in language and needs, checks in invited,
and the turnout counts them. The planner page runs an upcoming day with progress and
shows waits per agency and the staffing advice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Server, fresh_page
from tests.web.test_kiosk_honest import open_kiosk

pytestmark = pytest.mark.browser
HEADER = "language,needs,residence_status,town,age,leave_by,name,address\n"
GOOD = "uk,residence;language_course,,Detmold,30,,Olena Koval,Markt 2 Detmold\n"
BAD = "fa,residence;flying,,Detmold,40,,Reza Ahmadi,Weg 3\n"


@pytest.fixture
def desk_pc(browser: Any) -> Iterator[Any]:
    yield from fresh_page(browser, 1366, 768)


def sign_in(page: Any, server: Server, path: str) -> None:
    page.goto(server.base + path)
    page.fill("#admin-user", "admin")
    page.fill("#admin-password", "demo-admin")
    page.click("#admin-login button[type=submit]")


def upload(page: Any, text: str) -> None:
    page.set_input_files(
        "#inv-file", files=[{"name": "list.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.click("#inv-upload button[type=submit]")


def test_a_list_is_uploaded_and_the_invitee_checks_in_with_the_code(
    desk_pc: Any, page: Any, server: Server
) -> None:
    admin = desk_pc
    sign_in(admin, server, "/admin/invitations.html")
    expect(admin.locator("nav.sections a[aria-current=page]")).to_have_text("Einladungen")
    upload(admin, HEADER + GOOD + BAD)
    message = admin.locator("#inv-upload-msg")
    expect(message).to_contain_text("Zeile 3, Spalte „needs“", timeout=30_000)
    expect(message).to_contain_text("Dieses Anliegen gibt es hier nicht (flying)")
    expect(message).to_contain_text("nichts übernommen")
    assert "Olena" not in admin.content()
    expect(admin.locator("#inv-list")).to_contain_text("noch keine Einladungen")

    upload(admin, HEADER + GOOD)
    expect(message).to_have_text("1 Einladungen übernommen.", timeout=60_000)
    row = admin.locator("#inv-list tbody tr")
    expect(row).to_have_count(1)
    code = row.locator("td.code").inner_text()
    assert len(code) == 9 and "Olena" not in admin.content()  # the name is for the letter
    expect(admin.locator("[data-figure=invited]")).to_have_text("1")
    letter = row.locator("a").get_attribute("href")
    assert letter and letter.endswith("/letter.html")

    # The kiosk, in German: the code fills in Ukrainian and the letter's two needs.
    open_kiosk(page, server)
    page.click("[data-lang=de]")
    page.click("[data-action=invitation]")
    page.fill("#invitation", "ZZZZ-ZZZZ")
    page.click("[data-action=next]")
    expect(page.locator("#invitation-error")).to_contain_text("Diesen Code kennen wir heute nicht")
    page.fill("#invitation", code.lower())
    page.click("[data-action=next]")
    screen = page.locator("#screen")
    expect(screen).to_have_attribute("data-screen", "needs")
    assert page.evaluate("document.documentElement.lang") == "uk"
    expect(page.locator("[data-need=residence]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-need=language_course]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".invitation-saved")).to_contain_text(code)
    page.click("[data-action=next]")
    for _ in range(8):
        current = screen.get_attribute("data-screen")
        if current == "consent":
            break
        page.click("[data-action=next]" if current == "priority" else "[data-action=skip]")
    page.click("[data-consent=yes]")
    expect(screen).to_have_attribute("data-screen", "ticket", timeout=15_000)

    # The admin sees them come.
    admin.click("#inv-day button[type=submit]")
    expect(admin.locator("[data-figure=came]")).to_have_text("1")
    expect(admin.locator("#inv-list tbody tr td").nth(4)).to_contain_text("ja")


def test_the_planner_runs_an_upcoming_day_with_progress(desk_pc: Any, server: Server) -> None:
    page = desk_pc
    sign_in(page, server, "/admin/planner.html")
    expect(page.locator("nav.sections a[aria-current=page]")).to_have_text("Planung")
    page.fill("#pl-desk-abh", "1")
    page.fill("#pl-days", "2")
    page.click("#pl-run")
    # Progress while the server simulates (the first answer is always "running").
    expect(page.locator("#pl-status")).to_contain_text("Simuliert")
    expect(page.locator("#pl-table tbody tr").first).to_be_visible(timeout=120_000)
    expect(page.locator("#pl-table")).to_contain_text("Ausländerbehörde")
    expect(page.locator("[data-figure=baseline]")).not_to_have_text("")
    expect(page.locator("[data-figure=predicted]")).not_to_have_text("")
    expect(page.locator("#pl-advice")).to_contain_text(
        re.compile(r"Ein zusätzlicher Schalter|keiner Stelle")
    )
    assert page.locator("#pl-chart").count() == 1

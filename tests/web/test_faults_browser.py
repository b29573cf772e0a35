"""What kiosk and desk show while the server says "not now": a calm "trying again",
then the same request again (the kiosk with the same Idempotency-Key), nothing twice."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.test_kiosk_browser import answer_questions_with_skip, open_kiosk

pytestmark = pytest.mark.browser
CHECK_IN = "**/api/v1/centers/lippe/visits"


def problem(status: int, code: str, retry_after: int) -> dict[str, Any]:
    body = {"status": status, "title": "t", "detail": "d", "code": code, "retry_after": 1}
    return {
        "status": status,
        "headers": {"Retry-After": str(retry_after)},
        "content_type": "application/problem+json",
        "body": json.dumps(body),
    }


def check_in_in(page: Any, server: Any, lang: str) -> None:
    open_kiosk(page, server)
    page.click(f"[data-lang={lang}]")
    page.click("[data-need=residence]")
    page.click("[data-action=next]")
    answer_questions_with_skip(page)
    page.click("[data-consent=no]")


@pytest.mark.parametrize(
    ("status", "code", "lang", "note"),
    [
        (429, "kiosk_limit", "ar", "يسجّل كثير من الناس الآن"),  # this kiosk's limit
        (503, "database_unavailable", "tr", "Bağlantı sorunu. Tekrar deniyoruz"),
    ],
)
def test_the_kiosk_waits_calmly_and_retries_with_the_same_key(
    page: Any, server: Any, status: int, code: str, lang: str, note: str
) -> None:
    keys: list[str] = []

    def refuse_first(route: Any) -> None:
        keys.append(route.request.headers.get("idempotency-key", ""))
        if len(keys) == 1:
            route.fulfill(**problem(status, code, 1))
        else:
            route.continue_()

    page.route(CHECK_IN, refuse_first)
    check_in_in(page, server, lang)
    expect(page.locator("#retry-note")).to_contain_text(note)
    ticket = page.locator("[data-testid=ticket]")
    expect(ticket).to_have_text(re.compile(r"^[A-Z]\d{3}$"), timeout=15_000)
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1], keys
    assert server.display()["waiting"] == [ticket.inner_text()]  # one visit


def test_the_desk_retries_an_action_the_locked_database_refused(page: Any, server: Any) -> None:
    visit = server.check_in(language="de", needs=["residence"])
    page.goto(f"{server.base}/staff/")
    page.fill("#username", "abh1")
    page.fill("#password", "demo-abh")
    page.click("#login-form button[type=submit]")
    page.click("[data-desk=r112]")
    page.click("[data-state=open]")
    expect(page.locator("#desk-state")).to_have_text("geöffnet")
    expect(page.locator("#queue")).to_contain_text(visit["ticket"])

    # Another process holds the database's write lock past the server's budget (5 s).
    path = server.env["WELCOME_DATABASE_URL"].split("///", 1)[1]
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        page.click("[data-action=call-next]")
        expect(page.locator("#flash")).to_contain_text(
            "Die Datenbank ist kurz nicht erreichbar. Neuer Versuch", timeout=15_000
        )
        assert page.evaluate("() => document.body.dataset.retrying") == "true"
    finally:
        other.execute("ROLLBACK")
        other.close()
    expect(page.locator("[data-testid=current-ticket]")).to_have_text(
        visit["ticket"], timeout=15_000
    )
    _, seen = server.api("GET", f"/api/v1/visits/{visit['token']}")
    assert seen["status"] == "called" and seen["current"]["desk"] == "r112"

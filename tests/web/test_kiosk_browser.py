"""The kiosk in real Chromium: Arabic check-in (RTL), retry after a lost answer, a closed
day told by the problem's code, the phone page (and its former address), axe-core."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def open_kiosk(page: Any, server: Any) -> None:
    page.goto(f"{server.base}/kiosk/?center=lippe&token={server.kiosk_token}")
    expect(page.locator("[data-lang]").first).to_be_visible()


def answer_questions_with_skip(page: Any) -> None:
    """Skip every optional question until the consent screen."""
    screen = page.locator("#screen")
    for _ in range(10):
        current = screen.get_attribute("data-screen")
        if current == "consent":
            return
        if current == "priority":
            page.click("[data-action=next]")
        else:
            page.click("[data-action=skip]")
    raise AssertionError(f"never reached the consent screen (at {current})")


def test_visitor_checks_in_in_arabic(page: Any, server: Any) -> None:
    open_kiosk(page, server)
    assert "token=" not in page.url  # the device token is kept, not shown
    page.click("[data-lang=ar]")

    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    expect(page.locator("h1")).to_have_text("ما الذي تحتاجه اليوم؟")
    expect(page.locator("[data-need=residence] .tile-label")).to_have_text("تصريح الإقامة")
    expect(page.locator("[data-need=work] .tile-label")).to_have_text("البحث عن عمل")

    page.click("[data-need=residence]")
    page.click("[data-need=work]")
    expect(page.locator("[data-need=work]")).to_have_attribute("aria-pressed", "true")
    page.click("[data-action=next]")
    page.click("[data-value=tolerated]")
    page.click('[data-value="Lügde"]')
    for key in "34":
        page.click(f"[data-key='{key}']")
    page.click("[data-action=next]")
    if page.locator("#screen").get_attribute("data-screen") == "leave":
        page.click("[data-action=skip]")
    page.click("[data-toggle=children]")
    page.click("[data-action=next]")
    page.click("[data-consent=yes]")

    ticket = page.locator("[data-testid=ticket]")
    expect(ticket).to_have_text(re.compile(r"^[A-Z]\d{3}$"))
    expect(page.locator(".steps")).to_contain_text("تصريح الإقامة")
    expect(page.locator(".phone svg.qr")).to_be_visible()

    # The link is the server's (WELCOME_PUBLIC_URL), the token in its fragment.
    code = page.locator("[data-testid=code]").inner_text()
    status, resolved = server.api("POST", "/api/v1/visits/by-code", {"code": code})
    assert status == 200
    token = resolved["token"]
    link = f"{server.base}/visit/#t={token}&c=lippe"
    assert urlparse(link).path == "/visit/"  # the phone page's own place
    assert parse_qs(urlparse(link).fragment)["t"] == [token]
    status, visit = server.api("GET", f"/api/v1/visits/{token}")
    assert status == 200
    assert visit["ticket"] == ticket.inner_text()
    assert visit["language"] == "ar"
    assert {s["need"]: s["agency"] for s in visit["steps"]} == {"residence": "abh", "work": "aa"}
    assert visit["residence_status"] == "tolerated"
    assert visit["municipality"] == "Lügde"
    assert visit["age"] == 34
    assert visit["priority"] == {"children": True, "accessibility": False}
    assert visit["consent_share"] is True

    # The phone page follows the visit, in the visitor's language.
    phone = page.context.new_page()
    phone.goto(link)
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    expect(phone.locator(".ticket")).to_have_text(visit["ticket"])
    expect(phone.locator(".state")).to_have_text("يرجى الانتظار. سننادي عليك.")

    # Done: back to the language screen, in the center's first language.
    page.click("[data-action=done]")
    expect(page.locator("[data-lang=de]")).to_be_visible()
    expect(html).to_have_attribute("dir", "ltr")


def test_check_in_survives_a_lost_answer_with_one_visit(page: Any, server: Any) -> None:
    keys: list[str] = []

    def lose_first_answer(route: Any) -> None:
        keys.append(route.request.headers.get("idempotency-key", ""))
        if len(keys) == 1:
            route.fetch()  # the server gets the check-in and creates the visit ...
            route.abort("connectionreset")  # ... but the kiosk never hears back
        else:
            route.continue_()

    page.route("**/api/v1/centers/lippe/visits", lose_first_answer)
    open_kiosk(page, server)
    page.click("[data-lang=de]")
    page.click("[data-need=counselling]")
    page.click("[data-action=next]")
    answer_questions_with_skip(page)
    page.click("[data-consent=no]")

    ticket = page.locator("[data-testid=ticket]")
    expect(ticket).to_have_text(re.compile(r"^[A-Z]\d{3}$"))
    assert len(keys) == 2, keys
    assert keys[0] and keys[0] == keys[1]  # one Idempotency-Key for the attempt
    assert server.display()["waiting"] == [ticket.inner_text()]  # exactly one visit


def test_closed_or_failing_check_in_is_said_in_the_visitors_language(
    page: Any, server: Any
) -> None:
    page.route("**/api/v1/centers/lippe/visits", lambda route: route.abort("failed"))
    open_kiosk(page, server)
    page.click("[data-lang=uk]")
    page.click("[data-need=residence]")
    page.click("[data-action=next]")
    answer_questions_with_skip(page)
    page.click("[data-consent=yes]")
    expect(page.locator("h1")).to_have_text(
        "Зараз немає з'єднання. Будь ласка, зверніться до персоналу.", timeout=30_000
    )
    expect(page.locator("[data-action=retry]")).to_be_visible()
    assert server.display()["waiting"] == []


def test_unavailable_needs_are_marked_with_their_next_date(page: Any, server: Any) -> None:
    today = server.api("GET", "/api/v1/centers/lippe/today")[1]
    fake = {**today, "needs": [dict(n) for n in today["needs"]]}
    for need in fake["needs"]:
        if need["code"] == "recognition":
            need.update(available=False, next_date="2026-12-01")
    page.route(
        "**/api/v1/centers/lippe/today",
        lambda route: route.fulfill(json=fake),
    )
    open_kiosk(page, server)
    page.click("[data-lang=en]")
    tile = page.locator("[data-need=recognition]")
    expect(tile).to_have_class(re.compile(r"\boff\b"))
    expect(tile).to_contain_text("Not possible today")
    expect(tile).to_contain_text("Tuesday, December 1")
    # Chosen anyway, it is said before confirming and goes on the ticket with its date.
    tile.click()
    expect(page.locator("[data-action=next]")).to_be_enabled()


def test_kiosk_start_and_needs_pages_have_no_serious_axe_violations(page: Any, server: Any) -> None:
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    axe = axe_module.Axe()
    open_kiosk(page, server)

    def serious() -> list[dict[str, Any]]:
        results = axe.run(page)
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    assert serious() == []
    page.click("[data-lang=fa]")
    expect(page.locator(".tile").first).to_be_visible()
    assert serious() == []


def problem(status: int, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    body = {"type": "about:blank", "status": status, "title": "-", "detail": detail, "code": code}
    return {
        "status": status,
        "content_type": "application/problem+json",
        "body": json.dumps(body | extra),
    }


def test_a_closed_day_is_told_by_the_problems_code(page: Any, server: Any) -> None:
    # The details are worded so that no English text could give the closed day away:
    # only `code` says it.
    page.route(
        "**/api/v1/centers/lippe/today",
        lambda route: route.fulfill(
            **problem(404, "day_closed", "heute zu", next_date="2026-12-01")
        ),
    )
    open_kiosk(page, server)
    page.click("[data-lang=de]")
    expect(page.locator("#screen")).to_have_attribute("data-screen", "error")
    expect(page.locator("h1")).to_have_text(
        "Das Zentrum ist heute geschlossen. Der nächste offene Tag ist Dienstag, 1. Dezember."
    )
    expect(page.locator("[data-action=retry]")).to_have_count(0)


def test_a_check_in_refused_for_a_closed_day_is_not_retried(page: Any, server: Any) -> None:
    calls: list[str] = []

    def closed(route: Any) -> None:
        calls.append(route.request.method)
        route.fulfill(**problem(409, "day_closed", "zu", next_date=None))

    page.route("**/api/v1/centers/lippe/visits", closed)
    open_kiosk(page, server)
    page.click("[data-lang=en]")
    page.click("[data-need=residence]")
    page.click("[data-action=next]")
    answer_questions_with_skip(page)
    page.click("[data-consent=yes]")
    expect(page.locator("h1")).to_have_text("The center is closed today.")
    expect(page.locator("[data-action=retry]")).to_have_count(0)
    assert calls == ["POST"]  # a closed day is an answer, not a failure to retry


def test_the_residence_statuses_offered_come_from_today(page: Any, server: Any) -> None:
    today = server.api("GET", "/api/v1/centers/lippe/today")[1]
    assert "tolerated" in today["residence_statuses"]
    fake = {**today, "residence_statuses": ["tolerated", "job_seeker_visa"]}
    page.route("**/api/v1/centers/lippe/today", lambda route: route.fulfill(json=fake))
    open_kiosk(page, server)
    page.click("[data-lang=en]")
    page.click("[data-need=residence]")
    page.click("[data-action=next]")
    choices = page.locator(".choices [data-value]")
    expect(choices).to_have_count(3)  # the two offered, and "I don't know"
    expect(page.locator("[data-value=tolerated]")).to_contain_text("Tolerated stay (Duldung)")
    expect(page.locator("[data-value=tolerated]")).to_contain_text("Duldung")
    # A code the catalogue has no label for yet reads as words, not as a key.
    expect(page.locator("[data-value=job_seeker_visa]")).to_have_text("Job seeker visa")
    expect(page.locator("[data-value=unknown]")).to_have_text("I don't know")


def test_the_phone_page_lives_at_visit_and_its_former_address_redirects(
    page: Any, server: Any
) -> None:
    visit = server.check_in(language="ar", needs=["residence"])
    # A QR code printed before the move: /kiosk/v.html?t=…&c=…
    page.goto(f"{server.base}/kiosk/v.html?t={visit['token']}&c=lippe")
    assert urlparse(page.url).path == "/visit/"
    assert parse_qs(urlparse(page.url).query) == {"t": [visit["token"]], "c": ["lippe"]}
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".ticket")).to_have_text(visit["ticket"])
    expect(page.locator(".state")).to_have_text("يرجى الانتظار. سننادي عليك.")
    expect(page.locator("ol")).to_contain_text("تصريح الإقامة")  # labels from today (?c=)

    # Called at a desk: the page follows over its socket.
    staff = server.login("abh1", "demo-abh")
    status, _ = server.api("POST", "/api/v1/desks/r112/call-next", token=staff)
    assert status == 200
    expect(page.locator(".state.called")).to_be_visible(timeout=8000)

    # A link that knows no visit says so.
    page.goto(f"{server.base}/visit/?t=no-such-visit")
    expect(page.locator(".state")).to_have_text("Diese Nummer ist nicht bekannt.")

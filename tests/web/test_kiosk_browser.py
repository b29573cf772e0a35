"""The kiosk in real Chromium: Arabic check-in (RTL), retry after a lost answer, a closed
day told by the problem's code, the phone page (and its former address), axe-core.

An agency absent today and a closed day are real configurations (the demo file with
another calendar, loaded by `welcome-center load-config`), not faked answers.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from app.cli import DEMO_FILE
from tests.conftest import TEST_DAY

pytestmark = pytest.mark.browser

EVERY_AGENCY_BUT_RECOGNITION = "[abh, jobcenter, aa, kim, tm_mitte, tm_kreis, beratung, sprache]"
NEXT_DAY = TEST_DAY + timedelta(days=2)
LATER_DAY = TEST_DAY + timedelta(days=3)


def demo_with_days(*days: str) -> str:
    """The demo center's file with another calendar (one YAML flow mapping a day)."""
    text = DEMO_FILE.read_text(encoding="utf-8")
    head, _, _ = text.partition("\ndays:\n")
    assert head != text
    return head + "\ndays:\n" + "".join(f"  - {day}\n" for day in days)


# Today without the Anerkennungsberatung (its need `recognition`), every agency in two days.
WITHOUT_RECOGNITION_TODAY = demo_with_days(
    f'{{date: {TEST_DAY}, opens: "00:00", closes: "23:59", '
    f"agencies: {EVERY_AGENCY_BUT_RECOGNITION}}}",
    f'{{date: {NEXT_DAY}, opens: "09:00", closes: "15:00"}}',
)
# A calendar without today: closed, the next open day in three days.
CLOSED_TODAY = demo_with_days(f'{{date: {LATER_DAY}, opens: "09:00", closes: "15:00"}}')
# A calendar of past days only: closed today, and no next day to name.
CLOSED_FOR_GOOD = demo_with_days(
    f'{{date: {TEST_DAY - timedelta(days=7)}, opens: "09:00", closes: "15:00"}}'
)

WEEKDAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS_DE = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
MONTHS_DE = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]


def english(day: date) -> str:
    return f"{WEEKDAYS_EN[day.weekday()]}, {MONTHS_EN[day.month - 1]} {day.day}"


def german(day: date) -> str:
    return f"{WEEKDAYS_DE[day.weekday()]}, {day.day}. {MONTHS_DE[day.month - 1]}"


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


@pytest.mark.parametrize("server_config", [WITHOUT_RECOGNITION_TODAY])
def test_unavailable_needs_are_marked_with_their_next_date(page: Any, server: Any) -> None:
    today = server.api("GET", "/api/v1/centers/lippe/today")[1]
    assert "anerkennung" not in today["agencies"]
    (recognition,) = [n for n in today["needs"] if n["code"] == "recognition"]
    assert recognition["available"] is False
    assert recognition["next_date"] == NEXT_DAY.isoformat()
    open_kiosk(page, server)
    page.click("[data-lang=en]")
    tile = page.locator("[data-need=recognition]")
    expect(tile).to_have_class(re.compile(r"\boff\b"))
    expect(tile).to_contain_text("Not possible today")
    expect(tile).to_contain_text(english(NEXT_DAY))
    expect(page.locator("[data-need=residence]")).not_to_have_class(re.compile(r"\boff\b"))
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


@pytest.mark.parametrize("server_config", [CLOSED_TODAY])
def test_a_closed_day_is_told_by_the_problems_code(page: Any, server: Any) -> None:
    status, body = server.api("GET", "/api/v1/centers/lippe/today")
    assert (status, body["code"], body["next_date"]) == (404, "day_closed", LATER_DAY.isoformat())
    # The server's detail is English: the German sentence comes from the kiosk's own
    # catalogue, chosen by `code` and dated by `next_date`.
    open_kiosk(page, server)
    page.click("[data-lang=de]")
    expect(page.locator("#screen")).to_have_attribute("data-screen", "error")
    expect(page.locator("h1")).to_have_text(
        f"Das Zentrum ist heute geschlossen. Der nächste offene Tag ist {german(LATER_DAY)}."
    )
    expect(page.locator("[data-action=retry]")).to_have_count(0)


def test_a_check_in_refused_for_a_closed_day_is_not_retried(page: Any, server: Any) -> None:
    calls: list[int] = []

    def watch(route: Any) -> None:  # the server's own answer, only counted
        response = route.fetch()
        calls.append(response.status)
        route.fulfill(response=response)

    page.route("**/api/v1/centers/lippe/visits", watch)
    open_kiosk(page, server)
    page.click("[data-lang=en]")
    page.click("[data-need=residence]")
    page.click("[data-action=next]")
    answer_questions_with_skip(page)
    # While the visitor answers, an operator loads a calendar without today.
    server.load_config(CLOSED_FOR_GOOD)
    page.click("[data-consent=yes]")
    expect(page.locator("h1")).to_have_text("The center is closed today.")
    expect(page.locator("[data-action=retry]")).to_have_count(0)
    assert calls == [409]  # a closed day is an answer, not a failure to retry
    assert server.display()["waiting"] == []


def test_the_residence_statuses_offered_come_from_today(page: Any, server: Any) -> None:
    today = server.api("GET", "/api/v1/centers/lippe/today")[1]
    assert "tolerated" in today["residence_statuses"]
    # Still faked: the statuses are the server's ResidenceStatus enum, which no file
    # configures, and the point is a code the catalogue has no label for yet.
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

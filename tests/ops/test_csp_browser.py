"""Every page under its Content-Security-Policy in Chromium: no violation reported.

Each page is loaded by a real server (`welcome-center serve`), given time to render
and go live, and asked for the `securitypolicyviolation` events it saw.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import DISPLAY, KIOSK
from tests.web.conftest import chromium

pytestmark = pytest.mark.browser
COLLECT = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium()


def violations(browser: Any, url: str, ready: str, act: Any = None) -> list[str]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    try:
        page = context.new_page()
        console: list[str] = []
        page.on(
            "console",
            lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.add_init_script(COLLECT)
        page.goto(url)
        page.wait_for_selector(ready, state="attached", timeout=15_000)
        if act is not None:
            act(page)
        page.wait_for_timeout(1500)  # sockets, polling, late rendering
        found: list[str] = page.evaluate("() => window.__csp")
        return found + console
    finally:
        context.close()


def test_no_page_violates_its_policy(browser: Any, served: tuple[str, Path]) -> None:
    base, _ = served
    with httpx.Client(base_url=base, timeout=10) as client:
        r = client.post(
            "/api/v1/centers/lippe/visits",
            json={"language": "ar", "needs": ["residence"]},
            headers={"Authorization": f"Bearer {KIOSK}"},
        )
        assert r.status_code == 201, r.text
        visit = r.json()["token"]
        r = client.post(
            "/api/v1/visits/phone-link",
            json={"token": visit},
            headers={"Authorization": f"Bearer {KIOSK}"},
        )
        qr = r.json().get("qr_svg", "") if r.status_code == 200 else ""

    def show_qr(page: Any) -> None:
        # The kiosk puts the server's QR SVG into its ticket (kiosk/app.js): the same here.
        page.evaluate(
            "(svg) => { const d = document.createElement('div'); d.innerHTML = svg;"
            " document.body.append(d); }",
            qr,
        )

    def sign_in(page: Any) -> None:
        page.fill("#username", "abh1")
        page.fill("#password", "demo-abh")
        page.click("#login-form button[type=submit]")
        page.click("[data-desk=r112]")
        page.wait_for_selector("#desk-title:has-text('r112')")

    def live(page: Any) -> None:
        # A function, not a string: Playwright evaluates a string predicate with eval(),
        # which the pages' script-src refuses.
        page.wait_for_function("() => window.welcomeDisplay.live === 'open'")

    pages = {
        "kiosk": (f"/kiosk/?center=lippe&token={KIOSK}", "button", show_qr),
        "phone": (f"/visit/#t={visit}&c=lippe", "main", None),
        "display": (f"/display/?center=lippe&token={DISPLAY}", "main", live),
        "door sign": (f"/display/?center=lippe&token={DISPLAY}&desk=r112", "main", None),
        "staff": ("/staff/", "#login-form", sign_in),
        "start": ("/", "body", None),
        "docs": ("/docs", ".swagger-ui .info", None),
        "redoc": ("/redoc", "h1", None),
    }
    found = {
        name: seen
        for name, (path, ready, act) in pages.items()
        if (seen := violations(browser, base + path, ready, act))
    }
    # ReDoc's sidebar shows Redocly's logo from cdn.redoc.ly: refused, as it should be
    # (nothing leaves the office network); the page works without it.
    redoc = [v for v in found.pop("redoc", []) if "cdn.redoc.ly/redoc/logo" not in v]
    if redoc:
        found["redoc"] = redoc
    assert not found, json.dumps(found, indent=1)
    assert qr.startswith("<svg"), "the QR code was not exercised"

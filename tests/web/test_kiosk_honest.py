"""The kiosk tells the truth and the phone link works: the QR decodes to the public
address, a closed agency is never "soon", Arabic and Persian screens carry no Latin word
(tickets and codes aside), axe-core finds nothing serious, the invitation code is kept."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SOON = {"de": "Sie sind bald dran.", "en": "It will be your turn soon."}

# Text in ar/fa with a Latin word, outside what is Latin on purpose: tickets and codes
# (data-script="code"), German reference terms (lang="de", the word on letters).
LATIN = """
() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest('[data-script=code], [lang=de], script, style, svg, [hidden]')) continue;
    if (!el.getClientRects().length) continue;
    const lang = el.closest('[lang]')?.getAttribute('lang');
    if (lang !== 'ar' && lang !== 'fa') continue;
    const words = node.textContent.match(/[A-Za-zÀ-ž]{2,}/g);
    if (words) out.push(words.join(' ') + ' in "' + node.textContent.trim().slice(0, 60) + '"');
  }
  return out;
}
"""


RASTER = """
async (size) => {
  const svg = document.querySelector('[data-testid=qr] svg').outerHTML;
  const img = new Image();
  img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, size, size);
  ctx.drawImage(img, 0, 0, size, size);
  const rgba = ctx.getImageData(0, 0, size, size).data;
  const grey = [];
  for (let i = 0; i < rgba.length; i += 4) grey.push(rgba[i]);
  return [size, grey];
}
"""


def open_kiosk(page: Any, server: Any) -> None:
    page.goto(f"{server.base}/kiosk/?center=lippe&token={server.kiosk_token}")
    expect(page.locator("[data-lang]").first).to_be_visible()


def check_in(page: Any, lang: str, needs: list[str], *, invitation: str | None = None) -> None:
    page.click(f"[data-lang={lang}]")
    expect(page.locator("#screen")).to_have_attribute("data-screen", "needs")
    for need in needs:
        page.click(f"[data-need={need}]")
    if invitation:
        page.click("[data-action=invitation]")
        page.fill("#invitation", invitation)
        page.click("[data-action=next]")
    page.click("[data-action=next]")
    screen = page.locator("#screen")
    for _ in range(8):
        current = screen.get_attribute("data-screen")
        if current == "consent":
            break
        page.click("[data-action=next]" if current == "priority" else "[data-action=skip]")
    page.click("[data-consent=yes]")
    expect(screen).to_have_attribute("data-screen", "ticket", timeout=15_000)


def test_a_closed_agency_is_never_soon_and_says_what_happens(page: Any, server: Any) -> None:
    open_kiosk(page, server)
    check_in(page, "de", ["residence"])
    wait = page.locator("[data-testid=wait]")
    expect(wait).to_contain_text("Ausländerbehörde")
    assert SOON["de"] not in wait.inner_text()
    assert re.search(r"öffnen um \d\d:\d\d|kein Schalter offen", wait.inner_text())

    # A desk opens: now an estimate may be given, and "soon" when it is true.
    staff = server.login("abh1", "demo-abh")
    assert server.api("POST", "/api/v1/desks/r112/open", token=staff)[0] == 200
    page.click("[data-action=done]")
    check_in(page, "de", ["work_permit"])
    expect(page.locator("[data-testid=wait]")).to_have_text(
        re.compile(r"bald dran|Wartezeit: etwa")
    )


def test_the_qr_code_decodes_to_the_public_address(page: Any, server: Any) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")

    open_kiosk(page, server)
    check_in(page, "ar", ["residence"])
    qr = page.locator("[data-testid=qr]")
    expect(qr.locator("svg")).to_be_visible()
    # The server's SVG, drawn by the browser, as grey levels for the decoder.
    size, grey = page.evaluate(RASTER, 400)
    image = memoryview(bytes(grey)).cast("B", (size, size))
    results = zxingcpp.read_barcodes(image)
    assert results, "no QR code found"
    url = results[0].text
    # WELCOME_PUBLIC_URL of the test server (conftest): the address phones reach.
    assert url.startswith(f"{server.base}/visit/#t=")
    assert url.endswith("&c=lippe")
    phone = page.context.new_page()
    phone.goto(url)
    expect(phone.locator(".ticket")).to_have_text(page.locator("[data-testid=ticket]").inner_text())
    expect(phone.locator("html")).to_have_attribute("lang", "ar")
    assert phone.evaluate(LATIN) == []

    # Without a camera: the code under the QR, typed on the phone page.
    code = page.locator("[data-testid=code]").inner_text()
    phone.goto(f"{server.base}/visit/")
    phone.fill("#code", code.lower())
    phone.click("button[type=submit]")
    expect(phone.locator(".ticket")).to_have_text(page.locator("[data-testid=ticket]").inner_text())


@pytest.mark.parametrize("lang", ["ar", "fa"])
def test_right_to_left_screens_have_no_latin_words(page: Any, server: Any, lang: str) -> None:
    open_kiosk(page, server)
    page.click(f"[data-lang={lang}]")
    screen = page.locator("#screen")
    expect(screen).to_have_attribute("data-screen", "needs")
    found: list[str] = []
    found += [f"needs: {w}" for w in page.evaluate(LATIN)]
    page.click("[data-need=residence]")
    page.click("[data-need=income]")
    page.click("[data-action=invitation]")
    found += [f"invitation: {w}" for w in page.evaluate(LATIN)]
    page.click("[data-action=back]")
    page.click("[data-action=next]")
    for _ in range(8):
        current = screen.get_attribute("data-screen")
        found += [f"{current}: {w}" for w in page.evaluate(LATIN)]
        if current == "consent":
            break
        page.click("[data-action=next]" if current == "priority" else "[data-action=skip]")
    page.click("[data-consent=no]")
    expect(screen).to_have_attribute("data-screen", "ticket", timeout=15_000)
    found += [f"ticket: {w}" for w in page.evaluate(LATIN)]
    assert found == [], found


def test_no_serious_axe_violation_on_any_kiosk_screen(page: Any, server: Any) -> None:
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    axe = axe_module.Axe()

    def serious(where: str) -> list[str]:
        results = axe.run(page)
        return [
            f"{where}: {v['id']} {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    open_kiosk(page, server)
    found = serious("language")
    page.click("[data-lang=ar]")
    page.click("[data-need=residence]")
    found += serious("needs")
    page.click("[data-action=invitation]")
    found += serious("invitation")
    page.click("[data-action=back]")
    page.click("[data-action=next]")
    screen = page.locator("#screen")
    for _ in range(8):
        current = screen.get_attribute("data-screen")
        found += serious(current)
        if current == "consent":
            break
        page.click("[data-action=next]" if current == "priority" else "[data-action=skip]")
    page.click("[data-consent=yes]")
    expect(screen).to_have_attribute("data-screen", "ticket", timeout=15_000)
    found += serious("ticket")
    page.evaluate("window.welcomeKiosk.idleWarning(9)")
    found += serious("still-here")
    assert found == [], found


def test_the_invitation_code_is_sent_with_the_check_in(page: Any, server: Any) -> None:
    open_kiosk(page, server)
    page.click("[data-lang=en]")
    page.click("[data-action=invitation]")
    page.fill("#invitation", "ab")  # too short: refused
    page.press("#invitation", "Enter")
    expect(page.locator("#invitation-error")).to_be_visible()
    expect(page.locator("[data-action=next]")).to_be_disabled()
    page.fill("#invitation", "lip-2026-0042")  # a scanner types it, then Enter
    page.press("#invitation", "Enter")
    expect(page.locator(".invitation-saved")).to_contain_text("LIP-2026-0042")
    page.click("[data-action=back]")
    expect(page.locator("#screen")).to_have_attribute("data-screen", "language")
    check_in(page, "en", ["counselling"], invitation="LIP-2026-0042")
    code = page.locator("[data-testid=code]").inner_text()
    token = server.api("POST", "/api/v1/visits/by-code", {"code": code})[1]["token"]
    assert server.api("GET", f"/api/v1/visits/{token}")[1]["invitation_code"] == "LIP-2026-0042"

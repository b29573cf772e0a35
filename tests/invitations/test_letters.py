"""Letters: the invitee's language beside German, right to left for Arabic, the code as
text and QR code, the window, what to bring; no inline style or script (CSP)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import segno

from tests.conftest import TEST_DAY, Harness

pytestmark = pytest.mark.anyio
BASE = "/api/v1/admin/centers/lippe/invitations"


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


async def test_a_letter_in_arabic_has_the_code_the_qr_and_german_beside(
    harness: Harness,
) -> None:
    admin = await harness.login("admin")
    body = {
        "date": TEST_DAY.isoformat(),
        "language": "ar",
        "needs": ["residence", "career"],
        "name": "Amal Haddad",
        "address": "Lange Str. 1, 32756 Detmold",
    }
    r = await harness.client.post(BASE, json=body, headers=admin)
    assert r.status_code == 201, r.text
    invitee = r.json()
    code, window = invitee["code"], invitee["window"]
    r = await harness.client.get(f"{BASE}/{invitee['id']}/letter.html", headers=admin)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-store"
    page = r.text
    tags = Tags()
    tags.feed(page)
    sides = [a for t, a in tags.tags if t == "div" and a.get("class") == "side"]
    assert [(a["lang"], a["dir"]) for a in sides] == [("ar", "rtl"), ("de", "ltr")]
    assert code in page and "Amal Haddad" in page and "32756 Detmold" in page
    qr = next(a for t, a in tags.tags if t == "img" and a.get("class") == "qr")
    assert qr["src"] == segno.make(code, error="m").svg_data_uri(scale=4, border=2, dark="#000")
    assert qr["alt"] == f"QR {code}"
    assert f"{window['start']}–{window['end']}" in page
    assert "أنت مدعو إلى مركز الترحيب" in page and "Sie sind am" in page
    assert "تصريح الإقامة" in page  # the need's Arabic label from the center file
    assert "Lebenslauf und Zeugnisse" in page and "السيرة الذاتية والشهادات" in page
    # CSP: the stylesheet is a file; no <style>, no style= attribute, no script.
    assert not re.search(r"<style|<script|\sstyle=", page)
    assert ("link", {"rel": "stylesheet", "href": "/admin/letter.css"}) in tags.tags
    css = await harness.client.get("/admin/letter.css")
    assert css.status_code == 200 and "size: A4" in css.text
    # The day's letters: one page each.
    await harness.client.post(
        BASE, json={**body, "language": "uk", "name": "Olena Koval"}, headers=admin
    )
    day = await harness.client.get(f"{BASE}/letters.html?date={TEST_DAY}", headers=admin)
    assert day.text.count('<section class="letter">') == 2
    assert 'lang="uk"' in day.text and "Olena Koval" in day.text
    # Another center's admin or an unknown number: not found.
    r = await harness.client.get(f"{BASE}/{invitee['id'] + 99}/letter.html", headers=admin)
    assert r.status_code == 404

"""The phone page of a visitor on hold: why, until when and the desk's note, in their language."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_phone_page_says_what_to_bring_and_when_to_come_back(page: Any, server: Any) -> None:
    visit = server.check_in(needs=["residence"], language="ar")
    staff = server.login("abh1", "demo-abh")
    assert server.api("POST", "/api/v1/desks/r112/call-next", token=staff)[0] == 200
    status, _ = server.api(
        "POST",
        "/api/v1/desks/r112/hold",
        {"reason": "documents", "note": "Reisepass"},
        token=staff,
    )
    assert status == 200
    page.goto(f"{server.base}/visit/#t={visit['token']}")
    held = page.get_by_test_id("held")
    # Arabic for "please fetch the missing documents", and the note as the desk wrote it.
    expect(held).to_contain_text("يرجى إحضار المستندات الناقصة")
    expect(held).to_contain_text("Reisepass")
    assert page.locator("html").get_attribute("dir") == "rtl"
    # Released: the hold's text is gone and the visitor waits again as before.
    server.api("POST", "/api/v1/desks/r112/release", {"visit_id": visit["id"]}, token=staff)
    page.reload()
    expect(page.get_by_test_id("held")).to_have_count(0)

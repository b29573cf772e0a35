"""The front ends' addresses: the phone page at /visit/, its former address redirecting."""

from __future__ import annotations

import pytest

from tests.conftest import Harness

pytestmark = pytest.mark.anyio


async def test_the_phone_page_is_served_at_visit(harness: Harness) -> None:
    r = await harness.client.get("/visit/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert 'src="visit.js"' in r.text
    for asset in ("/visit/visit.js", "/visit/visit.css", "/static/i18n.js", "/static/api.js"):
        assert (await harness.client.get(asset)).status_code == 200, asset


@pytest.mark.parametrize("query", ["?t=abc-123_XYZ&c=lippe", "?t=a%2Bb%26c", ""])
async def test_the_former_phone_address_redirects_with_its_query(
    harness: Harness, query: str
) -> None:
    # QR codes on tickets printed before the move point at /kiosk/v.html?t=…&c=….
    r = await harness.client.get(f"/kiosk/v.html{query}", follow_redirects=False)
    assert r.status_code in (307, 308)
    assert r.headers["location"] == f"/visit/{query}"
    # The kiosk itself is still served from /kiosk/.
    assert (await harness.client.get("/kiosk/")).status_code == 200
    assert (await harness.client.get("/kiosk/app.js")).status_code == 200

"""`/`: the demo start page links every screen with the credentials; production's does not."""

from __future__ import annotations

import re

import pytest

from app.config import Settings
from app.main import create_app
from tests.conftest import Harness

pytestmark = pytest.mark.anyio


async def test_every_link_of_the_start_page_works(harness: Harness) -> None:
    await harness.check_in(language="ar", needs=["residence"])  # the phone page links a visitor
    r = await harness.client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    for name in ("kiosk", "display", "door", "staff", "visit", "docs"):
        assert f'data-testid="{name}"' in page, name
    assert "demo-admin" in page and "demo-abh" in page
    links = re.findall(r'href="([^"]+)"', page)
    assert any(link.startswith("/visit/?c=lippe&amp;t=") for link in links)
    for link in links:
        if link.startswith("data:"):
            continue
        got = await harness.client.get(link.replace("&amp;", "&"), follow_redirects=True)
        assert got.status_code == 200, link
    assert (await harness.client.get("/start.css")).headers["content-type"].startswith("text/css")


async def test_production_shows_no_credentials(harness: Harness) -> None:
    app = create_app(Settings(demo=False, secret_key="x" * 32, database_url=harness.db.url))
    import httpx

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        r = await client.get("/")
    assert r.status_code == 200
    assert "demo-" not in r.text and "token" not in r.text
    assert 'href="/staff/"' in r.text and 'href="/docs"' in r.text

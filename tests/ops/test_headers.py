"""Security headers on every HTTP response; /docs and /redoc from local files."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.conftest import Harness

pytestmark = pytest.mark.anyio


def assert_secured(r: httpx.Response) -> None:
    h = r.headers
    assert h["x-content-type-options"] == "nosniff", r.url
    assert h["referrer-policy"] == "no-referrer"
    assert h["x-frame-options"] == "DENY"
    csp = h["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1]
    assert "strict-transport-security" not in h  # plain http


async def test_an_api_response_a_page_and_a_404(harness: Harness) -> None:
    visit = await harness.check_in(needs=["residence"])
    for path in ("/api/v1/meta", f"/api/v1/visits/{visit['token']}", "/api/v1/no-such"):
        r = await harness.client.get(path)
        assert_secured(r)
        assert r.headers["cache-control"] == "no-store", path
    for path in ("/kiosk/", "/visit/", "/display/", "/staff/", "/", "/no/such/page"):
        r = await harness.client.get(path)
        assert_secured(r)
        csp = r.headers["content-security-policy"]
        assert "style-src 'self'" in csp and "unsafe-inline" not in csp, path
    assert (await harness.client.get("/no/such/page")).status_code == 404


async def test_a_route_keeps_its_own_caching(harness: Harness) -> None:
    # The spoken call is a public sound the display replays: cached on purpose.
    display = {"Authorization": "Bearer demo-display-token-wartebereich"}
    r = await harness.client.get(
        "/api/v1/centers/lippe/announce.wav?ticket=A001&desk=r112&lang=de", headers=display
    )
    if r.status_code == 200:
        assert r.headers["cache-control"].startswith("private")
    assert_secured(r)


async def test_hsts_only_over_https(harness: Harness) -> None:
    transport = httpx.ASGITransport(app=harness.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://test") as client:
        r = await client.get("/api/v1/meta")
    assert r.headers["strict-transport-security"].startswith("max-age=")


async def test_docs_and_redoc_load_nothing_from_elsewhere(harness: Harness) -> None:
    for path in ("/docs", "/redoc"):
        r = await harness.client.get(path)
        assert r.status_code == 200
        assert_secured(r)
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", r.text), r.text
        assert "<script>" not in r.text  # no inline script
        for asset in re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", r.text):
            got = await harness.client.get(asset)
            assert got.status_code == 200, asset
            assert_secured(got)

"""Prometheus metrics at /metrics (docs/api.md §9)."""

from __future__ import annotations

import asyncio

import pytest

from app.live.bus import PostgresBus
from tests.conftest import BERLIN, TEST_DAY, Harness

pytestmark = pytest.mark.anyio
TOKEN = "metrics-token-for-the-tests-0123"


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition text (labels in any order)."""
    found = []
    for line in text.splitlines():
        head, _, value = line.rpartition(" ")
        metric, _, rest = head.partition("{")
        pairs = [p.split("=", 1) for p in rest.rstrip("}").split(",") if p]
        if metric == name and {k: v.strip('"') for k, v in pairs} == labels:
            found.append(float(value))
    assert len(found) == 1, f"{name} {labels} in:\n{text}"
    return found[0]


async def scrape(h: Harness) -> str:
    r = await h.client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    assert r.headers["cache-control"] == "no-store"
    return r.text


async def test_metrics_is_404_without_a_configured_token(harness: Harness) -> None:
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": f"Bearer {TOKEN}"}):
        r = await harness.client.get("/metrics", headers=headers)
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_metrics_needs_the_token(harness: Harness) -> None:
    harness.app.state.settings.metrics_token = TOKEN
    staff = await harness.login("admin")
    for headers in ({}, staff, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        r = await harness.client.get("/metrics", headers=headers)
        assert r.status_code == 401, headers
        assert r.headers["www-authenticate"] == "Bearer"
    await scrape(harness)


async def test_metrics_count_the_day_by_agency(harness: Harness) -> None:
    harness.app.state.settings.metrics_token = TOKEN
    text = await scrape(harness)
    assert sample(text, "welcome_checkins_today", center="lippe") == 0
    assert sample(text, "welcome_waiting", center="lippe", agency="abh") == 0
    assert sample(text, "welcome_metrics_database_ok") == 1

    visits = [await harness.check_in(needs=["residence"]) for _ in range(3)]
    await harness.check_in(needs=["work"])
    staff = await harness.login("abh1")
    for action in ("open", "call-next"):
        r = await harness.desk("r112", action, staff)
        assert r.status_code < 300, r.text

    text = await scrape(harness)
    assert sample(text, "welcome_checkins_today", center="lippe") == 4
    assert sample(text, "welcome_checkins_today", center="herford") == 0
    assert sample(text, "welcome_calls_today", center="lippe", agency="abh") == 1
    assert sample(text, "welcome_waiting", center="lippe", agency="abh") == 2
    # No visit token, in a label or anywhere else.
    for visit in visits:
        assert visit["token"] not in text


async def test_latency_is_labelled_by_route_template(harness: Harness) -> None:
    harness.app.state.settings.metrics_token = TOKEN
    visit = await harness.check_in(needs=["work"])
    assert (await harness.client.get(f"/api/v1/visits/{visit['token']}")).status_code == 200
    assert (await harness.client.get("/kiosk/")).status_code == 200
    assert (await harness.client.get("/no/such/page")).status_code == 404
    text = await scrape(harness)
    name = "welcome_http_request_duration_seconds_count"
    assert sample(text, name, method="GET", route="/api/v1/visits/{token}", status="200") == 1
    assert sample(text, name, method="POST", route="/api/v1/centers/{slug}/visits", status="201")
    assert sample(text, name, method="GET", route="/kiosk", status="200") == 1
    assert sample(text, name, method="GET", route="unmatched", status="404") == 1
    assert visit["token"] not in text


async def test_open_sockets_and_the_event_bus(harness: Harness) -> None:
    harness.app.state.settings.metrics_token = TOKEN
    hub = harness.app.state.hub
    text = await scrape(harness)
    assert sample(text, "welcome_websockets_open") == 0
    assert sample(text, "welcome_event_bus_connected") == 1  # the in-memory bus
    assert sample(text, "welcome_event_bus_reconnects_total") == 0

    async with (
        hub.subscribe(center_id=1, day=TEST_DAY, tz=BERLIN),
        hub.subscribe(center_id=1, day=TEST_DAY, tz=BERLIN, visit_id="x"),
    ):
        assert sample(await scrape(harness), "welcome_websockets_open") == 2
    assert sample(await scrape(harness), "welcome_websockets_open") == 0

    bus = PostgresBus("postgresql+asyncpg://nobody@127.0.0.1:1/none")  # never started
    bus.reconnects = 3
    hub.bus = bus
    text = await scrape(harness)
    assert sample(text, "welcome_event_bus_connected") == 0
    assert sample(text, "welcome_event_bus_reconnects_total") == 3


async def test_event_bus_lag_from_commit_to_this_hub(harness: Harness) -> None:
    """Written here: no lag. Written elsewhere (this hub did not see the commit) and
    read from the log 3 s later (a late hint, or the sweep): 3 s, in the "log" path."""
    harness.app.state.settings.metrics_token = TOKEN
    hub = harness.app.state.hub
    name = "welcome_event_bus_lag_seconds"
    async with hub.subscribe(center_id=1, day=TEST_DAY, tz=BERLIN) as sub:
        await harness.check_in(needs=["work"])
        text = await scrape(harness)
        assert sample(text, f"{name}_count", path="commit") == 1
        assert sample(text, f"{name}_sum", path="commit") == 0
        assert sample(text, f"{name}_bucket", path="commit", le="0.001") == 1

        harness.app.state.db.on_events = None  # as if another process had written it
        await harness.check_in(needs=["work"])
        hub.db.on_events = hub.on_events
        harness.clock.advance(3 / 60)
        await hub._sweep()
        for _ in range(100):
            if len(sub.items) == 2:
                break
            await asyncio.sleep(0.01)
        assert [out.seq for out in sub.items] == [sub.items[0].seq, sub.items[0].seq + 1]
        text = await scrape(harness)
        assert sample(text, f"{name}_count", path="log") == 1
        assert sample(text, f"{name}_sum", path="log") == pytest.approx(3.0)
        assert sample(text, f"{name}_bucket", path="log", le="2.0") == 0
        assert sample(text, f"{name}_bucket", path="log", le="5.0") == 1

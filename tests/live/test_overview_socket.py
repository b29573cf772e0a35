"""/ws/centers/{slug}/overview against a real server: the overview as snapshot, then the
center-day's events as the display gets them (tickets, rooms, agencies)."""

from __future__ import annotations

import json

import httpx
import pytest
import websockets

from tests.live.live import ORIGIN, LiveServer, check_in, connect, login, recv

pytestmark = pytest.mark.anyio

PATH = "/ws/centers/lippe/overview"


async def sign_in(client: httpx.AsyncClient, who: str) -> str:
    token = await login(client, who)
    # A sign-in ends the session this client's cookie held: keep each token alive.
    client.cookies.clear()
    return token


async def refused(url: str, first: str | None = None, **kwargs: object) -> None:
    try:
        ws = await connect(url, **kwargs)
    except websockets.InvalidStatus as exc:
        assert exc.response.status_code in (401, 403)
        return
    if first is not None:
        await ws.send(first)
    with pytest.raises(websockets.ConnectionClosed) as info:
        await recv(ws)
    assert info.value.rcvd is not None and info.value.rcvd.code == 1008


@pytest.mark.parametrize("who", ["lead1", "admin"])
async def test_snapshot_then_live_events(
    server: LiveServer, client: httpx.AsyncClient, who: str
) -> None:
    token = await sign_in(client, who)
    admin = {"Authorization": f"Bearer {await sign_in(client, 'admin')}"}
    async with await connect(f"{server.ws}{PATH}") as ws:
        await ws.send(json.dumps({"token": token}))
        snapshot = await recv(ws)
        assert snapshot["type"] == "snapshot"
        data = snapshot["data"]
        assert data["center"]["slug"] == "lippe" and data["seq"] == snapshot["seq"]
        assert {"desks", "agencies", "alerts", "leaving_soon", "counts"} <= set(data)
        visit = await check_in(client, residence_status="recognised", municipality="Kalletal")
        event = await recv(ws)
        assert event["type"] == "visit.checked_in" and event["seq"] == snapshot["seq"] + 1
        text = json.dumps(event)
        assert visit["ticket"] in text
        for secret in (visit["token"], "recognised", "Kalletal"):
            assert secret not in text
        r = await client.post("/api/v1/desks/r113/open", headers=admin)
        assert r.status_code == 200, r.text
        event = await recv(ws)
        assert event["type"] == "desk.opened" and event["data"]["desk"] == "r113"
        await client.post("/api/v1/desks/r113/close", headers=admin)


async def test_the_overview_socket_by_the_session_cookie(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    """The administration page signs in by its cookie, from an allowed Origin only."""
    r = await client.post(
        "/api/v1/auth/login",
        json={"username": "lead1", "password": "demo-lead"},
        headers={"Origin": ORIGIN},
    )
    assert r.status_code == 200, r.text
    cookie = "; ".join(f"{k}={v}" for k, v in r.cookies.items())
    headers = {"Cookie": cookie}
    async with await connect(f"{server.ws}{PATH}", origin=ORIGIN, additional_headers=headers) as ws:
        assert (await recv(ws))["type"] == "snapshot"
    await refused(f"{server.ws}{PATH}", origin="http://evil.example", additional_headers=headers)


async def test_staff_devices_and_strangers_are_refused(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    for who in ("abh1", "aa1"):
        token = await sign_in(client, who)
        await refused(f"{server.ws}{PATH}", first=json.dumps({"token": token}))
    await refused(f"{server.ws}{PATH}?token=demo-display-token-wartebereich")
    await refused(f"{server.ws}{PATH}", first=json.dumps({"token": "nonsense"}))
    lead = await sign_in(client, "lead1")
    await refused(f"{server.ws}/ws/centers/herford/overview", first=json.dumps({"token": lead}))

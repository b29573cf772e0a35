"""A display revoked in the administration pages: its open socket closes (1008) at once,
a new one is refused, and a display paired anew closes the old tablet's socket."""

from __future__ import annotations

import httpx
import pytest
import websockets

from tests.live.live import DISPLAY, LiveServer, connect, login, recv

pytestmark = pytest.mark.anyio
DEVICES = "/api/v1/admin/centers/lippe/devices"


async def closed_with_policy(ws: websockets.ClientConnection) -> list[str]:
    """The types received until the server closed the socket, which it must do with 1008."""
    seen: list[str] = []
    with pytest.raises(websockets.ConnectionClosed) as info:
        while True:
            seen.append((await recv(ws))["type"])
    assert info.value.rcvd is not None and info.value.rcvd.code == 1008
    return seen


async def test_a_revoked_display_is_disconnected_and_refused(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    admin = {"Authorization": f"Bearer {await login(client, 'admin')}"}
    # A second display, paired through its link, watches alongside the demo's.
    r = await client.post(DEVICES, json={"name": "tv-flur", "kind": "display"}, headers=admin)
    assert r.status_code == 201, r.text
    code = r.json()["pairing"]["url"].split("#code=", 1)[1]
    token = (await client.post("/api/v1/devices/pair", json={"code": code})).json()["token"]

    url = f"{server.ws}/ws/centers/lippe/display?token="
    async with await connect(url + token) as paired, await connect(url + DISPLAY) as demo:
        assert (await recv(paired))["type"] == "snapshot"
        assert (await recv(demo))["type"] == "snapshot"
        r = await client.delete(f"{DEVICES}/tv-flur", headers=admin)
        assert r.status_code == 204
        assert await closed_with_policy(paired) == ["center.configured"]
        # The other display only reloads and stays.
        assert (await recv(demo))["type"] == "center.configured"
        assert (await recv(demo))["type"] == "snapshot"
    with pytest.raises((websockets.InvalidStatus, websockets.ConnectionClosed)):
        async with await connect(url + token) as ws:
            await recv(ws)
    r = await client.get(
        "/api/v1/centers/lippe/display", headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 401


async def test_pairing_a_replacement_closes_the_old_tablets_socket(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    admin = {"Authorization": f"Bearer {await login(client, 'admin')}"}
    url = f"{server.ws}/ws/centers/lippe/display?token="
    async with await connect(url + DISPLAY) as old:
        assert (await recv(old))["type"] == "snapshot"
        r = await client.post(f"{DEVICES}/display-wartebereich/pairing", headers=admin)
        assert r.status_code == 200, r.text
        # Until the new tablet pairs, the old one keeps working.
        status = await client.get(
            "/api/v1/centers/lippe/display", headers={"Authorization": f"Bearer {DISPLAY}"}
        )
        assert status.status_code == 200
        code = r.json()["pairing"]["url"].split("#code=", 1)[1]
        paired = await client.post("/api/v1/devices/pair", json={"code": code})
        assert paired.status_code == 200
        assert await closed_with_policy(old) == ["center.configured"]
    new = {"Authorization": f"Bearer {paired.json()['token']}"}
    assert (await client.get("/api/v1/centers/lippe/display", headers=new)).status_code == 200
    old_token = {"Authorization": f"Bearer {DISPLAY}"}
    assert (await client.get("/api/v1/centers/lippe/display", headers=old_token)).status_code == 401

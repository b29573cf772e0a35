"""The WebSocket channels of API.md §4 against a real server in a subprocess."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from sqlalchemy import delete

from app.db import Database
from app.journal.models import Event
from tests.auth.matrix import CALLERS, SOCKETS, lead_opens
from tests.live.live import (
    DISPLAY,
    KIOSK,
    ORIGIN,
    LiveServer,
    check_in,
    connect,
    login,
    recv,
)

pytestmark = pytest.mark.anyio

PERSONAL = ("token", "id", "residence_status", "municipality", "age", "steps", "invitation_code")


def display_url(server: LiveServer, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"token": DISPLAY, **params}.items())
    return f"{server.ws}/ws/centers/lippe/display?{query}"


async def refused(url: str, first: str | None = None, **kwargs: Any) -> None:
    """Refused at the handshake (401/403) or closed with 1008 before any message."""
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


async def test_snapshot_then_ordered_redacted_events(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    async with await connect(display_url(server)) as ws:
        snap = await recv(ws)
        assert snap["type"] == "snapshot" and set(snap) == {"seq", "type", "at", "data"}
        assert snap["data"]["seq"] == snap["seq"] and "desks" in snap["data"]
        visits = [
            await check_in(client, language=lang, residence_status="tolerated", age=34)
            for lang in ("ar", "uk", "de")
        ]
        for i, visit in enumerate(visits, start=1):
            msg = await recv(ws)
            assert set(msg) == {"seq", "type", "at", "data"}
            assert msg["seq"] == snap["seq"] + i and msg["type"] == "visit.checked_in"
            assert msg["at"][-6] in "+-"  # an ISO timestamp with its offset
            shown = msg["data"]["visit"]
            assert shown["ticket"] == visit["ticket"] and shown["language"] == visit["language"]
            assert not set(shown) & set(PERSONAL)
            assert visit["token"] not in json.dumps(msg) and visit["id"] not in json.dumps(msg)


async def test_desk_channel_snapshot_and_full_events(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    token = await login(client, "abh1")
    visit = await check_in(client, needs=["residence"])
    async with await connect(f"{server.ws}/ws/desks/r113?token={token}") as ws:
        snap = await recv(ws)
        assert snap["type"] == "snapshot"
        assert snap["data"]["desk"]["code"] == "r113"
        assert visit["ticket"] in [v["ticket"] for v in snap["data"]["queue"]]
        r = await client.post(
            "/api/v1/desks/r113/call-next", headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 200
        seen = [await recv(ws) for _ in range(2 if snap["data"]["desk"]["state"] != "open" else 1)]
        assert [m["seq"] for m in seen] == list(range(snap["seq"] + 1, snap["seq"] + 1 + len(seen)))
        called = seen[-1]
        assert called["type"] == "visit.called" and called["data"]["desk"] == "r113"
        assert "token" not in called["data"]["visit"]
        await client.post(
            "/api/v1/desks/r113/no-show", headers={"Authorization": f"Bearer {token}"}
        )
        await client.post(
            "/api/v1/desks/r113/no-show", headers={"Authorization": f"Bearer {token}"}
        )


async def test_visit_channel_gets_only_its_own_visit(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    mine = await check_in(client, needs=["counselling"])
    async with await connect(f"{server.ws}/ws/visits/{mine['token']}") as ws:
        snap = await recv(ws)
        assert snap["type"] == "snapshot"
        status = (await client.get(f"/api/v1/visits/{mine['token']}")).json()
        assert snap["data"] == status
        await check_in(client, needs=["counselling"])  # someone else's event
        r = await client.post(f"/api/v1/visits/{mine['token']}/cancel", json={})
        assert r.status_code == 200
        msg = await recv(ws)
        assert msg["type"] == "visit.cancelled" and msg["data"]["visit"]["id"] == mine["id"]
        assert msg["seq"] > snap["seq"] + 1  # the other check-in was skipped
    await refused(f"{server.ws}/ws/visits/not-a-real-token")


async def test_resume_with_since_gets_exactly_what_was_missed(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    async with await connect(display_url(server)) as ws:
        last = (await recv(ws))["seq"]
        await check_in(client)
        last = (await recv(ws))["seq"]
    missed = [await check_in(client) for _ in range(4)]
    async with await connect(display_url(server, since=last)) as ws:
        got = [await recv(ws) for _ in range(4)]
        assert [m["seq"] for m in got] == [last + 1, last + 2, last + 3, last + 4]
        assert [m["data"]["visit"]["ticket"] for m in got] == [v["ticket"] for v in missed]
        await check_in(client)
        assert (await recv(ws))["seq"] == last + 5  # and then live, no gap
    async with await connect(display_url(server, since=last + 5)) as ws:
        await check_in(client)
        assert (await recv(ws))["seq"] == last + 6  # nothing missed: straight to live


async def test_since_the_log_cannot_serve_gives_a_fresh_snapshot(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    await check_in(client)
    async with await connect(display_url(server, since=10**6)) as ws:
        snap = await recv(ws)
        assert snap["type"] == "snapshot"
    # Purge the start of today's log, as a retention job would: those are gone for good.
    db = Database(server.db_url)
    try:
        async with db.write() as session:
            await session.execute(delete(Event).where(Event.seq <= 2))
    finally:
        await db.dispose()
    async with await connect(display_url(server, since=1)) as ws:
        again = await recv(ws)
        assert again["type"] == "snapshot" and again["seq"] >= snap["seq"]
        await check_in(client)
        assert (await recv(ws))["seq"] == again["seq"] + 1


async def test_token_as_first_message_and_ping(server: LiveServer) -> None:
    async with await connect(f"{server.ws}/ws/centers/lippe/display") as ws:
        await ws.send(json.dumps({"token": DISPLAY}))
        snap = await recv(ws)
        assert snap["type"] == "snapshot"
        await ws.send(json.dumps({"type": "ping"}))
        pong = await recv(ws)
        assert pong["type"] == "pong" and pong["seq"] == snap["seq"]
    ws = await connect(f"{server.ws}/ws/centers/lippe/display")
    await ws.send(json.dumps({"token": "wrong"}))
    with pytest.raises(websockets.ConnectionClosed) as info:
        await recv(ws)
    assert info.value.rcvd is not None and info.value.rcvd.code == 1008


async def test_who_may_open_which_channel(server: LiveServer, client: httpx.AsyncClient) -> None:
    abh = await login(client, "abh1")
    admin = await login(client, "admin")
    await refused(f"{server.ws}/ws/desks/r112?token={DISPLAY}")  # a display is no desk
    await refused(f"{server.ws}/ws/desks/r114?token={abh}")  # the jobcenter's desk
    await refused(f"{server.ws}/ws/desks/r112", first="{}")  # no token in the first message
    await refused(f"{server.ws}/ws/desks/r112?token=nonsense")
    await refused(display_url(server, token=abh))  # staff may not pose as the display
    await refused(f"{server.ws}/ws/centers/elsewhere/display?token={DISPLAY}")
    for url in (f"{server.ws}/ws/desks/r114?token={admin}", display_url(server, token=admin)):
        async with await connect(url) as ws:
            assert (await recv(ws))["type"] == "snapshot"


@pytest.mark.parametrize(
    ("template", "path", "opens"), [(template, path, opens) for template, path, opens in SOCKETS]
)
async def test_socket_authorisation_matrix(
    server: LiveServer, client: httpx.AsyncClient, template: str, path: str, opens: tuple[bool, ...]
) -> None:
    """The rows of tests/auth/matrix.py, each caller's token sent as the first message;
    the read-only lead by LEAD_SOCKETS there."""
    callers = [*zip(CALLERS, opens, strict=True), ("lead1", lead_opens(template))]
    for caller, allowed in callers:
        token = {"anonymous": "", "kiosk": KIOSK, "display": DISPLAY}.get(caller)
        if token is None:
            token = await login(client, caller)
        first = json.dumps({"token": token})
        if not allowed:
            await refused(f"{server.ws}{path}", first=first)
            continue
        async with await connect(f"{server.ws}{path}") as ws:
            await ws.send(first)
            assert (await recv(ws))["type"] == "snapshot", f"{caller} {path}"


async def test_origin_allow_list(server: LiveServer) -> None:
    await refused(display_url(server), origin="http://evil.example")
    async with await connect(display_url(server), origin=ORIGIN) as ws:
        assert (await recv(ws))["type"] == "snapshot"
    async with await connect(display_url(server)) as ws:  # no Origin: not a browser
        assert (await recv(ws))["type"] == "snapshot"


TOGGLED = ("r201", "r202", "r203", "r204", "r205", "r206")


async def toggle_desks(client: httpx.AsyncClient, admin: str, total: int) -> None:
    """Write `total` cheap events (desks paused and opened), then close those desks."""
    headers = {"Authorization": f"Bearer {admin}"}

    async def toggle(desk: str, count: int) -> None:
        for i in range(count):
            action = ("pause", "open")[i % 2]
            r = await client.post(f"/api/v1/desks/{desk}/{action}", headers=headers)
            assert r.status_code == 200, r.text

    if total:
        per_desk, extra = divmod(total, len(TOGGLED))
        await asyncio.gather(*(toggle(d, per_desk + (i < extra)) for i, d in enumerate(TOGGLED)))
    for desk in TOGGLED:
        r = await client.post(f"/api/v1/desks/{desk}/close", headers=headers)
        assert r.status_code == 200, r.text


@pytest.mark.slow
async def test_a_thousand_events_arrive_in_order_without_a_gap(
    server: LiveServer, client: httpx.AsyncClient
) -> None:
    admin = await login(client, "admin")
    sockets = [await connect(display_url(server)) for _ in range(3)]
    sockets.append(await connect(f"{server.ws}/ws/desks/r112?token={admin}"))
    starts = [(await recv(ws))["seq"] for ws in sockets]
    total = 1000

    async def read(ws: Any) -> list[int]:
        return [(await recv(ws))["seq"] for _ in range(total)]

    readers = [asyncio.create_task(read(ws)) for ws in sockets]
    await toggle_desks(client, admin, total)
    for seqs, start in zip(await asyncio.gather(*readers), starts, strict=True):
        assert seqs == list(range(start + 1, start + 1 + total))
    for ws in sockets:
        await ws.close()


@pytest.mark.slow
async def test_a_slow_consumer_does_not_delay_the_others(template_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "welcome.db"
    shutil.copy(template_db, path)
    srv = LiveServer(f"sqlite+aiosqlite:///{path}", WELCOME_WS_QUEUE_LIMIT="8").start()
    try:
        async with httpx.AsyncClient(base_url=srv.http, timeout=30) as client:
            admin = await login(client, "admin")
            desk_url = f"{srv.ws}/ws/desks/r112?token={admin}"
            await toggle_desks(client, admin, 0)
            # A peer that reads nothing, with a tiny receive window, so the server's
            # buffers for it fill up quickly; max_queue=1 stops the library reading too.
            raw = socket.socket()
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
            raw.connect(("127.0.0.1", srv.port))
            slow = await connect(desk_url, sock=raw, max_queue=1, ping_interval=None)
            fast = [await connect(desk_url) for _ in range(3)]
            start = (await recv(fast[0]))["seq"]
            for ws in fast[1:]:
                assert (await recv(ws))["seq"] == start
            total = 600

            async def read(ws: Any) -> float:
                for n in range(1, total + 1):
                    assert (await recv(ws))["seq"] == start + n
                return time.monotonic()

            readers = [asyncio.create_task(read(ws)) for ws in fast]
            await toggle_desks(client, admin, total)
            done_at = time.monotonic()
            finished = await asyncio.wait_for(asyncio.gather(*readers), timeout=30)
            assert max(finished) - done_at < 2.0
            # The slow one is intact, or was dropped (1013, or cut off if even the close
            # frame could not get through) and catches up from the log: nothing is lost.
            seqs: list[int] = []
            try:
                assert (await recv(slow))["seq"] == start  # its snapshot
                while len(seqs) < total:
                    seqs.append((await recv(slow, wait=5))["seq"])
            except websockets.ConnectionClosed as exc:
                assert exc.rcvd is None or exc.rcvd.code == 1013
                last = seqs[-1] if seqs else start
                async with await connect(f"{desk_url}&since={last}") as again:
                    seqs += [(await recv(again))["seq"] for _ in range(start + total - last)]
            assert seqs == list(range(start + 1, start + total + 1))
            for ws in fast:
                await ws.close()
    finally:
        srv.stop()

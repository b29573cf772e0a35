"""The lighter per-socket pieces: SocketProtocol's queue and flag, WelcomeApp's dispatch."""

from __future__ import annotations

import asyncio

import pytest

from app.cli import WS_OPTIONS
from app.live.protocol import Flag, Inbox, SocketProtocol
from app.live.ws import open_desk, open_display, open_visit, socket_route
from app.main import WelcomeApp
from tests.conftest import Harness

pytestmark = pytest.mark.anyio


def test_serve_uses_the_lighter_protocol() -> None:
    from uvicorn.importer import import_from_string

    assert import_from_string(WS_OPTIONS["ws"]) is SocketProtocol


async def test_inbox_is_fifo_and_wakes_a_waiting_get() -> None:
    inbox = Inbox()
    assert inbox.empty()
    getter = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    assert not getter.done()
    inbox.put_nowait({"n": 1})
    inbox.put_nowait({"n": 2})
    assert await getter == {"n": 1}
    assert not inbox.empty()
    assert await inbox.get() == {"n": 2}
    assert inbox.empty()


async def test_inbox_get_can_be_cancelled_and_used_again() -> None:
    inbox = Inbox()
    getter = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    getter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await getter
    inbox.put_nowait("x")
    assert await asyncio.wait_for(inbox.get(), 1) == "x"


async def test_flag_blocks_while_cleared_and_releases_every_waiter() -> None:
    flag = Flag(True)
    await asyncio.wait_for(flag.wait(), 1)
    flag.clear()
    assert not flag.is_set()
    waiters = [asyncio.ensure_future(flag.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiters)
    flag.set()
    await asyncio.wait_for(asyncio.gather(*waiters), 1)
    assert flag.is_set()


def test_socket_paths_are_dispatched_before_the_middleware_stack() -> None:
    def scope(path: str, root: str = "") -> dict[str, str]:
        return {"type": "websocket", "path": root + path, "root_path": root}

    assert socket_route(scope("/ws/centers/lippe/display")) == (open_display, {"slug": "lippe"})
    assert socket_route(scope("/ws/desks/r201", "/app")) == (open_desk, {"code": "r201"})
    assert socket_route(scope("/ws/visits/abc")) == (open_visit, {"visit_token": "abc"})
    assert socket_route(scope("/ws/desks/r201/extra")) is None
    assert socket_route(scope("/api/v1/centers")) is None


async def test_http_still_goes_through_fastapi(harness: Harness) -> None:
    assert isinstance(harness.app, WelcomeApp)
    r = await harness.client.get("/api/v1/centers/lippe/today")
    assert r.status_code == 200
    r = await harness.client.get("/ws/centers/lippe/display")  # HTTP on a socket path
    assert r.status_code in (403, 404)

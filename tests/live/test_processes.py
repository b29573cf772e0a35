"""Across processes: a server killed with -9 and restarted, and several workers on PostgreSQL."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live.live import DISPLAY, LiveServer, check_in, connect, login, recv

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def last_seqs(sockets: list[Any], expect: int) -> list[int]:
    """Read `expect` events from each socket, checking each stream has no gap."""
    out = []
    for ws in sockets:
        seqs = [(await recv(ws))["seq"] for _ in range(expect)]
        assert seqs == list(range(seqs[0], seqs[0] + expect))
        out.append(seqs[-1])
    return out


async def test_clients_resume_after_kill_9_and_miss_nothing(
    template_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "welcome.db"
    shutil.copy(template_db, path)
    url = f"sqlite+aiosqlite:///{path}"
    first = LiveServer(url).start()
    try:
        async with httpx.AsyncClient(base_url=first.http, timeout=30) as client:
            admin = await login(client, "admin")
            urls = [
                f"{first.ws}/ws/centers/lippe/display?token={DISPLAY}",
                f"{first.ws}/ws/desks/r112?token={admin}",
            ]
            sockets = [await connect(u) for u in urls]
            seen = [(await recv(ws))["seq"] for ws in sockets]
            for _ in range(3):
                await check_in(client)
            seen = await last_seqs(sockets, 3)
        first.kill9()
        for ws in sockets:
            await ws.close()
    finally:
        first.stop()
    second = LiveServer(url, port=first.port).start()
    try:
        async with httpx.AsyncClient(base_url=second.http, timeout=30) as client:
            missed = [await check_in(client) for _ in range(4)]  # while the screens were away
            sockets = [await connect(f"{u}&since={s}") for u, s in zip(urls, seen, strict=True)]
            got = [[await recv(ws) for _ in range(4)] for ws in sockets]
            for since, msgs in zip(seen, got, strict=True):
                assert [m["seq"] for m in msgs] == [since + 1, since + 2, since + 3, since + 4]
                assert [m["data"]["visit"]["ticket"] for m in msgs] == [v["ticket"] for v in missed]
            await check_in(client)
            assert [(await recv(ws))["seq"] for ws in sockets] == [s + 5 for s in seen]
            for ws in sockets:
                await ws.close()
    finally:
        second.stop()


@pytest.mark.postgres
async def test_a_check_in_on_one_worker_reaches_screens_on_every_worker(pg_url: str) -> None:
    # No sweep: only the PostgreSQL bus may carry the event to the other worker.
    server = LiveServer(pg_url, workers=2, WELCOME_WS_SWEEP_SECONDS="0").start()
    try:
        url = f"{server.ws}/ws/centers/lippe/display?token={DISPLAY}"
        sockets: list[Any] = []
        workers: set[str] = set()
        while len(sockets) < 60 and (len(workers) < 2 or len(sockets) < 10):
            ws = await connect(url)
            workers.add(ws.response.headers["x-welcome-worker"])
            sockets.append(ws)
        assert len(workers) == 2, "every connection went to one worker"
        starts = [(await recv(ws))["seq"] for ws in sockets]
        async with httpx.AsyncClient(base_url=server.http, timeout=30) as client:
            tickets = [(await check_in(client))["ticket"] for _ in range(3)]

        async def three(ws: Any) -> list[dict[str, Any]]:
            return [await recv(ws, wait=5) for _ in range(3)]

        got = await asyncio.gather(*(three(ws) for ws in sockets))
        for start, msgs in zip(starts, got, strict=True):
            assert [m["seq"] for m in msgs] == [start + 1, start + 2, start + 3]
            assert [m["data"]["visit"]["ticket"] for m in msgs] == tickets
        for ws in sockets:
            await ws.close()
    finally:
        server.stop()

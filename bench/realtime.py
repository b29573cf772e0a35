"""make bench-realtime: live-update delivery, ours beside a bare `websockets` broadcast.

1. N display sockets on one server (SQLite, one worker, started like `welcome-center
   serve`): desk events are written over HTTP, one at a time and spaced (a center makes
   about one event a second; nothing here queues up behind a slow check-in).
2. The same N on a bare `websockets` server (no compression) that stamps and broadcasts
   a message of the same shape and size: the floor for Python on this machine.
   vs_raw = its p99 / ours (1.0: as fast as bare).
3. Memory per idle connection: the server's RSS growth over the N connections / N.
4. PostgreSQL: events written by one server process, delivered by a 2-worker server
   through LISTEN/NOTIFY (the sweep is off, so only the bus carries them).

Delivery latency (p50, p99 over every socket-event) is measured the same way for both
servers: from the server's own stamp of the event to its receipt by the client. Ours
is the event's `at`, taken by the writing request before its transaction commits (so
it includes the write and the commit: conservative); the bare server's is the moment
it receives the trigger. Both on this host's clock. The "req" columns are end to end,
from just before the client sends the trigger (for us an HTTP request to a desk
action, for the bare server one small WebSocket message), for information.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import websockets

from bench.liveserver import LiveServer, free_port, prepare_database
from bench.pgcluster import PgCluster, pg_bin

DISPLAY = "demo-display-token-wartebereich"
# What a display gets for a desk event, for the bare server to send the same bytes.
DATA = {
    "desk": "r201",
    "room": "Raum 201",
    "room_labels": {"de": "Raum 201", "en": "Room 201"},
    "agency": "jobcenter",
    "state": "paused",
}
SPACING = 0.05  # seconds between the last receipt of one event and the next trigger
Trigger = Callable[[int], Awaitable[None]]
Latencies = dict[str, list[float]]


def raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def open_all(url: str, n: int) -> list[Any]:
    sockets: list[Any] = []
    for start in range(0, n, 100):
        batch = [
            websockets.connect(url, open_timeout=60, ping_interval=None, max_queue=None)
            for _ in range(start, min(n, start + 100))
        ]
        sockets += await asyncio.gather(*batch)
    return sockets


async def measure(sockets: list[Any], trigger: Trigger, events: int, skip_first: bool) -> Latencies:
    """Each event at each socket, in ms: from the server's stamp, and from the trigger."""
    if skip_first:
        await asyncio.gather(*(ws.recv() for ws in sockets))  # the snapshots
    out: Latencies = {"delivery": [], "request": []}
    # The client's own collector would stop it for 100+ ms with 1,000 sockets' objects
    # around and show up in both servers' tails: collect between events, never during.
    gc.disable()
    try:
        for i in range(events):
            gc.collect()
            await _one(sockets, trigger, i, out)
    finally:
        gc.enable()
    return out


async def _one(sockets: list[Any], trigger: Trigger, i: int, out: Latencies) -> None:
    """One event: receivers parked first, then the trigger, then every receipt."""
    arrived = [0.0] * len(sockets)
    waiting = [asyncio.ensure_future(ws.recv()) for ws in sockets]
    for k, fut in enumerate(waiting):
        fut.add_done_callback(lambda _f, k=k, a=arrived: a.__setitem__(k, time.time()))
    await asyncio.sleep(SPACING)  # every receiver is parked before the event exists
    t0 = time.time()
    await trigger(i)
    messages = await asyncio.wait_for(asyncio.gather(*waiting), timeout=30)
    for text, t in zip(messages, arrived, strict=True):
        stamp = datetime.fromisoformat(json.loads(text)["at"]).timestamp()
        out["delivery"].append((t - stamp) * 1000)
        out["request"].append((t - t0) * 1000)


def summary(lat: Latencies) -> dict[str, float]:
    d, r = lat["delivery"], lat["request"]
    return {"p50": pct(d, 0.5), "p99": pct(d, 0.99), "r50": pct(r, 0.5), "r99": pct(r, 0.99)}


async def ours(n: int, events: int, workdir: Path) -> dict[str, float]:
    from app.migrate import upgrade

    url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    await asyncio.to_thread(upgrade, url)
    await prepare_database(url)
    server = LiveServer(url, quiet=True).start()
    try:
        async with httpx.AsyncClient(base_url=server.http, timeout=30) as client:
            token = await _admin_token(client)
            ws_url = f"{server.ws}/ws/centers/lippe/display?token={DISPLAY}"
            warm = await open_all(ws_url, 1)
            await warm[0].recv()
            await asyncio.sleep(0.5)
            before = rss_kib(server.proc.pid)  # type: ignore[union-attr]
            sockets = await open_all(ws_url, n)
            await asyncio.gather(*(ws.recv() for ws in sockets))
            await asyncio.sleep(1.0)
            kib = (rss_kib(server.proc.pid) - before) / n  # type: ignore[union-attr]
            lat = await measure(sockets, _toggler(client, token), events, skip_first=False)
            for ws in [*sockets, *warm]:
                await ws.close()
    finally:
        server.stop()
    return {**summary(lat), "kib": kib}


async def raw(n: int, events: int) -> dict[str, float]:
    port = free_port()
    proc = _spawn_raw(port)
    try:
        for _ in range(100):
            try:
                control = await websockets.connect(f"ws://127.0.0.1:{port}/control")
                break
            except OSError:
                await asyncio.sleep(0.1)
        sockets = await open_all(f"ws://127.0.0.1:{port}/", n)

        async def trigger(i: int) -> None:
            await control.send(json.dumps({"seq": i + 1, "type": "desk.paused", "data": DATA}))

        lat = await measure(sockets, trigger, events, skip_first=False)
        for ws in [*sockets, control]:
            await ws.close()
    finally:
        proc.terminate()
        proc.wait()
    return summary(lat)


def _spawn_raw(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bench.realtime", "--raw-server", str(port)])


def raw_server(port: int) -> None:
    """The bare floor: one process, websockets.broadcast to every connection."""

    async def main() -> None:
        clients: set[Any] = set()

        async def handler(ws: Any) -> None:
            if ws.request.path == "/control":
                async for message in ws:
                    # Stamped and encoded once, as ours is: the same envelope.
                    body = json.loads(message)
                    body["at"] = datetime.now(UTC).isoformat()
                    websockets.broadcast(clients, json.dumps(body, separators=(",", ":")))
                return
            clients.add(ws)
            try:
                await ws.wait_closed()
            finally:
                clients.discard(ws)

        serve = websockets.serve(handler, "127.0.0.1", port, ping_interval=None, compression=None)
        async with serve:
            await asyncio.Future()

    asyncio.run(main())


async def pg_cross_worker(clients: int, events: int) -> dict[str, float] | None:
    if pg_bin() is None:
        return None
    from app.migrate import upgrade

    with PgCluster() as cluster:
        await cluster.create_database("bench")
        url = cluster.url("bench")
        await asyncio.to_thread(upgrade, url)
        await prepare_database(url)
        env = {"WELCOME_WS_SWEEP_SECONDS": "0"}
        readers = LiveServer(url, workers=2, quiet=True, **env).start()
        writer = LiveServer(url, quiet=True, **env).start()
        try:
            ws_url = f"{readers.ws}/ws/centers/lippe/display?token={DISPLAY}"
            sockets = await open_all(ws_url, clients)
            workers = {ws.response.headers["x-welcome-worker"] for ws in sockets}
            async with httpx.AsyncClient(base_url=writer.http, timeout=30) as client:
                token = await _admin_token(client)
                lat = await measure(sockets, _toggler(client, token), events, skip_first=True)
            for ws in sockets:
                await ws.close()
        finally:
            writer.stop()
            readers.stop()
    return {**summary(lat), "workers": len(workers)}


async def _admin_token(client: httpx.AsyncClient) -> str:
    r = await client.post(
        "/api/v1/auth/login", json={"username": "admin", "password": "demo-admin"}
    )
    r.raise_for_status()
    return r.json()["access_token"]


def _toggler(client: httpx.AsyncClient, token: str) -> Trigger:
    headers = {"Authorization": f"Bearer {token}"}

    async def trigger(i: int) -> None:
        action = ("open", "pause")[i % 2]
        r = await client.post(f"/api/v1/desks/r201/{action}", headers=headers)
        r.raise_for_status()

    return trigger


def row(label: str, r: dict[str, float]) -> str:
    return f"{label:32}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['r50']:>11.1f}{r['r99']:>11.1f}"


async def run(n: int, events: int) -> None:
    with tempfile.TemporaryDirectory(prefix="welcome-bench-") as tmp:
        mine = await ours(n, events, Path(tmp))
    bare = await raw(n, events)
    pg_n = min(n, 200)
    pg = await pg_cross_worker(pg_n, events)
    print("ms; delivery = server's stamp of the event (ours: its `at`, before commit) to")
    print("receipt; req = from just before the client sent the trigger (HTTP for ours)")
    print(f"{'':32}{'p50':>9}{'p99':>9}{'p50 req':>11}{'p99 req':>11}")
    print(row(f"welcome-center (1 worker, {n})", mine))
    print(row(f"bare websockets broadcast ({n})", bare))
    if pg is not None:
        print(row(f"postgres, {int(pg['workers'])} workers ({pg_n})", pg))
    print(f"clients: {n}, events: {events}, server memory per idle socket: {mine['kib']:.1f} KiB")
    pg_p99 = f"{pg['p99']:.0f}" if pg is not None else "n/a"
    print(
        f"realtime: clients={n} p99_ms={mine['p99']:.0f} vs_raw={bare['p99'] / mine['p99']:.2f} "
        f"kib_per_conn={mine['kib']:.0f} pg_cross_worker_p99_ms={pg_p99}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--raw-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    raise_nofile()
    if args.raw_server:
        raw_server(args.raw_server)
        return
    asyncio.run(run(args.clients, args.events))


if __name__ == "__main__":
    main()

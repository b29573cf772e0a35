"""make bench-realtime: live-update delivery, ours beside a bare `websockets` broadcast.

1. N display sockets on one server (SQLite, one worker): an event is written over
   HTTP and timed until every socket has it (p50, p99 over all socket-events).
2. The same N on a bare `websockets` server that broadcasts a trigger message: the
   floor for Python on this machine. vs_raw = its p99 / ours (1.0: as fast as bare).
3. Memory per idle connection: the server's RSS growth over the N connections / N.
4. PostgreSQL: events written by one server process, delivered by a 2-worker server
   through LISTEN/NOTIFY (the sweep is off, so only the bus carries them).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import websockets

from bench.liveserver import LiveServer, free_port, prepare_database
from bench.pgcluster import PgCluster, pg_bin

DISPLAY = "demo-display-token-wartebereich"
Trigger = Callable[[int], Awaitable[None]]


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


async def measure(
    sockets: list[Any], trigger: Trigger, events: int, skip_first: bool
) -> list[float]:
    """Latency of each event at each socket, in ms, from just before it was triggered."""
    if skip_first:
        await asyncio.gather(*(ws.recv() for ws in sockets))  # the snapshots
    latencies: list[float] = []
    for i in range(events):
        arrived: list[float] = []
        waiting = [asyncio.ensure_future(ws.recv()) for ws in sockets]
        for fut in waiting:
            fut.add_done_callback(lambda _f, out=arrived: out.append(time.perf_counter()))
        await asyncio.sleep(0.02)  # every receiver is parked before the event exists
        t0 = time.perf_counter()
        await trigger(i)
        await asyncio.wait_for(asyncio.gather(*waiting), timeout=30)
        latencies += [(t - t0) * 1000 for t in arrived]
    return latencies


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
    return {"p50": statistics.median(lat), "p99": pct(lat, 0.99), "kib": kib}


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
            await control.send(f'{{"seq":{i},"type":"desk.paused","data":{{}}}}')

        lat = await measure(sockets, trigger, events, skip_first=False)
        for ws in [*sockets, control]:
            await ws.close()
    finally:
        proc.terminate()
        proc.wait()
    return {"p50": statistics.median(lat), "p99": pct(lat, 0.99)}


def _spawn_raw(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bench.realtime", "--raw-server", str(port)])


def raw_server(port: int) -> None:
    """The bare floor: one process, websockets.broadcast to every connection."""

    async def main() -> None:
        clients: set[Any] = set()

        async def handler(ws: Any) -> None:
            if ws.request.path == "/control":
                async for message in ws:
                    websockets.broadcast(clients, message)
                return
            clients.add(ws)
            try:
                await ws.wait_closed()
            finally:
                clients.discard(ws)

        async with websockets.serve(handler, "127.0.0.1", port, ping_interval=None):
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
    return {"p50": statistics.median(lat), "p99": pct(lat, 0.99), "workers": len(workers)}


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


async def run(n: int, events: int) -> None:
    with tempfile.TemporaryDirectory(prefix="welcome-bench-") as tmp:
        mine = await ours(n, events, Path(tmp))
    bare = await raw(n, events)
    pg = await pg_cross_worker(min(n, 200), events)
    print(f"{'':28}{'p50 ms':>10}{'p99 ms':>10}")
    print(f"{'welcome-center (1 worker)':28}{mine['p50']:>10.1f}{mine['p99']:>10.1f}")
    print(f"{'bare websockets broadcast':28}{bare['p50']:>10.1f}{bare['p99']:>10.1f}")
    if pg is not None:
        label = f"postgres, {int(pg['workers'])} workers"
        print(f"{label:28}{pg['p50']:>10.1f}{pg['p99']:>10.1f}")
    print(f"clients: {n}, events: {events}, server memory per idle socket: {mine['kib']:.1f} KiB")
    pg_p99 = f"{pg['p99']:.0f}" if pg is not None else "n/a"
    print(
        f"realtime: clients={n} p99_ms={mine['p99']:.0f} vs_raw={bare['p99'] / mine['p99']:.2f} "
        f"kib_per_conn={mine['kib']:.0f} pg_cross_worker_p99_ms={pg_p99}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--raw-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    raise_nofile()
    if args.raw_server:
        raw_server(args.raw_server)
        return
    asyncio.run(run(args.clients, args.events))


if __name__ == "__main__":
    main()

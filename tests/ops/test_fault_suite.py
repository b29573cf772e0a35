"""The fault suite: real `welcome-center serve` processes killed, restarted, and their
PostgreSQL stopped under them, while clients retry the way the kiosk does.

- kill -9 during concurrent check-ins whose clients retry with their Idempotency-Keys:
  every acknowledged check-in exists exactly once (SQLite; PostgreSQL, two workers);
- PostgreSQL stopped for ~10 s: 503 with Retry-After (the connection kept), then full
  recovery, every check-in retried through the outage there exactly once;
- a restart during a live day: the desk's called visitor, its staff session and the
  display's event stream carry on.
"""

from __future__ import annotations

import asyncio
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest
from sqlalchemy import func, select

from app.db import Database
from app.migrate import upgrade
from app.visits.models import IdempotencyKey, Visit
from bench.liveserver import LiveServer, prepare_database
from bench.pgcluster import PgCluster, pg_bin
from tests.conftest import in_ci
from tests.live.live import DISPLAY, KIOSK, connect, login, recv
from tests.ops.today import open_today

pytestmark = [pytest.mark.anyio, pytest.mark.slow]
CHECK_IN = "/api/v1/centers/lippe/visits"
NEEDS = ["residence", "work", "counselling"]
# Kiosks retry on any of these: no answer, the server busy or restarting.
RETRY = (httpx.TransportError, httpx.TimeoutException)


def server(url: str, port: int | None = None, workers: int = 1) -> LiveServer:
    return LiveServer(
        url, port=port, workers=workers, quiet=True, WELCOME_KIOSK_CHECKINS="100000/minute"
    )


class Kiosks:
    """Clients checking visitors in, each retrying its own key until it is acknowledged."""

    def __init__(self, base: str, signal_at: int = 0) -> None:
        self.base = base
        self.acked: dict[str, str] = {}  # key -> visit id
        self.signal_at = signal_at
        self.reached = asyncio.Event()  # signal_at check-ins acknowledged
        self.statuses: list[int] = []
        self.retry_after: list[str] = []

    async def one(self, n: int, deadline: float) -> None:
        key = f"fault-{uuid.uuid4()}"
        body = {"language": "de", "needs": [NEEDS[n % len(NEEDS)]]}
        headers = {"Authorization": f"Bearer {KIOSK}", "Idempotency-Key": key}
        async with httpx.AsyncClient(base_url=self.base, timeout=5) as client:
            while time.monotonic() < deadline:
                try:
                    r = await client.post(CHECK_IN, json=body, headers=headers)
                except RETRY:
                    await asyncio.sleep(0.2)
                    continue
                self.statuses.append(r.status_code)
                if r.status_code in (200, 201):
                    self.acked[key] = r.json()["id"]
                    if len(self.acked) >= self.signal_at:
                        self.reached.set()
                    return
                if r.status_code == 503:
                    self.retry_after.append(r.headers.get("retry-after", ""))
                # 409: the same key still in flight (its first try died with the server).
                assert r.status_code in (409, 429, 503), r.text
                await asyncio.sleep(0.2)


async def exactly_once(url: str, acked: dict[str, str], before: int) -> None:
    db = Database(url)
    try:
        async with db.read() as session:
            keys = dict(
                (await session.execute(select(IdempotencyKey.key, IdempotencyKey.visit_id))).all()
            )
            total = await session.scalar(select(func.count()).select_from(Visit))
            ids = set((await session.scalars(select(Visit.id))).all())
    finally:
        await db.dispose()
    for key, visit in acked.items():
        assert keys.get(key) == visit, f"{key}: acknowledged {visit}, stored {keys.get(key)}"
        assert visit in ids
    assert total == before + len(acked), "a retry created a second visit"


async def count_visits(url: str) -> int:
    db = Database(url)
    try:
        async with db.read() as session:
            return int(await session.scalar(select(func.count()).select_from(Visit)) or 0)
    finally:
        await db.dispose()


async def kill_during_check_ins(url: str, workers: int, clients: int = 40) -> None:
    before = await count_visits(url)
    first = server(url, workers=workers)
    await anyio.to_thread.run_sync(first.start)
    kiosks = Kiosks(first.http, signal_at=clients // 4)
    deadline = time.monotonic() + 60
    second: LiveServer | None = None
    try:
        tasks = [asyncio.create_task(kiosks.one(n, deadline)) for n in range(clients)]
        await kiosks.reached.wait()  # mid-stream: some done, many in flight
        first.kill9()
        acked_before_kill = len(kiosks.acked)
        second = server(url, port=first.port, workers=workers)
        await anyio.to_thread.run_sync(second.start)
        await asyncio.gather(*tasks)
    finally:
        first.stop()
        if second is not None:
            second.stop()
    assert acked_before_kill < clients
    assert len(kiosks.acked) == clients, "a client never got its check-in acknowledged"
    await exactly_once(url, kiosks.acked, before)


async def test_kill_9_during_check_ins_on_sqlite(template_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "welcome.db"
    shutil.copy(template_db, path)
    url = f"sqlite+aiosqlite:///{path}"
    await open_today(url)
    await kill_during_check_ins(url, workers=1)


@pytest.fixture(scope="module")
def own_pg() -> Iterator[PgCluster]:
    """A private cluster this module may stop and start (never the shared one)."""
    if pg_bin() is None:
        if in_ci():
            pytest.fail("CI must run the PostgreSQL fault tests")
        pytest.skip("no PostgreSQL server binaries")
    cluster = PgCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


async def fresh_pg(cluster: PgCluster) -> str:
    name = f"f_{uuid.uuid4().hex[:10]}"
    await cluster.create_database(name)
    url = cluster.url(name)
    await anyio.to_thread.run_sync(upgrade, url)
    await prepare_database(url)
    return url


@pytest.mark.postgres
async def test_kill_9_during_check_ins_on_postgresql_with_two_workers(
    own_pg: PgCluster,
) -> None:
    await kill_during_check_ins(await fresh_pg(own_pg), workers=2)


@pytest.mark.postgres
async def test_postgresql_stopped_is_503_then_full_recovery(own_pg: PgCluster) -> None:
    url = await fresh_pg(own_pg)
    before = await count_visits(url)
    live = server(url)
    await anyio.to_thread.run_sync(live.start)
    try:
        async with httpx.AsyncClient(base_url=live.http, timeout=10) as client:
            staff = {"Authorization": f"Bearer {await login(client, 'abh1')}"}
            await anyio.to_thread.run_sync(own_pg.pause)
            stopped = time.monotonic()
            # While it is away: 503 problem+json with Retry-After, on the same connection.
            r = await client.post(
                CHECK_IN,
                json={"language": "de", "needs": ["work"]},
                headers={"Authorization": f"Bearer {KIOSK}"},
            )
            assert r.status_code == 503, r.text
            assert r.json()["code"] == "database_unavailable"
            assert int(r.headers["retry-after"]) > 0
            sock = r.extensions["network_stream"].get_extra_info("socket").getsockname()
            r = await client.get("/api/v1/desks/r112", headers=staff)
            assert r.status_code == 503, r.text
            assert r.extensions["network_stream"].get_extra_info("socket").getsockname() == sock
            assert (await client.get("/readyz")).status_code == 503
            assert (await client.get("/healthz")).status_code == 200
            # Kiosks keep retrying through the outage; it ends after ~10 s.
            kiosks = Kiosks(live.http)
            tasks = [asyncio.create_task(kiosks.one(n, time.monotonic() + 60)) for n in range(10)]
            await asyncio.sleep(max(0.0, 10 - (time.monotonic() - stopped)))
            assert not kiosks.acked
            await anyio.to_thread.run_sync(own_pg.resume)
            await asyncio.gather(*tasks)
            assert len(kiosks.acked) == 10
            assert 503 in kiosks.statuses and all(kiosks.retry_after)
            # Full recovery: the listener is back (ready), desks work, screens get events.
            for _ in range(100):
                if (await client.get("/readyz")).status_code == 200:
                    break
                await asyncio.sleep(0.1)
            assert (await client.get("/readyz")).status_code == 200
            ws = await connect(f"{live.ws}/ws/centers/lippe/display?token={DISPLAY}")
            seq = (await recv(ws))["seq"]
            assert (await client.post("/api/v1/desks/r112/open", headers=staff)).status_code == 200
            assert (await recv(ws))["seq"] == seq + 1
            await ws.close()
    finally:
        live.stop()
    await exactly_once(url, kiosks.acked, before)


async def test_a_restart_during_a_live_day_desks_and_screens_carry_on(
    template_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "welcome.db"
    shutil.copy(template_db, path)
    url = f"sqlite+aiosqlite:///{path}"
    await open_today(url)
    first = server(url)
    await anyio.to_thread.run_sync(first.start)
    try:
        async with httpx.AsyncClient(base_url=first.http, timeout=10) as client:
            token = await login(client, "abh1")
            staff = {"Authorization": f"Bearer {token}"}
            kiosk = {"Authorization": f"Bearer {KIOSK}"}
            for _ in range(2):
                body = {"language": "de", "needs": ["residence"]}
                assert (await client.post(CHECK_IN, json=body, headers=kiosk)).status_code == 201
            assert (await client.post("/api/v1/desks/r112/open", headers=staff)).status_code == 200
            called = (await client.post("/api/v1/desks/r112/call-next", headers=staff)).json()
            ws = await connect(f"{first.ws}/ws/centers/lippe/display?token={DISPLAY}")
            seen = (await recv(ws))["seq"]
    finally:
        first.stop()  # SIGTERM: what an update or a systemd restart does
    await ws.close()
    second = server(url, port=first.port)
    await anyio.to_thread.run_sync(second.start)
    try:
        async with httpx.AsyncClient(base_url=second.http, timeout=10) as client:
            # The same staff session, the same desk with its called visitor.
            desk = (await client.get("/api/v1/desks/r112", headers=staff)).json()
            assert desk["current"]["ticket"] == called["ticket"]
            ws = await connect(f"{second.ws}/ws/centers/lippe/display?token={DISPLAY}&since={seen}")
            for action in ("start", "finish", "call-next"):
                r = await client.post(f"/api/v1/desks/r112/{action}", headers=staff)
                assert r.status_code == 200, (action, r.text)
            got = [await recv(ws) for _ in range(3)]
            assert [m["seq"] for m in got] == [seen + 1, seen + 2, seen + 3]  # no gap
            await ws.close()
    finally:
        second.stop()

"""/healthz and /readyz (docs/api.md §9)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from app.config import Settings
from app.db import Database
from app.live.bus import PostgresBus
from app.main import create_app
from app.ops.health import script_heads
from tests.conftest import Harness

pytestmark = pytest.mark.anyio


async def test_healthz_is_alive(harness: Harness) -> None:
    r = await harness.client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "alive"}
    assert r.headers["cache-control"] == "no-store"


async def test_readyz_is_ready_with_every_check(harness: Harness) -> None:
    r = await harness.client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "event_bus": "ok"},
    }


def assert_not_ready(r: httpx.Response, failed: list[str]) -> dict[str, str]:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert int(r.headers["retry-after"]) > 0
    body = r.json()
    assert body["code"] == "not_ready" and body["status"] == 503
    assert body["failed"] == failed
    checks: dict[str, str] = body["checks"]
    return checks


async def test_readyz_503_when_migrations_are_behind(harness: Harness) -> None:
    async with harness.db.write() as session:
        # One row per head: parallel migration branches give several until they merge.
        await session.execute(text("DELETE FROM alembic_version"))
        await session.execute(text("INSERT INTO alembic_version (version_num) VALUES ('0002')"))
    r = await harness.client.get("/readyz")
    checks = assert_not_ready(r, ["migrations"])
    assert checks["database"] == "ok"
    assert checks["migrations"].startswith("at 0002, expected ")
    assert all(head in checks["migrations"] for head in script_heads())
    # /healthz does not care: the process still serves.
    assert (await harness.client.get("/healthz")).status_code == 200


def drop_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def test_readyz_503_when_the_database_file_is_gone(harness: Harness, db_url: str) -> None:
    """A dropped SQLite file and a fresh connection: SQLite makes an empty database,
    which is reachable but has no schema."""
    await harness.db.engine.dispose()
    drop_sqlite_files(Path(db_url.split("///", 1)[1]))
    r = await harness.client.get("/readyz")
    checks = assert_not_ready(r, ["migrations"])
    assert checks["migrations"].startswith("at none")


async def test_readyz_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    url = f"sqlite+aiosqlite:///{folder / 'welcome.db'}"
    db = Database(url)  # makes the folder (as the server does at start) ...
    shutil.rmtree(folder)  # ... which then disappears: SQLite cannot open the file
    settings = Settings(demo=True, database_url=url, timer_seconds=0, ws_sweep_seconds=0)
    app = create_app(settings, database=db)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                assert (await client.get("/healthz")).status_code == 200
                r = await client.get("/readyz")
                checks = assert_not_ready(r, ["database", "migrations"])
                assert checks["database"].startswith("unreachable")
                assert checks["migrations"] == "not checked"
    finally:
        await db.dispose()
        # aiosqlite's thread reports the failed connection's close late: let it, while
        # the loop still runs.
        await asyncio.sleep(0.2)
    assert not folder.exists()


async def test_readyz_503_while_the_postgres_listener_is_away(harness: Harness) -> None:
    bus = PostgresBus("postgresql+asyncpg://nobody@127.0.0.1:1/none")  # never started
    harness.app.state.hub.bus = bus
    r = await harness.client.get("/readyz")
    checks = assert_not_ready(r, ["event_bus"])
    assert checks["event_bus"] == "listener not connected"
    bus.connected.set()
    assert (await harness.client.get("/readyz")).status_code == 200


@pytest.mark.postgres
async def test_readyz_on_postgresql_with_its_listener(pg_url: str) -> None:
    settings = Settings(demo=True, database_url=pg_url, timer_seconds=0)
    assert settings.bus_kind == "postgres"
    db = Database(pg_url)
    app = create_app(settings, database=db)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                r = await client.get("/readyz")
                assert r.status_code == 200, r.text
                assert r.json()["checks"]["event_bus"] == "ok"
                app.state.hub.bus.connected.clear()  # as while the listener reconnects
                assert_not_ready(await client.get("/readyz"), ["event_bus"])
    finally:
        await db.dispose()

"""Database faults are 503 problem+json with Retry-After, nothing half written, and a
retry with the same Idempotency-Key succeeds once the database is back (SQLite here;
PostgreSQL stopped under a real server: tests/ops/test_fault_suite.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, exc, func, select

import app.db
from app.config import Settings
from app.db import Database
from app.main import create_app
from app.ops.faults import is_bad_data, is_unavailable
from app.visits.models import Visit
from tests.conftest import KIOSK

pytestmark = pytest.mark.anyio
CHECK_IN = "/api/v1/centers/lippe/visits"
KIOSK_H = {"Authorization": f"Bearer {KIOSK}"}
BODY = {"language": "de", "needs": ["residence"]}


@pytest.fixture
async def served(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Any, Any, Path]]:
    """The app as `serve` builds it (its own Database, create=False), short budget."""
    monkeypatch.setattr(app.db, "LOCK_BUDGET_SECONDS", 0.5)
    monkeypatch.setattr(app.db, "QUEUE_BUDGET_SECONDS", 1.0)
    settings = Settings(demo=True, database_url=sqlite_url, timer_seconds=0, ws_sweep_seconds=0)
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client, application, Path(sqlite_url.split("///", 1)[1])


def unavailable(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "database_unavailable"
    assert int(r.headers["retry-after"]) > 0


async def visits(path: Path) -> int:
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        async with db.read() as session:
            return int(await session.scalar(select(func.count()).select_from(Visit)) or 0)
    finally:
        await db.dispose()


async def test_a_database_locked_past_the_budget_is_503_then_the_retry_succeeds(
    served: tuple[Any, Any, Path],
) -> None:
    client, _, path = served
    before = await visits(path)
    other = sqlite3.connect(path, isolation_level=None)  # another process's long write
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        key = {"Idempotency-Key": "locked-1"}
        unavailable(await client.post(CHECK_IN, json=BODY, headers={**KIOSK_H, **key}))
        assert time.monotonic() - started < 5  # the budget (0.5 s here), not 30 s
        # Reads go on meanwhile (WAL).
        assert (await client.get("/api/v1/centers/lippe/today")).status_code == 200
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert await visits(path) == before  # nothing half written
    r = await client.post(CHECK_IN, json=BODY, headers={**KIOSK_H, **key})
    assert r.status_code == 201, r.text
    r = await client.post(CHECK_IN, json=BODY, headers={**KIOSK_H, **key})
    assert r.status_code == 200, r.text
    assert await visits(path) == before + 1


async def test_a_queue_behind_a_stuck_write_in_this_process_is_503(
    served: tuple[Any, Any, Path],
) -> None:
    client, application, _ = served
    db: Database = application.state.db
    center = (await client.get("/api/v1/centers/lippe/today")).json()
    assert center
    held = asyncio.Event()
    release = asyncio.Event()

    async def stuck() -> None:
        async with db.write(None):
            held.set()
            await release.wait()

    task = asyncio.create_task(stuck())
    await held.wait()
    try:
        # The sign-in's token write queues for the same (center-less) lock.
        r = await client.post(
            "/api/v1/auth/login", json={"username": "abh1", "password": "demo-abh"}
        )
        unavailable(r)
    finally:
        release.set()
        await task
    r = await client.post("/api/v1/auth/login", json={"username": "abh1", "password": "demo-abh"})
    assert r.status_code == 200, r.text


async def test_a_read_only_database_is_503_for_writes_and_reads_go_on(
    served: tuple[Any, Any, Path],
) -> None:
    client, application, path = served
    db: Database = application.state.db
    await db.engine.dispose()

    @event.listens_for(db.engine.sync_engine, "connect")
    def _read_only(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA query_only=ON")  # as a file the server may not write

    before = await visits(path)
    unavailable(await client.post(CHECK_IN, json=BODY, headers=KIOSK_H))
    assert (await client.get("/api/v1/centers/lippe/today")).status_code == 200
    assert await visits(path) == before


async def test_a_removed_database_file_is_503_and_is_never_created_again(
    served: tuple[Any, Any, Path],
) -> None:
    client, _, path = served
    assert (await client.post(CHECK_IN, json=BODY, headers=KIOSK_H)).status_code == 201
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{path}{suffix}")
    unavailable(await client.post(CHECK_IN, json=BODY, headers=KIOSK_H))
    unavailable(await client.get("/api/v1/centers/lippe/today"))
    assert (await client.get("/readyz")).status_code == 503
    assert path.name not in os.listdir(path.parent)  # only `migrate` creates the database


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("state", "outage"),
    [
        ("08006", True),  # connection failure
        ("57P01", True),  # admin shutdown
        ("57P03", True),  # cannot connect now (starting up)
        ("55P03", True),  # lock_timeout
        ("25006", True),  # read-only transaction (a standby)
        ("53300", True),  # too many connections
        ("23505", False),  # unique violation: a bug, 500
        ("42703", False),  # undefined column: a bug (or a missed migrate), 500
    ],
)
def test_postgresql_errors_are_sorted_by_sqlstate(state: str, outage: bool) -> None:
    error = exc.DBAPIError("SELECT 1", {}, _PgError(state))
    assert is_unavailable(error) is outage


def test_sqlite_errors_are_sorted_by_message() -> None:
    def op(message: str) -> exc.OperationalError:
        return exc.OperationalError("x", {}, sqlite3.OperationalError(message))

    assert is_unavailable(op("database is locked"))
    assert is_unavailable(op("attempt to write a readonly database"))
    assert is_unavailable(op("unable to open database file"))
    assert not is_unavailable(op("no such column: visits.x"))
    assert is_bad_data(exc.DataError("x", {}, _PgError("22021")))


def test_load_config_does_not_create_a_missing_database(tmp_path: Path) -> None:
    import subprocess
    import sys

    from app.cli import DEMO_FILE
    from bench.liveserver import ROOT

    missing = tmp_path / "typo.db"
    env = {**os.environ, "WELCOME_DATABASE_URL": f"sqlite+aiosqlite:///{missing}"}
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "load-config", str(DEMO_FILE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "run `welcome-center migrate` first" in done.stderr
    assert not missing.exists()

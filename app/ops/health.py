"""`/healthz` (the process serves) and `/readyz` (it can do its work: database, schema, bus).

A load balancer or orchestrator restarts on a failing /healthz and only stops routing
to a worker on a failing /readyz, so /healthz touches nothing but the event loop.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from app.db import Database

router = APIRouter()

# A readiness probe must answer quickly: a database that takes longer is not ready.
DB_TIMEOUT = 2.0
RETRY_AFTER = "5"
NO_STORE = {"Cache-Control": "no-store"}


@lru_cache
def script_heads() -> frozenset[str]:
    """The head revision(s) of the migration scripts shipped with this code."""
    from alembic.script import ScriptDirectory

    from app.migrate import alembic_config

    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


async def _current_revisions(db: Database) -> frozenset[str]:
    async with db.read() as session:
        rows = await session.execute(text("SELECT version_num FROM alembic_version"))
        return frozenset(str(row[0]) for row in rows)


async def _check_database(db: Database) -> tuple[str, str]:
    """(database, migrations): each "ok" or what is wrong."""
    try:
        async with asyncio.timeout(DB_TIMEOUT):
            async with db.read() as session:
                await session.execute(text("SELECT 1"))
    except TimeoutError:
        return f"no answer within {DB_TIMEOUT:g}s", "not checked"
    except Exception as exc:
        return f"unreachable ({type(exc).__name__})", "not checked"
    try:
        async with asyncio.timeout(DB_TIMEOUT):
            current = await _current_revisions(db)
    except Exception:
        current = frozenset()
    heads = script_heads()
    if current == heads:
        return "ok", "ok"
    found = ", ".join(sorted(current)) or "none"
    return "ok", f"at {found}, expected {', '.join(sorted(heads))}"


def _check_bus(request: Request) -> str:
    hub = getattr(request.app.state, "hub", None)
    # Read by duck type (app.ops stays out of the live layer, tests/test_layers.py): the
    # PostgreSQL bus has `connected`; the in-memory bus of one process has nothing to connect.
    connected = getattr(getattr(hub, "bus", None), "connected", None)
    if isinstance(connected, asyncio.Event) and not connected.is_set():
        return "listener not connected"
    return "ok"


@router.get("/healthz", include_in_schema=False)
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "alive"}, headers=NO_STORE)


@router.get("/readyz", include_in_schema=False)
async def readyz(request: Request) -> JSONResponse:
    db: Database = request.app.state.db
    database, migrations = await _check_database(db)
    checks = {"database": database, "migrations": migrations, "event_bus": _check_bus(request)}
    failed = [name for name, state in checks.items() if state != "ok"]
    if not failed:
        return JSONResponse({"status": "ready", "checks": checks}, headers=NO_STORE)
    body: dict[str, Any] = {
        "type": "about:blank",
        "status": 503,
        "title": "Service Unavailable",
        "detail": "not ready: " + "; ".join(f"{name} {checks[name]}" for name in failed),
        "code": "not_ready",
        "failed": failed,
        "checks": checks,
    }
    return JSONResponse(
        body,
        status_code=503,
        media_type="application/problem+json",
        headers={"Retry-After": RETRY_AFTER, **NO_STORE},
    )

"""Database faults as 503 problem+json with Retry-After, never a bare 500.

A database that is down, restarting, locked past the budget (app.db.LOCK_BUDGET_SECONDS),
read-only or whose file is gone is a passing state of the installation, not a bug: the
caller is told to come back (kiosks and desks retry by themselves, check-ins with their
Idempotency-Key). The write was rolled back by `Database.write`, so nothing is half
written. These handlers sit in the app's exception middleware (not the server-error
one, which re-raises and so makes the server drop the connection): keep-alive holds.

Anything else from the database (an integrity error, a bug) stays a 500.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa

from app.ops.bodylimit import BodyTooLarge, too_large_body

log = logging.getLogger("welcome_center.faults")
PROBLEM = "application/problem+json"
RETRY_AFTER = 3  # seconds: a restart of PostgreSQL or a long lock is over in a few

# SQLSTATE classes and codes that mean "not now" (PostgreSQL): connection exceptions,
# insufficient resources, operator intervention (shutdown, starting up), system errors,
# lock not available (lock_timeout), read-only transaction, serialization failure and
# deadlock (the transaction was rolled back; the same request can be sent again).
_UNAVAILABLE = ("08", "53", "57P", "58", "55P03", "25006", "40001", "40P01")
_SQLITE = ("locked", "busy", "readonly", "read-only", "unable to open", "disk i/o", "full")
# Data exceptions (22xxx): a value PostgreSQL refuses, e.g. a NUL character that got
# past validation (app/ops/jsoninput.py, app/ops/params.py refuse them first).
_BAD_DATA = ("22",)


def sqlstate(exc: BaseException) -> str | None:
    for candidate in (exc, getattr(exc, "orig", None), getattr(exc, "__cause__", None)):
        state = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(state, str) and state:
            return state
    return None


def is_unavailable(exc: BaseException) -> bool:
    """A fault of the database's availability (503), as opposed to a bug (500)."""
    if isinstance(exc, sa.TimeoutError | TimeoutError | ConnectionError):
        return True
    if isinstance(exc, sa.DBAPIError):
        if exc.connection_invalidated:
            return True
        state = sqlstate(exc)
        if state is not None:
            return state.startswith(_UNAVAILABLE)
        if isinstance(exc, sa.InterfaceError):
            return True  # a closed connection
        # SQLite's states of the file, not of our statements ("no such column" is a bug,
        # or a missed `migrate`, which /readyz reports).
        message = str(exc.orig).lower()
        return isinstance(exc, sa.OperationalError) and any(s in message for s in _SQLITE)
    if isinstance(exc, sa.DisconnectionError):
        return True
    # asyncpg's own errors where SQLAlchemy did not wrap them (connecting).
    module = type(exc).__module__
    return module.startswith("asyncpg") and (
        "Connection" in type(exc).__name__ or "CannotConnect" in type(exc).__name__
    )


def is_bad_data(exc: BaseException) -> bool:
    state = sqlstate(exc)
    return isinstance(exc, sa.DBAPIError) and state is not None and state.startswith(_BAD_DATA)


def unavailable(detail: str) -> JSONResponse:
    body = {
        "type": "about:blank",
        "status": 503,
        "title": "Service unavailable",
        "detail": detail,
        "code": "database_unavailable",
        "retry_after": RETRY_AFTER,
    }
    return JSONResponse(
        body, status_code=503, media_type=PROBLEM, headers={"Retry-After": str(RETRY_AFTER)}
    )


async def _database_fault(request: Request, exc: Exception) -> JSONResponse:
    if is_unavailable(exc):
        # The type only: the message of a database error may quote a statement.
        log.warning("database unavailable: %s on %s", type(exc).__name__, request.url.path)
        return unavailable("the database is not available right now; try again shortly")
    if is_bad_data(exc):
        body = {
            "type": "about:blank",
            "status": 422,
            "title": "Invalid value",
            "detail": "request: a value the database cannot store",
            "code": "invalid",
            "errors": [{"field": "request", "message": "a value the database cannot store"}],
        }
        return JSONResponse(body, status_code=422, media_type=PROBLEM)
    raise exc  # a bug: the server-error handler logs it and answers 500


async def _overflow(request: Request, exc: Exception) -> JSONResponse:
    # A number too large for a 64-bit column that got past validation (sqlite3 and
    # asyncpg raise OverflowError before anything is sent): the caller's input, a 422.
    log.warning("number out of range on %s", request.url.path)
    message = "a number out of range"
    body = {
        "type": "about:blank",
        "status": 422,
        "title": "Invalid value",
        "detail": f"request: {message}",
        "code": "invalid",
        "errors": [{"field": "request", "message": message}],
    }
    return JSONResponse(body, status_code=422, media_type=PROBLEM)


async def _too_large(_: Request, exc: Exception) -> JSONResponse:
    limit = exc.limit if isinstance(exc, BodyTooLarge) else 0
    return JSONResponse(too_large_body(limit), status_code=413, media_type=PROBLEM)


def install_fault_handlers(app: FastAPI) -> None:
    for kind in (sa.DBAPIError, sa.TimeoutError, sa.DisconnectionError, OSError):
        app.add_exception_handler(kind, _database_fault)
    app.add_exception_handler(BodyTooLarge, _too_large)
    app.add_exception_handler(OverflowError, _overflow)

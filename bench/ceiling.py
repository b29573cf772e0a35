"""The framework ceiling of `make bench-http`: a bare FastAPI app doing the minimum.

What a check-in cannot do with less: validate a body like the kiosk's (same Pydantic
strictness), then one INSERT through SQLAlchemy async under the same write
serialisation as `Database.write` (an in-process asyncio lock plus SQLite's BEGIN
IMMEDIATE with the app's pragmas, or PostgreSQL's advisory transaction lock). The GET
reads one row by key, like the phone page's status read without anything around it.
Served by uvicorn with the settings of `welcome-center serve` (uvloop, httptools,
proxy headers, the masked access log, the same socket options).

`python -m bench.ceiling --port P --workers W` with CEILING_DATABASE_URL set; the table
is made beforehand by `prepare` (two workers must not race to create it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import JSON, Column, MetaData, String, Table, insert, select, text

from app.db import WRITE_OPTION, UTCDateTime, make_engine, utcnow

metadata = MetaData()
visits = Table(
    "ceiling_visits",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("token", String(64), unique=True, nullable=False),
    Column("language", String(16), nullable=False),
    Column("needs", JSON, nullable=False),
    Column("residence_status", String(32)),
    Column("checked_in_at", UTCDateTime, nullable=False),
)


class Body(BaseModel):
    """The kiosk's check-in body, as strict (tests/… compare nothing: this is a cost model)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    language: Annotated[str, StringConstraints(min_length=1, max_length=16)]
    needs: Annotated[list[Annotated[str, StringConstraints(max_length=64)]], Field(min_length=1)]
    residence_status: str | None = None
    municipality: Annotated[str, StringConstraints(max_length=100)] | None = None
    age: Annotated[int, Field(ge=0, le=120)] | None = None
    consent_share: bool = False


class Out(BaseModel):
    id: str
    token: str
    language: str
    needs: list[str]
    residence_status: str | None
    checked_in_at: datetime


def create_app() -> FastAPI:
    url = os.environ["CEILING_DATABASE_URL"]
    engine = make_engine(url)
    lock = asyncio.Lock()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.post("/visits", status_code=201)
    async def check_in(request: Request) -> JSONResponse:
        body = Body.model_validate_json(await request.body())
        row: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "token": secrets.token_urlsafe(24),
            "language": body.language,
            "needs": body.needs,
            "residence_status": body.residence_status,
            "checked_in_at": utcnow(),
        }
        async with lock, engine.connect() as conn:
            conn = await conn.execution_options(**{WRITE_OPTION: True})
            async with conn.begin():
                if not url.startswith("sqlite"):
                    await conn.execute(text("SELECT pg_advisory_xact_lock(7301, 1)"))
                await conn.execute(insert(visits).values(**row))
        return JSONResponse(Out(**row).model_dump(mode="json"), status_code=201)

    @app.get("/visits/{token}")
    async def status(token: str) -> Out:
        async with engine.connect() as conn:
            found = (await conn.execute(select(visits).where(visits.c.token == token))).first()
        if found is None:
            raise HTTPException(404)
        return Out(**found._mapping)

    return app


async def prepare(url: str, rows: int) -> list[str]:
    """The table, with `rows` rows already in it; their tokens, for the GET."""
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            tokens = [secrets.token_urlsafe(24) for _ in range(rows)]
            if rows:
                await conn.execute(
                    insert(visits),
                    [
                        {
                            "id": str(uuid.uuid4()),
                            "token": t,
                            "language": "de",
                            "needs": ["residence"],
                            "residence_status": "recognised",
                            "checked_in_at": utcnow(),
                        }
                        for t in tokens
                    ],
                )
        return tokens
    finally:
        await engine.dispose()


def _log_config() -> dict[str, Any]:
    """The access log `welcome-center serve` configures (its module has moved before)."""
    try:
        from app.ops.logs import log_config  # type: ignore[import-not-found, unused-ignore]

        return log_config("text")  # type: ignore[no-any-return, unused-ignore]
    except ImportError:
        from app.ops.logmask import uvicorn_log_config  # type: ignore[attr-defined, unused-ignore]

        return uvicorn_log_config()  # type: ignore[no-any-return, unused-ignore]


def main() -> None:
    import uvicorn

    from app.cli import WS_OPTIONS

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    uvicorn.run(
        "bench.ceiling:create_app",
        factory=True,
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        log_config=_log_config(),
        **WS_OPTIONS,
    )


if __name__ == "__main__":
    main()

"""The three WebSocket channels of API.md §4 and who may open them.

A refusal before the token is known happens at the handshake (HTTP 403); a token
sent as the first message is checked after accept and refused with close code 1008,
before any message.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Receive, Scope, Send

from app.auth.principal import Principal, resolve
from app.centers.context import load_context
from app.centers.models import Center, Desk
from app.config import Settings
from app.db import Database
from app.events.hub import Hub
from app.events.snapshots import State, desk_state, display_state, visit_state
from app.events.stream import Channel, Stream
from app.visits.models import Visit
from app.visits.queries import visit_by_token

router = APIRouter()
POLICY = 1008
# Short: a client without a token in the URL sends it at once; anyone else is refused
# quickly rather than held open.
TOKEN_WAIT_SECONDS = 3.0
WORKER_HEADER = (b"x-welcome-worker", str(os.getpid()).encode())


class Refused(Exception):
    """The connection may not open; the reason goes into the close frame."""


class Gate:
    """Origin, token and acceptance for one connection."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.accepted = False
        state = ws.app.state
        self.settings: Settings = state.settings
        self.db: Database = state.db
        self.hub: Hub = state.hub
        self.clock: Callable[[], datetime] = getattr(state, "clock", None) or (
            lambda: datetime.now(UTC)
        )

    def check_origin(self) -> None:
        origin = self.ws.headers.get("origin")
        # No Origin: not a browser, so no cross-site page can be riding on a user's cookies.
        if origin is not None and origin.rstrip("/") not in self.settings.origins:
            raise Refused(f"origin {origin} is not allowed")

    async def principal(self) -> Principal:
        token = self.ws.query_params.get("token")
        if not token:
            token = await self._first_message_token()
        async with self.db.read() as session:
            principal = await resolve(session, token, now=self.clock())
        if principal is None:
            raise Refused("unknown or expired token")
        return principal

    async def _first_message_token(self) -> str:
        await self.accept()
        try:
            text = await asyncio.wait_for(self.ws.receive_text(), timeout=TOKEN_WAIT_SECONDS)
        except (TimeoutError, KeyError, WebSocketDisconnect) as exc:
            raise Refused("a token is required") from exc
        try:
            body = json.loads(text)
        except ValueError:
            body = text
        token = body.get("token") if isinstance(body, dict) else body
        if not isinstance(token, str) or not token.strip():
            raise Refused("a token is required")
        return token.strip()

    async def accept(self) -> None:
        if not self.accepted:
            await self.ws.accept(headers=[WORKER_HEADER])
            self.accepted = True

    async def refuse(self, reason: str) -> None:
        # Before accept Starlette answers the handshake with HTTP 403.
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await self.ws.close(code=POLICY, reason=reason[:120])

    def since(self) -> int | None:
        raw = self.ws.query_params.get("since")
        try:
            return int(raw) if raw is not None else None
        except ValueError:
            return None  # an unreadable resume point: start again from a snapshot

    async def stream(self, channel: Channel) -> None:
        await self.accept()
        await Stream(self.ws, hub=self.hub, db=self.db, channel=channel, clock=self.clock).run(
            self.since()
        )


async def _serve(ws: WebSocket, open_channel: Callable[[Gate], object]) -> None:
    gate = Gate(ws)
    try:
        gate.check_origin()
        channel = await open_channel(gate)  # type: ignore[misc]
    except Refused as exc:
        await gate.refuse(str(exc))
        return
    await gate.stream(channel)


@router.websocket("/ws/centers/{slug}/display")
async def display_socket(websocket: WebSocket, slug: str) -> None:
    async def open_channel(gate: Gate) -> Channel:
        principal = await gate.principal()
        async with gate.db.read() as session:
            center = await session.scalar(select(Center).where(Center.slug == slug))
            if center is None:
                raise Refused(f"unknown center '{slug}'")
            if principal.kind not in ("display", "admin") or principal.center_id != center.id:
                raise Refused("only a display of this center may open its display")
            ctx = await load_context(session, center, now=gate.clock())
        center_id = center.id

        async def load(session: AsyncSession, now: datetime) -> State:
            ctx = await load_context(session, await _center(session, center_id), now=now)
            return await display_state(session, ctx, now)

        return Channel(center_id=center_id, day=ctx.today, tz=ctx.tz, load_state=load, redact=True)

    await _serve(websocket, open_channel)


@router.websocket("/ws/desks/{code}")
async def desk_socket(websocket: WebSocket, code: str) -> None:
    async def open_channel(gate: Gate) -> Channel:
        principal = await gate.principal()
        async with gate.db.read() as session:
            desk = await session.scalar(select(Desk).where(Desk.code == code))
            if desk is None:
                raise Refused(f"unknown desk '{code}'")
            if not principal.may_work_at(center_id=desk.center_id, agency=desk.agency_code):
                raise Refused(f"desk {code} belongs to another agency")
            ctx = await load_context(
                session, await _center(session, desk.center_id), now=gate.clock()
            )
        center_id = desk.center_id

        async def load(session: AsyncSession, now: datetime) -> State:
            ctx = await load_context(session, await _center(session, center_id), now=now)
            return await desk_state(session, ctx, ctx.desks[code], now)

        return Channel(center_id=center_id, day=ctx.today, tz=ctx.tz, load_state=load)

    await _serve(websocket, open_channel)


@router.websocket("/ws/visits/{visit_token}")
async def visit_socket(websocket: WebSocket, visit_token: str) -> None:
    async def open_channel(gate: Gate) -> Channel:
        # The token in the path is the visitor's credential: it opens this visit only.
        async with gate.db.read() as session:
            visit = await session.scalar(select(Visit).where(Visit.token == visit_token))
            if visit is None:
                raise Refused("unknown visit token")
            center = await _center(session, visit.center_id)
            visit_id, center_id, day = visit.id, visit.center_id, visit.date
            tz = ZoneInfo(center.timezone)

        async def load(session: AsyncSession, now: datetime) -> State:
            visit = await visit_by_token(session, visit_token)
            ctx = await load_context(session, await _center(session, center_id), now=now)
            return await visit_state(session, ctx, visit, now)

        return Channel(center_id=center_id, day=day, tz=tz, load_state=load, visit_id=visit_id)

    await _serve(websocket, open_channel)


async def _center(session: AsyncSession, center_id: int) -> Center:
    center = await session.get(Center, center_id)
    if center is None:
        raise Refused("the center no longer exists")
    return center


Endpoint = Callable[..., Awaitable[None]]
SOCKETS: tuple[tuple[re.Pattern[str], Endpoint], ...] = (
    (re.compile(r"/ws/centers/(?P<slug>[^/]+)/display"), display_socket),
    (re.compile(r"/ws/desks/(?P<code>[^/]+)"), desk_socket),
    (re.compile(r"/ws/visits/(?P<visit_token>[^/]+)"), visit_socket),
)


class SocketRoutes:
    """ASGI middleware: the three channels' handshakes go straight to their handler.

    A live socket stays open for hours, and whatever sits on its call stack stays with
    it: through FastAPI's router and dependency machinery that is ~30 coroutines and
    three exit stacks per socket. Straight here it is a handful, which roughly halves
    a socket's memory and the objects a full garbage collection must walk. The same
    handlers stay registered on `router`, so nothing else changes.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            path: str = scope["path"]
            root: str = scope.get("root_path", "")
            if root and path.startswith(root):
                path = path[len(root) :]
            for pattern, endpoint in SOCKETS:
                match = pattern.fullmatch(path)
                if match is not None:
                    await endpoint(WebSocket(scope, receive, send), **match.groupdict())
                    return
        await self.app(scope, receive, send)

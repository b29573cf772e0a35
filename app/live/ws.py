"""The WebSocket channels of API.md §4 (and the overview's, docs/api.md §10), and who
may open them.

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
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Scope

from app.audit import service as audit
from app.auth.access import load_staff_desk, require_display_of, require_manager_of
from app.auth.cookies import socket_session
from app.auth.models import Device
from app.auth.principal import Principal, resolve
from app.centers.context import CenterContext, center_by_slug, load_context
from app.centers.models import Center
from app.config import Settings
from app.db import Database
from app.deps import Clock, app_clock
from app.errors import AppError, Forbidden
from app.live.hub import Hub
from app.live.snapshots import State, desk_state, display_state, visit_state
from app.live.stream import Channel, StateLoader, Stream
from app.ops.logs import current_request_id
from app.overview.service import read_overview
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

    __slots__ = ("accepted", "clock", "db", "hub", "settings", "ws")

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.accepted = False
        state = ws.app.state
        self.settings: Settings = state.settings
        self.db: Database = state.db
        self.hub: Hub = state.hub
        self.clock: Clock = app_clock(ws.app)

    def check_origin(self) -> None:
        origin = self.ws.headers.get("origin")
        # No Origin: not a browser, so no cross-site page can be riding on a user's cookies.
        if origin is not None and origin.rstrip("/") not in self.settings.origins:
            raise Refused(f"origin {origin} is not allowed")

    async def principal(self) -> Principal:
        # The query, the staff page's session cookie, else the first message.
        token = self.ws.query_params.get("token") or socket_session(self.ws, self.settings)
        if not token:
            token = await self._first_message_token()
        async with self.db.read() as session:
            principal = await resolve(
                session, token, now=self.clock(), idle=self.settings.staff_idle
            )
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
            headers = [WORKER_HEADER]
            request_id = current_request_id()
            if request_id:  # bound by WelcomeApp for this socket (app/ops/logs.py)
                headers.append((b"x-request-id", request_id.encode()))
            await self.ws.accept(headers=headers)
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


Opener = Callable[..., Awaitable[Channel]]


async def serve(ws: WebSocket, opener: Opener, **params: str) -> None:
    """One channel's socket, from handshake to close.

    The call stack under a socket stays with it for as long as it is open: the gate,
    the opener and their frames are gone before the stream starts.
    """
    gate = Gate(ws)
    try:
        gate.check_origin()
        channel = await opener(gate, **params)
    except Refused as exc:
        await gate.refuse(str(exc))
        return
    except AppError as exc:  # the same checks as HTTP (app.auth.access): 403/404 become 1008
        await gate.refuse(exc.detail)
        return
    await gate.accept()
    stream = Stream(ws, hub=gate.hub, db=gate.db, channel=channel, clock=gate.clock)
    since = gate.since()
    del gate, channel
    await stream.run(since)


StateBuilder = Callable[[AsyncSession, CenterContext, datetime], Awaitable[State]]


def _state_loader(center_id: int, build: StateBuilder) -> StateLoader:
    """The snapshot a socket (re)starts from, read with the center as it is at that moment."""

    async def load(session: AsyncSession, now: datetime) -> State:
        ctx = await load_context(session, await _center(session, center_id), now=now)
        return await build(session, ctx, now)

    return load


async def open_display(gate: Gate, slug: str) -> Channel:
    principal = await gate.principal()
    async with gate.db.read() as session:
        center = await center_by_slug(session, slug)
        require_display_of(principal, center)
        ctx = await load_context(session, center, now=gate.clock())
        token_hash = (
            await session.scalar(select(Device.token_hash).where(Device.id == principal.device_id))
            if principal.device_id is not None
            else None
        )
    load = _state_loader(center.id, display_state)
    if principal.device_id is not None:
        load = _while_device(load, principal.device_id, token_hash)
    return Channel(center_id=center.id, day=ctx.today, tz=ctx.tz, load_state=load, redact=True)


def _while_device(load: StateLoader, device_id: int, token_hash: str | None) -> StateLoader:
    """A device's screen re-reads its state after every `center.configured`: revoked (or
    paired anew, with another token), it is refused there and its socket closes (1008)."""

    async def checked(session: AsyncSession, now: datetime) -> State:
        current = await session.scalar(select(Device.token_hash).where(Device.id == device_id))
        if current is None or current != token_hash:
            raise Forbidden("this device's token was revoked")
        return await load(session, now)

    return checked


async def open_desk(gate: Gate, code: str) -> Channel:
    principal = await gate.principal()
    async with gate.db.read() as session:
        desk = await load_staff_desk(session, principal, code)
        ctx = await load_context(session, await _center(session, desk.center_id), now=gate.clock())
    # What each snapshot showed of visitors' answers is recorded (app.audit) before it
    # is sent; events carry no answers, and reach the desk through its agency's filter.
    reads = audit.Reads(principal, desk=code)
    db, clock = gate.db, gate.clock

    async def build(session: AsyncSession, ctx: CenterContext, now: datetime) -> State:
        return await desk_state(session, ctx, ctx.desks[code], now, reads=reads)

    async def record() -> None:
        await audit.record(db, reads, at=clock())

    return Channel(
        center_id=desk.center_id,
        day=ctx.today,
        tz=ctx.tz,
        load_state=_state_loader(desk.center_id, build),
        agency=desk.agency_code,
        audit=record,
    )


async def open_overview(gate: Gate, slug: str) -> Channel:
    """An administrator's or lead's overview (docs/api.md §10): the overview as its
    snapshot, then every event of the center-day redacted as for the display (tickets,
    rooms, agencies): the page reads the overview again after events."""
    principal = await gate.principal()
    async with gate.db.read() as session:
        center = await center_by_slug(session, slug)
        require_manager_of(principal, center)
        ctx = await load_context(session, center, now=gate.clock())

    async def build(session: AsyncSession, ctx: CenterContext, now: datetime) -> State:
        data = await read_overview(session, ctx, now=now, exact=True)
        return data.seq, data.model_dump(mode="json")

    load = _state_loader(center.id, build)
    return Channel(center_id=center.id, day=ctx.today, tz=ctx.tz, load_state=load, redact=True)


async def open_visit(gate: Gate, visit_token: str) -> Channel:
    # The token in the path is the visitor's credential: it opens this visit only.
    async with gate.db.read() as session:
        visit = await session.scalar(select(Visit).where(Visit.token == visit_token))
        if visit is None:
            raise Refused("unknown visit token")
        center = await _center(session, visit.center_id)
        visit_id, center_id, day = visit.id, visit.center_id, visit.date
        tz = ZoneInfo(center.timezone)

    async def build(session: AsyncSession, ctx: CenterContext, now: datetime) -> State:
        return await visit_state(session, ctx, await visit_by_token(session, visit_token), now)

    load = _state_loader(center_id, build)
    return Channel(center_id=center_id, day=day, tz=tz, load_state=load, visit_id=visit_id)


# Registered on the router for OpenAPI and url_path_for; WelcomeApp (app.main) sends
# these paths' handshakes to `serve` before FastAPI's middleware and routing.
@router.websocket("/ws/centers/{slug}/display")
async def display_socket(websocket: WebSocket, slug: str) -> None:
    await serve(websocket, open_display, slug=slug)


@router.websocket("/ws/centers/{slug}/overview")
async def overview_socket(websocket: WebSocket, slug: str) -> None:
    await serve(websocket, open_overview, slug=slug)


@router.websocket("/ws/desks/{code}")
async def desk_socket(websocket: WebSocket, code: str) -> None:
    await serve(websocket, open_desk, code=code)


@router.websocket("/ws/visits/{visit_token}")
async def visit_socket(websocket: WebSocket, visit_token: str) -> None:
    await serve(websocket, open_visit, visit_token=visit_token)


async def _center(session: AsyncSession, center_id: int) -> Center:
    center = await session.get(Center, center_id)
    if center is None:
        raise Refused("the center no longer exists")
    return center


SOCKETS: tuple[tuple[re.Pattern[str], Opener], ...] = (
    (re.compile(r"/ws/centers/(?P<slug>[^/]+)/display"), open_display),
    (re.compile(r"/ws/centers/(?P<slug>[^/]+)/overview"), open_overview),
    (re.compile(r"/ws/desks/(?P<code>[^/]+)"), open_desk),
    (re.compile(r"/ws/visits/(?P<visit_token>[^/]+)"), open_visit),
)


def socket_route(scope: Scope) -> tuple[Opener, dict[str, str]] | None:
    """The channel a WebSocket handshake asks for, with its path parameters."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    for pattern, endpoint in SOCKETS:
        match = pattern.fullmatch(path)
        if match is not None:
            return endpoint, match.groupdict()
    return None

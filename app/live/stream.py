"""One socket's stream: snapshot or resume, then live events, strictly seq+1 each.

The socket sends from its own queue (Hub.Subscriber), in the connection's own task,
and never from the hub, so a slow peer only ever blocks itself; a second small task
listens for pings and the close. Where the stream would skip a seq it reads the
log; where the log no longer has it, the client gets a fresh snapshot instead.
After a `center.configured` event (desks, needs, agencies or days changed) the client
also gets a fresh snapshot, with that event's seq: what it holds was built from the
old configuration.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.websockets import WebSocket, WebSocketDisconnect

from app.db import Database
from app.errors import AppError
from app.journal.log import events_after, last_seq
from app.kinds import EventType
from app.live.hub import READ_BATCH, Hub, Subscriber
from app.live.messages import encode, outgoing
from app.live.snapshots import State

StateLoader = Callable[[AsyncSession, datetime], Awaitable[State]]
TOO_SLOW = 1013  # "try again later": the client reconnects with ?since=
GONE = 1008  # what the socket watched no longer exists: a new handshake is refused too


class Gone(Exception):
    """The channel's subject (a desk the configuration removed) can no longer be shown."""


@dataclass(frozen=True, slots=True)
class Channel:
    center_id: int
    day: date
    tz: tzinfo
    load_state: StateLoader
    redact: bool = False  # the public display: whitelisted fields only
    visit_id: str | None = None  # the visitor's phone: its own visit's events only
    agency: str | None = None  # a desk: events as its agency may see them (compartments)
    # A desk: records what the snapshot just loaded showed (the audit log), before it is sent.
    audit: Callable[[], Awaitable[None]] | None = None


class Stream:
    __slots__ = ("channel", "clock", "control", "db", "hub", "last", "ws")

    def __init__(
        self,
        ws: WebSocket,
        *,
        hub: Hub,
        db: Database,
        channel: Channel,
        clock: Callable[[], datetime],
    ) -> None:
        self.ws = ws
        self.hub = hub
        self.db = db
        self.channel = channel
        self.clock = clock
        self.last = 0
        self.control: list[str] = []

    async def run(self, since: int | None) -> None:
        ch = self.channel
        room, sub = await self.hub.join(
            center_id=ch.center_id, day=ch.day, tz=ch.tz, visit_id=ch.visit_id
        )
        try:
            await self._start(since)
            # The connection's own task sends; one small task only listens.
            receiver = asyncio.create_task(self._receive_loop(sub))
            try:
                await self._send_loop(sub)
            finally:
                receiver.cancel()
                with contextlib.suppress(BaseException):
                    await receiver
        except (WebSocketDisconnect, RuntimeError, OSError):
            return  # the peer went away mid-send
        except Gone as exc:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(code=GONE, reason=str(exc)[:120]), timeout=2)
        finally:
            self.hub.leave(room, sub)

    async def _start(self, since: int | None) -> None:
        if since is None or since < 0:
            await self._snapshot()
            return
        async with self.db.read() as session:
            last = await last_seq(session, center_id=self.channel.center_id, day=self.channel.day)
        if since > last:
            await self._snapshot()  # a seq from another day, or a database that was reset
            return
        self.last = since
        if not await self._replay(last):
            await self._snapshot()

    async def _snapshot(self) -> None:
        async with self.db.snapshot() as session:
            try:
                seq, data = await self.channel.load_state(session, self.clock())
            except (KeyError, AppError) as exc:
                # Only after a config load: the socket's desk (or center) was removed.
                raise Gone(f"no longer configured: {exc}") from exc
        if self.channel.audit is not None:
            await self.channel.audit()
        await self.ws.send_text(encode(seq, "snapshot", self.clock(), data, self.channel.tz))
        self.last = seq

    async def _replay(self, upto: int) -> bool:
        """Send the log's events after self.last up to upto; False where it has a hole."""
        ch = self.channel
        reload = False
        while self.last < upto:
            async with self.db.read() as session:
                events = await events_after(
                    session,
                    center_id=ch.center_id,
                    day=ch.day,
                    since=self.last,
                    limit=min(READ_BATCH, upto - self.last),
                )
            if not events:
                return False
            for event in events:
                if event.seq != self.last + 1:
                    return False
                if ch.visit_id is None or event.visit_id == ch.visit_id:
                    text = outgoing(event, ch.tz).text(redact=ch.redact, agency=ch.agency)
                    await self.ws.send_text(text)
                    reload = reload or event.type == EventType.CENTER_CONFIGURED
                self.last = event.seq
        if reload:
            await self._snapshot()
        return True

    async def _send_loop(self, sub: Subscriber) -> None:
        ch = self.channel
        while True:
            await sub.wait()
            if sub.closed:
                return
            while self.control:
                await self.ws.send_text(self.control.pop(0))
            if sub.dropped:
                await self._close_too_slow()
                return
            for out in sub.take():
                if out.seq <= self.last:
                    continue
                if ch.visit_id is None and out.seq > self.last + 1:
                    # Missed while snapshotting or a hole: the log fills it, or a snapshot.
                    if not await self._replay(out.seq - 1):
                        await self._snapshot()
                    if out.seq <= self.last:
                        continue
                await self.ws.send_text(out.text(redact=ch.redact, agency=ch.agency))
                self.last = out.seq
                if out.type == EventType.CENTER_CONFIGURED:
                    # Screens hold state built from the old configuration: replace it.
                    # Its seq is this event's (or later, if more committed meanwhile).
                    await self._snapshot()

    async def _close_too_slow(self) -> None:
        reason = f"too slow; resume with ?since={self.last}"
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(code=TOO_SLOW, reason=reason), timeout=2)

    async def _receive_loop(self, sub: Subscriber) -> None:
        try:
            while True:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    return
                if is_ping(message.get("text")):
                    # An application-level heartbeat for clients that cannot send ping frames.
                    pong = encode(self.last, "pong", self.clock(), {}, self.channel.tz)
                    self.control.append(pong)
                    sub.wake()
        finally:
            sub.closed = True
            sub.wake()


def is_ping(text: str | None) -> bool:
    if not text:
        return False
    if text.strip().lower() == "ping":
        return True
    try:
        body: Any = json.loads(text)
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("type") == "ping"

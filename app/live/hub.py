"""The hub: one bus subscription per process, fanned out to per-socket bounded queues.

A room is one center-day that has sockets. The room knows the last seq it delivered
and only ever delivers seq+1, read from the log when it did not see the commit
itself, so every socket gets one gap-free, ordered stream however the hints arrive.
Pushing never blocks: a socket whose queue is full is marked dropped and closed;
its client resumes with ?since=. One slow screen never slows the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from contextvars import Context
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from app.db import Database
from app.journal.hint import Hint
from app.journal.log import events_after, last_seq
from app.journal.models import Event
from app.live.bus import Bus, MemoryBus
from app.live.collector import Collector
from app.live.messages import Outgoing, outgoing

log = logging.getLogger("welcome_center.hub")

RoomKey = tuple[int, date]
READ_BATCH = 1000


class Subscriber:
    """One socket's bounded queue; the socket drains it at its own pace.

    Kept small on purpose (a center may have a thousand screens open): a list and a
    future made only while the socket waits, rather than a deque and an asyncio.Event,
    which cost ~0.7 KiB each.
    """

    __slots__ = ("_signalled", "_waiter", "closed", "dropped", "items", "limit", "visit_id")

    def __init__(self, *, limit: int, visit_id: str | None) -> None:
        self.items: list[Outgoing] = []
        self.limit = limit
        self.visit_id = visit_id
        self.dropped = False  # fell `limit` behind: closed with 1013, resumes with ?since=
        self.closed = False  # the peer went away
        self._signalled = False
        self._waiter: asyncio.Future[None] | None = None

    def push(self, out: Outgoing) -> None:
        if self.visit_id is not None and out.visit_id != self.visit_id:
            return
        if self.dropped:
            return
        if len(self.items) >= self.limit:
            self.dropped = True
            self.items = []  # it will not be sent; the client resumes from the log
        else:
            self.items.append(out)
        self.wake()

    def wake(self) -> None:
        self._signalled = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self) -> None:
        """Until something happened since the last wait: items, a drop, a close, a wake."""
        if not self._signalled:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        self._signalled = False

    def take(self) -> list[Outgoing]:
        items, self.items = self.items, []
        return items


class Room:
    def __init__(self, key: RoomKey, tz: tzinfo) -> None:
        self.key = key
        self.tz = tz
        self.last_seq = 0
        self.target = 0
        self.subscribers: set[Subscriber] = set()
        self.ready: asyncio.Task[None] | None = None
        self.pump: asyncio.Task[None] | None = None

    @property
    def center_id(self) -> int:
        return self.key[0]

    @property
    def day(self) -> date:
        return self.key[1]

    def deliver(self, out: Outgoing) -> None:
        self.last_seq = out.seq
        for sub in self.subscribers:
            sub.push(out)


class Hub:
    def __init__(
        self,
        db: Database,
        bus: Bus | None = None,
        *,
        queue_limit: int = 256,
        sweep_seconds: float = 1.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.db = db
        self.clock = clock or (lambda: datetime.now(UTC))
        self.bus: Bus = bus or MemoryBus()
        self.queue_limit = queue_limit
        self.sweep_seconds = sweep_seconds
        self.rooms: dict[RoomKey, Room] = {}
        self.collector = Collector()
        self._sweeper: asyncio.Task[None] | None = None
        # (seconds from an event's time to its arrival here, how it came: "commit" in this
        # process or "log" after a bus hint or sweep). app.main points it at /metrics.
        self.observe_lag: Callable[[float, str], None] | None = None

    async def start(self) -> None:
        self.db.on_events = self.on_events
        await self.bus.start(self.on_hint, self.resync)
        if self.sweep_seconds > 0:
            self._sweeper = asyncio.create_task(self._sweep_forever(), name="hub-sweep")

    async def stop(self) -> None:
        self.collector.stop()
        if self.db.on_events == self.on_events:
            self.db.on_events = None
        tasks = [self._sweeper] + [r.pump for r in self.rooms.values()]
        for task in tasks:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.bus.stop()

    @asynccontextmanager
    async def subscribe(
        self, *, center_id: int, day: date, tz: tzinfo, visit_id: str | None = None
    ) -> AsyncIterator[Subscriber]:
        """Register first, snapshot after: every event past the snapshot then arrives."""
        room, sub = await self.join(center_id=center_id, day=day, tz=tz, visit_id=visit_id)
        try:
            yield sub
        finally:
            self.leave(room, sub)

    async def join(
        self, *, center_id: int, day: date, tz: tzinfo, visit_id: str | None = None
    ) -> tuple[Room, Subscriber]:
        """subscribe() without a context manager (Stream: one frame less per socket).

        The caller must call leave(room, sub) once done, whatever happens.
        """
        key = (center_id, day)
        room = self.rooms.get(key)
        if room is None:
            room = self.rooms[key] = Room(key, tz)
            # A room serves every socket: its tasks log under no one socket's request id.
            room.ready = asyncio.create_task(self._init_room(room), context=Context())
        sub = Subscriber(limit=self.queue_limit, visit_id=visit_id)
        room.subscribers.add(sub)
        self.collector.opened()
        try:
            await asyncio.shield(room.ready)  # type: ignore[arg-type]
        except BaseException:
            self.leave(room, sub)
            raise
        return room, sub

    def leave(self, room: Room, sub: Subscriber) -> None:
        self.collector.closed()
        room.subscribers.discard(sub)
        if not room.subscribers and self.rooms.get(room.key) is room:
            del self.rooms[room.key]
            if room.pump is not None:
                room.pump.cancel()

    async def _init_room(self, room: Room) -> None:
        # Events committed from here on reach the room by commit, hint or sweep.
        for attempt in range(50):
            try:
                async with self.db.read() as session:
                    room.last_seq = await last_seq(session, center_id=room.center_id, day=room.day)
                    room.target = max(room.target, room.last_seq)
                    return
            except Exception:
                log.exception("reading the seq of %s failed", room.key)
                await asyncio.sleep(min(0.1 * 2**attempt, 2.0))
        raise RuntimeError(f"cannot read the event log of {room.key}")

    async def on_events(self, events: Iterable[Any]) -> None:
        """Database.on_events: what this process just committed, delivered without a read."""
        for event in sorted(events, key=lambda e: e.seq):
            room = self.rooms.get((event.center_id, event.date))
            if room is None:
                continue
            self._lag(event, "commit")
            idle = room.ready is not None and room.ready.done() and room.pump is None
            if idle and event.seq == room.last_seq + 1:
                room.deliver(outgoing(event, room.tz))
                room.target = max(room.target, event.seq)
            else:
                self._want(room, event.seq)

    def on_hint(self, hint: Hint) -> None:
        room = self.rooms.get((hint.center_id, hint.day))
        if room is not None:
            self._want(room, hint.seq)

    async def resync(self) -> None:
        """After the bus was away: the log has whatever its hints would have said."""
        await self._sweep()

    def _want(self, room: Room, seq: int) -> None:
        if seq <= room.last_seq:
            return
        room.target = max(room.target, seq)
        if room.pump is None:
            room.pump = asyncio.create_task(self._pump(room), context=Context())

    async def _pump(self, room: Room) -> None:
        try:
            if room.ready is not None:
                await asyncio.shield(room.ready)
            backoff = 0.05
            while room.target > room.last_seq and room.subscribers:
                try:
                    async with self.db.read() as session:
                        events = await events_after(
                            session,
                            center_id=room.center_id,
                            day=room.day,
                            since=room.last_seq,
                            limit=READ_BATCH,
                        )
                except Exception:
                    log.exception("reading the event log of %s failed", room.key)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 2.0)
                    continue
                if not events:
                    break  # the sweep tries again
                self._deliver_read(room, events)
        finally:
            room.pump = None

    def _deliver_read(self, room: Room, events: Iterable[Event]) -> None:
        for event in events:
            if event.seq <= room.last_seq:
                continue
            self._lag(event, "log")
            # A hole in the log (purged rows): sockets notice the jump and re-snapshot.
            room.deliver(outgoing(event, room.tz))

    def _lag(self, event: Any, path: str) -> None:
        """The event's `at` is taken by the writing request just before its commit, on
        the same clock as ours: the lag includes the commit (and, across hosts, their
        clock difference)."""
        if self.observe_lag is None:
            return
        at = getattr(event, "at", None)
        if isinstance(at, datetime):
            self.observe_lag(max(0.0, (self.clock() - at).total_seconds()), path)

    def end_past_days(self) -> int:
        """Screens on a day that is over move to the new one: their sockets close (1013)
        and reconnect, and the stale seq gets them the new day's snapshot. A phone keeps
        its visit's day: the visit belongs to it."""
        moved = 0
        now = self.clock()
        for room in list(self.rooms.values()):
            if now.astimezone(room.tz).date() <= room.day:
                continue
            for sub in room.subscribers:
                if sub.visit_id is None and not sub.dropped:
                    sub.dropped = True
                    sub.wake()
                    moved += 1
        return moved

    async def _sweep(self) -> None:
        self.end_past_days()
        for room in list(self.rooms.values()):
            if room.ready is None or not room.ready.done():
                continue
            try:
                async with self.db.read() as session:
                    seq = await last_seq(session, center_id=room.center_id, day=room.day)
            except Exception:
                log.warning("sweep of %s failed", room.key, exc_info=True)
                continue
            self._want(room, seq)

    async def _sweep_forever(self) -> None:
        # A safety net under the bus: a lost hint costs at most one sweep interval.
        while True:
            await asyncio.sleep(self.sweep_seconds)
            await self._sweep()

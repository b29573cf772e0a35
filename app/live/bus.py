"""The event bus: "event N of a center-day exists" hints, carried between processes.

The bus carries no event data. A hint may be late, doubled or lost (a NOTIFY sent
while the listener was reconnecting never arrives), so the hub treats it as a nudge
to read the log, and re-reads the log after every reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from app.journal.hint import CHANNEL, Hint
from app.tasks import cancel

log = logging.getLogger("welcome_center.bus")

APPLICATION = "welcome-center-bus"  # names the listener in pg_stat_activity


OnHint = Callable[[Hint], None]
OnResync = Callable[[], Awaitable[None]]


class Bus(Protocol):
    async def start(self, on_hint: OnHint, on_resync: OnResync) -> None: ...

    async def stop(self) -> None: ...


class MemoryBus:
    """One process: the hub already sees every commit through Database.on_events."""

    async def start(self, on_hint: OnHint, on_resync: OnResync) -> None:
        return None

    async def stop(self) -> None:
        return None


def asyncpg_dsn(url: str) -> str:
    """The SQLAlchemy URL as a plain libpq DSN for asyncpg."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresBus:
    """LISTEN on a dedicated asyncpg connection; NOTIFY is sent by log.append in the
    writing transaction, so a hint exists only for committed events."""

    def __init__(
        self,
        url: str,
        *,
        channel: str = CHANNEL,
        probe_seconds: float = 5.0,
        max_backoff: float = 5.0,
    ) -> None:
        self.dsn = asyncpg_dsn(url)
        self.channel = channel
        self.probe_seconds = probe_seconds
        self.max_backoff = max_backoff
        self.connected = asyncio.Event()
        self.reconnects = 0  # listener connections lost after one was up (/metrics)
        self._task: asyncio.Task[None] | None = None

    async def start(self, on_hint: OnHint, on_resync: OnResync) -> None:
        self._task = asyncio.create_task(self._run(on_hint, on_resync), name="pg-bus")
        # Serve even if the database is briefly away: the listener keeps retrying.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.connected.wait(), timeout=10)

    async def stop(self) -> None:
        await cancel(self._task)
        self._task = None

    async def _run(self, on_hint: OnHint, on_resync: OnResync) -> None:
        import asyncpg

        backoff = 0.1
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(
                    self.dsn, timeout=10, server_settings={"application_name": APPLICATION}
                )
                lost = asyncio.Event()
                conn.add_termination_listener(_setter(lost))

                def _notified(_c: object, _pid: int, _ch: str, payload: str) -> None:
                    hint = Hint.decode(payload)
                    if hint is not None:
                        on_hint(hint)

                await conn.add_listener(self.channel, _notified)
                self.connected.set()
                backoff = 0.1
                # Whatever was notified while we were away is only in the log.
                await on_resync()
                await self._watch(conn, lost)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure means: reconnect
                if self.connected.is_set():
                    self.reconnects += 1
                log.warning("event listener lost (%s); reconnecting in %.1fs", exc, backoff)
            finally:
                self.connected.clear()
                if conn is not None and not conn.is_closed():
                    conn.terminate()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)

    async def _watch(self, conn: object, lost: asyncio.Event) -> None:
        """A silent TCP peer is only noticed by talking to it: probe periodically."""
        while not lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), timeout=self.probe_seconds)
            if lost.is_set():
                break
            await asyncio.wait_for(conn.fetchval("SELECT 1"), timeout=self.probe_seconds)  # type: ignore[attr-defined]
        raise ConnectionError("listener connection closed")


def _setter(flag: asyncio.Event) -> Callable[[object], None]:
    return lambda _conn: flag.set()

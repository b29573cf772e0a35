"""Callers resolved a moment ago, so a busy desk or kiosk is not looked up per request.

Keyed by the token's hash, kept for `TTL_SECONDS` of this process's monotonic clock.
What stays exact:
- A staff session's absolute end and idle timeout are checked on every hit against the
  request's clock; a session that would have ended is looked up in the database again.
- Any change to users, devices or staff sessions written through a session of this
  process (logout, ending sessions, a config load, re-pairing a device, recording
  activity, a login's clean-up) empties the cache at once and again when it commits
  (`app/auth/revocation.py`), and an entry looked up before such a change is not kept.
- Another worker's change (PostgreSQL, several processes) reaches this process after
  at most `TTL_SECONDS`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.auth.principal import Principal

TTL_SECONDS = 5.0
LIMIT = 4096


@dataclass(frozen=True, slots=True)
class Cached:
    principal: Principal
    active_at: datetime | None  # a staff session's last recorded activity
    expires_at: datetime | None  # a staff session's absolute end
    stored: float  # time.monotonic() when looked up

    def usable(self, now: datetime, idle: timedelta | None, mono: float) -> bool:
        if mono - self.stored > TTL_SECONDS:
            return False
        if self.expires_at is not None and self.expires_at <= now:
            return False
        idle_end = None if idle is None or self.active_at is None else self.active_at + idle
        return idle_end is None or now < idle_end


class PrincipalCache:
    def __init__(self) -> None:
        self._items: dict[str, Cached] = {}
        # Bumped by every change: a lookup that began before it must not be stored.
        self.generation = 0

    def get(self, digest: str, *, now: datetime, idle: timedelta | None) -> Cached | None:
        found = self._items.get(digest)
        if found is None:
            return None
        if not found.usable(now, idle, time.monotonic()):
            del self._items[digest]
            return None
        return found

    def put(
        self,
        digest: str,
        principal: Principal,
        *,
        generation: int,
        active_at: datetime | None,
        expires_at: datetime | None,
    ) -> None:
        if generation != self.generation:
            return  # a change landed while this was looked up
        if len(self._items) >= LIMIT:
            self._items.clear()  # many callers at once: start afresh rather than track age
        self._items[digest] = Cached(principal, active_at, expires_at, time.monotonic())

    def forget_all(self) -> None:
        self.generation += 1
        self._items.clear()

    def clear(self) -> None:
        self.forget_all()

    def __len__(self) -> int:
        return len(self._items)

"""A sliding-window counter whose places are taken before the work and can be given back.

`limits` counts hits after the fact; a login must take its place *before* the password
is checked (or 100 concurrent guesses all pass the check) and give it back when the
password was right. Per worker process, in memory: with W workers a limit holds W times.
Everything here is synchronous, so under asyncio a reservation is atomic.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from limits import parse

# Keys kept at most (an attacker may invent usernames); the oldest go first.
MAX_KEYS = 100_000


class SlidingWindow:
    def __init__(self, rate: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        item = parse(rate)
        self.amount = item.amount
        self.seconds = float(item.get_expiry())
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}

    def _live(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            return deque()
        while hits and hits[0] <= now - self.seconds:
            hits.popleft()
        if not hits:
            del self._hits[key]
        return hits

    def wait(self, key: str) -> float:
        """Seconds until `key` has a free place (0: it has one now)."""
        now = self.clock()
        hits = self._live(key, now)
        if len(hits) < self.amount:
            return 0.0
        return max(0.001, hits[0] + self.seconds - now)

    def take(self, key: str) -> None:
        now = self.clock()
        if key not in self._hits and len(self._hits) >= MAX_KEYS:
            self._hits.pop(next(iter(self._hits)))
        self._hits.setdefault(key, deque()).append(now)

    def give_back(self, key: str) -> None:
        hits = self._hits.get(key)
        if hits:
            hits.pop()
            if not hits:
                del self._hits[key]

    def reserve(self, key: str) -> float:
        """Take a place if there is one: 0; otherwise the seconds to wait (nothing taken)."""
        wait = self.wait(key)
        if wait == 0:
            self.take(key)
        return wait

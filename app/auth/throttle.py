"""Slows down password guessing: failed logins per username and per client address."""

from __future__ import annotations

import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from app.errors import TooManyRequests


class LoginThrottle:
    """In-process counters: with several workers each keeps its own, which still caps
    guessing at workers x limit; a shared store can replace MemoryStorage later."""

    def __init__(self, per_user: str = "10/15 minutes", per_client: str = "50/15 minutes") -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._user: RateLimitItem = parse(per_user)
        self._client: RateLimitItem = parse(per_client)

    def _keys(self, username: str, client: str) -> list[tuple[RateLimitItem, str]]:
        return [(self._user, f"user:{username.casefold()}"), (self._client, f"ip:{client}")]

    def check(self, *, username: str, client: str) -> None:
        for item, key in self._keys(username, client):
            if not self._limiter.test(item, key):
                reset = self._limiter.get_window_stats(item, key).reset_time
                retry = max(1, int(reset - time.time()))
                raise TooManyRequests(
                    f"too many failed sign-ins; try again in {retry // 60 + 1} minutes",
                    retry_after=retry,
                )

    def failed(self, *, username: str, client: str) -> None:
        for item, key in self._keys(username, client):
            self._limiter.hit(item, key)

    def succeeded(self, *, username: str) -> None:
        self._limiter.clear(self._user, f"user:{username.casefold()}")

"""Slows down password guessing without letting a guesser lock staff out.

Each sign-in takes its place in three sliding windows *before* the password is checked
(atomically: no await in between), so concurrent guesses cannot outrun the count:
- per (account, client address): 10 in 15 minutes; the usual way a staff member who
  mistyped too often waits, only at that computer;
- per client address: 50 in 15 minutes, any accounts (password spraying);
- per account: 50 in 15 minutes from anywhere, **except** from addresses where the
  account signed in successfully in the last 30 days (known-good): someone guessing
  from elsewhere cannot lock a clerk out at their own desk.
A successful sign-in gives its places back (a password that was right is no guess) and
marks the address known-good. docs/api.md §9 "Sign-in throttling" says what staff see.
Counters live in the worker's memory: with W workers each limit holds W times over, and
a restart forgets them (and the known-good addresses).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from app.errors import TooManyRequests
from app.ops.ratelimit import SlidingWindow

KNOWN_GOOD_SECONDS = 30 * 24 * 3600
KNOWN_GOOD_PER_ACCOUNT = 20
MAX_ACCOUNTS = 10_000


class LoginThrottle:
    def __init__(
        self,
        per_account_client: str = "10/15 minutes",
        per_client: str = "50/15 minutes",
        per_account: str = "50/15 minutes",
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        self._pair = SlidingWindow(per_account_client, clock=clock)
        self._client = SlidingWindow(per_client, clock=clock)
        self._account = SlidingWindow(per_account, clock=clock)
        # account -> {address: last successful sign-in}
        self._known: OrderedDict[str, dict[str, float]] = OrderedDict()

    def known_good(self, username: str, client: str) -> bool:
        seen = self._known.get(username.casefold(), {}).get(client)
        return seen is not None and self.clock() - seen < KNOWN_GOOD_SECONDS

    def _windows(self, username: str, client: str) -> list[tuple[SlidingWindow, str, str]]:
        account = username.casefold()
        out = [
            (self._pair, f"{account}\n{client}", "this account from this computer"),
            (self._client, client, "this computer"),
        ]
        if not self.known_good(username, client):
            out.append((self._account, account, "this account"))
        return out

    def begin(self, *, username: str, client: str) -> Attempt:
        """Count an attempt before its password is checked; 429 (nothing counted) if over."""
        windows = self._windows(username, client)
        for window, key, scope in windows:
            wait = window.wait(key)
            if wait > 0:
                retry = math.ceil(wait)
                raise TooManyRequests(
                    f"too many sign-in attempts for {scope}; "
                    f"try again in {math.ceil(retry / 60)} minutes",
                    retry_after=retry,
                    scope=scope,
                )
        for window, key, _ in windows:
            window.take(key)
        return Attempt(username.casefold(), client, [(w, k) for w, k, _ in windows])

    def abandon(self, attempt: Attempt) -> None:
        """The password was never judged (e.g. the database was away): no guess made."""
        for window, key in attempt.taken:
            window.give_back(key)

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the attempt's places back, the address known-good."""
        self.abandon(attempt)
        addresses = self._known.pop(attempt.account, {})
        addresses[attempt.client] = self.clock()
        while len(addresses) > KNOWN_GOOD_PER_ACCOUNT:
            addresses.pop(min(addresses, key=addresses.__getitem__))
        self._known[attempt.account] = addresses
        while len(self._known) > MAX_ACCOUNTS:
            self._known.popitem(last=False)


@dataclass(frozen=True)
class Attempt:
    account: str
    client: str
    taken: list[tuple[SlidingWindow, str]]

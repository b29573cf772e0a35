"""Check-ins per kiosk device (WELCOME_KIOSK_CHECKINS, per worker; an administrator checking
visitors in counts as a device of their own): a stolen or broken kiosk token cannot
flood the queue. A repeat of the same Idempotency-Key (the kiosk
retrying one visitor's check-in) is not counted again.
"""

from __future__ import annotations

import math
from collections import OrderedDict

from app.errors import TooManyRequests
from app.ops.ratelimit import SlidingWindow

REMEMBERED_KEYS = 10_000


class KioskLimit:
    def __init__(self, rate: str) -> None:
        self._window = SlidingWindow(rate)
        self._keys: OrderedDict[tuple[str, str], None] = OrderedDict()

    def admit(self, caller: str, key: str | None) -> None:
        if key is not None and (caller, key) in self._keys:
            return
        wait = self._window.reserve(caller)
        if wait > 0:
            raise TooManyRequests(
                f"this kiosk checked in {self._window.amount} visitors in "
                f"{self._window.seconds:g}s; try again in {math.ceil(wait)}s",
                code="kiosk_limit",
                retry_after=math.ceil(wait),
            )
        if key is not None:
            self._keys[(caller, key)] = None
            while len(self._keys) > REMEMBERED_KEYS:
                self._keys.popitem(last=False)

"""Keeping Python's cyclic garbage collector off the objects of long-lived sockets.

A full collection walks every tracked object: with a thousand sockets open (about a
hundred objects each, most of them in uvicorn and websockets) it stops the process
for ~100 ms, and every live update in flight waits. Sockets live for hours, so once
the number of open sockets has settled their objects are frozen (gc.freeze(), which
only moves a list); collections then walk what is young. Frozen objects are never
collected, so after many sockets have closed everything is unfrozen, collected once
(one pause, at a moment when many screens just went away) and frozen again.
"""

from __future__ import annotations

import asyncio
import gc

SETTLE_SECONDS = 2.0


class Collector:
    def __init__(self, *, settle: float = SETTLE_SECONDS) -> None:
        self.settle = settle
        self.open = 0
        self.frozen_open = 0  # sockets open at the last freeze
        self.closed_since = 0  # of those, closed since
        self.stale = False  # unfrozen: collect before freezing again
        self._timer: asyncio.TimerHandle | None = None

    def opened(self) -> None:
        self.open += 1
        self._schedule()

    def closed(self) -> None:
        self.open -= 1
        self.closed_since += 1
        if not self.stale and self.closed_since > max(64, self.frozen_open // 4):
            gc.unfreeze()  # their cyclic garbage must become collectable again
            self.stale = True
        self._schedule()

    def _schedule(self) -> None:
        # Rescheduled on every change: freezing waits until the count stops moving.
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(self.settle, self._freeze)

    def _freeze(self) -> None:
        self._timer = None
        if self.stale:
            gc.collect()
            self.stale = False
        gc.freeze()
        self.frozen_open = self.open
        self.closed_since = 0

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

"""What the app derives from a center-day's data and keeps between requests.

One `Caches` per app (`app.state.caches`, like the hub), handed to its Database, so a
service reaches it from its session (`app.db.database_of`). Every entry is keyed by
(database, center, day): several databases can live in one process (tests, tools),
and yesterday's values are never asked for again. Tests clear it through the app.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Generic, TypeVar

from app.auth.principal_cache import PrincipalCache

if TYPE_CHECKING:
    from app.room.store import Room
    from app.visits.learned import DayLog
    from app.visits.queries import Estimates

V = TypeVar("V")
Key = tuple[str, int, date]  # (database, center, day)


class DayCache(Generic[V]):
    """One value per center-day; a newer day of a center drops that center's older ones."""

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit  # many centers in one process: the oldest entries go first
        self._items: dict[Key, V] = {}

    def get(self, key: Key) -> V | None:
        return self._items.get(key)

    def put(self, key: Key, value: V) -> V:
        if key not in self._items:
            database, center, day = key
            for old in [k for k in self._items if k[:2] == (database, center) and k[2] < day]:
                del self._items[old]
            while len(self._items) >= self.limit:
                del self._items[next(iter(self._items))]
        self._items[key] = value
        return value

    def clear(self) -> None:
        self._items.clear()

    def values(self) -> list[V]:
        return list(self._items.values())

    def __len__(self) -> int:
        return len(self._items)


class Caches:
    """The app's caches: learned service minutes and waiting-time estimates per center-day."""

    def __init__(self) -> None:
        self.learned: DayCache[DayLog] = DayCache()
        self.estimates: DayCache[Estimates] = DayCache()
        # The waiting rooms as projections of the log (app/room/store.py).
        self.rooms: DayCache[Room] = DayCache()
        # Callers resolved a moment ago (app/auth/principal_cache.py).
        self.principals = PrincipalCache()

    def clear(self) -> None:
        self.learned.clear()
        self.estimates.clear()
        self.rooms.clear()
        self.principals.clear()

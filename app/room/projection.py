"""A center-day's waiting room as a projection of its event log. Pure: no I/O.

`RoomState` holds the visits still in the center (waiting, called, in service) at one
seq of the day's gap-free log. It only moves forward, by contiguous stretches of the
log: a stretch `(after, to]` comes with the state, at seq `to`, of every visit its
events name; a stretch that does not start where the room stands is refused (a hole:
the caller reloads the whole room instead). What a visit is (an ORM row copy, for the
views) does not matter here, only its id, status, day and check-in time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

ACTIVE = frozenset({"waiting", "called", "in_service"})
# Events that change more than the visits they name: the room is read again in full.
WHOLE_ROOM = frozenset({"center.configured", "visits.purged"})


# A visit: anything with `id`, `status`, `date` and `checked_in_at` (duck-typed: the
# ORM's mapped attributes do not satisfy a Protocol's properties for mypy).
V = TypeVar("V")


class Hole(Exception):
    """A stretch of the log that does not continue the room: reload it whole."""


@dataclass(frozen=True)
class Stretch:
    """Events `after+1 .. to` of the log: the visits they name and whether one of
    them changes the whole room."""

    after: int
    to: int
    visit_ids: frozenset[str]
    whole_room: bool = False


def stretch(after: int, events: Iterable[tuple[int, str, str | None]]) -> Stretch:
    """The stretch (seq, type, visit id)… continues `after`: contiguous or `Hole`."""
    seq = after
    named: set[str] = set()
    whole = False
    for event_seq, kind, visit_id in events:
        if event_seq != seq + 1:
            raise Hole(f"expected seq {seq + 1}, got {event_seq}")
        seq = event_seq
        whole = whole or kind in WHOLE_ROOM
        if visit_id is not None:
            named.add(visit_id)
    return Stretch(after=after, to=seq, visit_ids=frozenset(named), whole_room=whole)


@dataclass
class RoomState(Generic[V]):
    """The visits in the center at `seq`, by id, in check-in order."""

    day: date
    seq: int = 0
    config: str = ""  # the center's config hash the room was built under
    visits: dict[str, V] = field(default_factory=dict)
    reloads: int = 0  # whole-room reads after the first (holes, config, purges)

    @classmethod
    def load(cls, day: date, seq: int, config: str, visits: Iterable[V]) -> RoomState[V]:
        room: RoomState[V] = cls(day=day, seq=seq, config=config)
        room._replace(visits)
        return room

    def reload(self, seq: int, config: str, visits: Iterable[V]) -> None:
        """Replace the room with a full read (the first read is not counted)."""
        if self.config:
            self.reloads += 1
        self.seq = seq
        self.config = config
        self.visits = {}
        self._replace(visits)

    def _replace(self, visits: Iterable[V]) -> None:
        active: list[Any] = [v for v in visits if self._here(v)]
        active.sort(key=lambda v: v.checked_in_at)
        self.visits = {v.id: v for v in active}

    def _here(self, visit: Any) -> bool:
        return visit.status in ACTIVE and visit.date == self.day

    def advance(self, part: Stretch, found: Mapping[str, V]) -> None:
        """Apply a stretch, given the state at `part.to` of the visits it names
        (a named visit not in `found` is gone from the center: ended, or purged)."""
        if part.after != self.seq:
            raise Hole(f"room at seq {self.seq}, stretch after {part.after}")
        if part.whole_room:
            raise Hole("an event changes the whole room")
        late = False
        for visit_id in part.visit_ids:
            visit: Any = found.get(visit_id)
            if visit is None or not self._here(visit):
                self.visits.pop(visit_id, None)
                continue
            if visit_id not in self.visits and self.visits:
                last: Any = next(reversed(self.visits.values()))
                late = late or visit.checked_in_at < last.checked_in_at
            self.visits[visit_id] = visit
        if late:  # a visit checked in on another worker with an earlier clock
            self._replace(list(self.visits.values()))
        self.seq = part.to

    def active(self) -> list[V]:
        return list(self.visits.values())

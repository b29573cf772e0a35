"""A center's configuration (agencies, needs, calendar), kept per config version.

Every request reads its center's row anyway (by slug, or by id from a desk or a visit),
so that row is the version: (`config_hash`, `updated_at`). A transaction that writes
agencies, needs or days, or appends `center.configured` (a config load, `ensure_day`,
the administration pages) moves `updated_at` before it commits (`_configuration_moves`).
A worker that did not make the change sees the new row with its next request and loads
the configuration again: nothing to hear on the bus, nothing stale after a reload on a
live day.

Within a process, a committed ORM change to these tables (the loader, `ensure_day`, an
`update(Day)` in a test) drops the cached entries of that database at once, whatever
the version says.

Desks are not here: their open/paused/closed state changes with every desk action and
is written through the request's session, so `load_context` reads them per request.

The cached rows are transient copies, owned by no session: a rollback elsewhere cannot
expire them under a concurrent reader. Nobody changes them; the loader writes rows of
its own session.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Delete, Update, event, inspect, update
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from app.centers.models import Agency, Center, Day, Need
from app.db import DATABASE_KEY, Database, utcnow
from app.journal.models import Event
from app.kinds import EventType

Row = TypeVar("Row", Agency, Need, Day)
Version = tuple[str, datetime]
WATCHED = frozenset(model.__tablename__ for model in (Center, Agency, Need, Day))
CHANGED_KEY = "welcome_config_changed"


@dataclass(frozen=True)
class CenterConfig:
    """What load_context needs of a center besides its row and its desks."""

    agencies: dict[str, Agency]
    needs: dict[str, Need]
    days: list[Day]  # today and later, by date
    has_calendar: bool  # any day at all, past ones included


def version_of(center: Center) -> Version:
    return (center.config_hash, center.updated_at)


def detached(row: Row) -> Row:
    """A transient copy of a loaded row: column values only, in no session."""
    mapper = inspect(type(row))
    return type(row)(**{attr.key: getattr(row, attr.key) for attr in mapper.column_attrs})


class ConfigCache:
    """One entry per center: its configuration for one version and one local day."""

    def __init__(self) -> None:
        self._items: dict[int, tuple[Version, date, CenterConfig]] = {}
        self.loads = 0  # how often a center's configuration was read from the database

    def get(self, center: Center, today: date) -> CenterConfig | None:
        found = self._items.get(center.id)
        if found is None or found[0] != version_of(center) or found[1] != today:
            return None
        return found[2]

    def put(self, center: Center, today: date, config: CenterConfig) -> None:
        self.loads += 1
        self._items[center.id] = (version_of(center), today, config)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


_caches: weakref.WeakKeyDictionary[Database, ConfigCache] = weakref.WeakKeyDictionary()


def _database(session: Session | Any) -> Database | None:
    found = session.info.get(DATABASE_KEY)
    return found if isinstance(found, Database) else None


def cache_for(session: Any) -> ConfigCache | None:
    """The cache of the session's Database (None for a session made some other way)."""
    db = _database(session)
    if db is None:
        return None
    cache = _caches.get(db)
    if cache is None:
        cache = _caches[db] = ConfigCache()
    return cache


def clear(db: Database) -> None:
    """Forget every center's configuration of `db` (tests; a load in this process)."""
    cache = _caches.get(db)
    if cache is not None:
        cache.clear()


# The version moves in the transaction that changes the configuration, and this
# process forgets it on commit.


@event.listens_for(Session, "before_flush")
def _configuration_moves(session: Session, _flush: UOWTransaction, _objects: Any) -> None:
    """A flush that writes agencies, needs, days or `center.configured` bumps the version.

    Whoever changes configuration (the loader, `ensure_day`, the administration pages)
    appends `center.configured` or writes those rows: either way the center's
    `updated_at` moves in the same transaction, so every worker's next request reloads.
    """
    centers: set[int | None] = set()
    touched = False
    for obj in (*session.new, *session.dirty, *session.deleted):
        configured = isinstance(obj, Event) and obj.type == EventType.CENTER_CONFIGURED
        if configured or isinstance(obj, Agency | Need | Day):
            centers.add(obj.center_id)
        touched = touched or configured or isinstance(obj, Agency | Need | Day | Center)
    if touched:
        session.info[CHANGED_KEY] = True
    centers.discard(None)  # a row not yet given its center
    if not centers:
        return
    now = utcnow()
    # Core, not ORM: no autoflush inside the flush; the loaded rows get the same value.
    session.connection().execute(
        update(Center).where(Center.id.in_(centers)).values(updated_at=now)
    )
    for center_id in centers:
        loaded = session.identity_map.get(identity_key(Center, center_id))
        if loaded is not None:
            set_committed_value(loaded, "updated_at", now)


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    """An UPDATE or DELETE statement on those tables (tests, tools): forget on commit."""
    table = getattr(state.statement, "table", None)
    if isinstance(state.statement, Update | Delete) and getattr(table, "name", None) in WATCHED:
        state.session.info[CHANGED_KEY] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(CHANGED_KEY, False):
        db = _database(session)
        if db is not None:
            clear(db)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, _previous: Any) -> None:
    session.info.pop(CHANGED_KEY, None)

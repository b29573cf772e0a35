"""Engine, declarative base and the one place that commits: Database.write()."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import DateTime, TypeDecorator

from app.caches import Caches

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; SQLite would otherwise hand back naive datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


WRITE_OPTION: Final = "welcome_write"


def ensure_sqlite_dir(url: str) -> None:
    """SQLite creates the file but not its folder (the default lives under ./var/)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


# How long a request waits for a lock (this process's, then the database's) or for a
# connection before it gives up with 503 + Retry-After (app/ops/faults.py): a kiosk
# retries with its Idempotency-Key, which beats a visitor staring at a spinner.
LOCK_BUDGET_SECONDS = 5.0
# How long a request may queue for this process's lock of a center: longer than the
# database's budget, since a busy center's writes queue here in turn (20 desks and
# kiosks at once on two workers took more than 5 s on a loaded machine), yet bounded.
QUEUE_BUDGET_SECONDS = 20.0


def make_engine(url: str, *, create: bool = True) -> AsyncEngine:
    """create=False: a missing SQLite file is an error, not a new empty database (only
    `welcome-center migrate` creates one; app/ops/sqlite_file.py)."""
    # hide_parameters: a database error's message (logged as an unhandled error) would
    # otherwise quote the statement's values, a visitor's answers among them.
    if url.startswith("sqlite"):
        if create:
            ensure_sqlite_dir(url)
        engine = create_async_engine(
            url, connect_args={"timeout": LOCK_BUDGET_SECONDS}, hide_parameters=True
        )
        _sqlite_pragmas(engine)
        if not create:
            from app.ops.sqlite_file import refuse_missing_file

            refuse_missing_file(engine)
        return engine
    budget = {"lock_timeout": f"{int(LOCK_BUDGET_SECONDS * 1000)}ms"}
    return create_async_engine(
        url,
        pool_size=10,
        max_overflow=20,
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args={"timeout": LOCK_BUDGET_SECONDS, "server_settings": budget},
    )


def _sqlite_pragmas(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, issue BEGIN, so writes can BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(LOCK_BUDGET_SECONDS * 1000)}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A write takes the database write lock up front: upgrading a read
        # transaction later can fail at once with SQLITE_BUSY instead of waiting.
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


AfterCommit = Callable[[], Awaitable[None]]


class LockBudgetExceeded(TimeoutError):
    """This process's queue for a center's write lock took longer than the budget."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"waited {seconds:g}s for the write lock")


class Database:
    """Owns the engine; every state change goes through write(), the only commit point."""

    def __init__(self, url: str, *, caches: Caches | None = None, create: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url, create=create)
        # Each session knows its Database, so services reach the app's caches through it.
        self.sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, info={DATABASE_KEY: self}
        )
        # The app hands over its own (app.state.caches); a bare Database keeps a private one.
        self.caches = caches or Caches()
        self.is_sqlite = url.startswith("sqlite")
        self._locks: dict[int, asyncio.Lock] = {}
        # Set by the app: receives the events a write committed (the live-update hub).
        self.on_events: Callable[[list[Any]], Awaitable[None]] | None = None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[AsyncSession]:
        """A read that sees one moment: a live snapshot and its seq must agree.

        PostgreSQL's default READ COMMITTED gives every statement a new view; SQLite's
        read transaction already keeps the view of its first read.
        """
        async with self.sessions() as session:
            if not self.is_sqlite:
                await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session

    @asynccontextmanager
    async def write(self, center_id: int | None = None) -> AsyncIterator[AsyncSession]:
        """One serialised transaction for a center: state, events, commit, then side effects.

        Decisions such as "who does this desk call next" look at the whole center,
        so writes for one center never interleave: an in-process lock keeps this
        worker's requests in line, and the database lock (SQLite BEGIN IMMEDIATE,
        PostgreSQL advisory transaction lock) keeps other workers out.
        """
        lock = self._locks.setdefault(center_id or 0, asyncio.Lock())
        try:
            # Bounded like the database's own lock wait: a queue behind a stuck write
            # answers 503 (app/ops/faults.py) instead of waiting without end.
            async with asyncio.timeout(QUEUE_BUDGET_SECONDS):
                await lock.acquire()
        except TimeoutError:
            raise LockBudgetExceeded(QUEUE_BUDGET_SECONDS) from None
        try:
            async with self.sessions() as session:
                await session.connection(execution_options={WRITE_OPTION: True})
                if center_id is not None and not self.is_sqlite:
                    await session.execute(
                        text("SELECT pg_advisory_xact_lock(:ns, :id)"),
                        {"ns": 7301, "id": center_id},
                    )
                try:
                    yield session
                    await session.commit()
                except BaseException:
                    await session.rollback()
                    raise
                pending = session.info.pop("after_commit", [])
                events = session.info.pop("events", [])
        finally:
            lock.release()
        for callback in pending:
            await callback()
        if events and self.on_events is not None:
            await self.on_events(events)

    async def dispose(self) -> None:
        await self.engine.dispose()


DATABASE_KEY = "welcome_database"


def database_of(session: AsyncSession) -> Database | None:
    """The Database a session came from (None for a session made some other way)."""
    found = session.info.get(DATABASE_KEY)
    return found if isinstance(found, Database) else None


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run callback once the surrounding write() has committed (never on rollback)."""
    session.info.setdefault("after_commit", []).append(callback)

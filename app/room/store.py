"""The rooms of this process: one `RoomState` per center-day, kept in the app's caches.

Built from the database on first use, then moved forward along the event log:
- a write of this process advances it as it commits (a session `after_commit` listener:
  still inside the center's lock, before the hub hears of the events), copying the
  visits its events name from the session, when the room stands exactly before the
  write's first seq;
- otherwise a reader finds the log further on than the room (one counter lookup) and
  catches up: the events since the room's seq (one query) and the visits they name
  (two), read in a session of their own that sees one moment. A hole in the seqs, a
  whole-room event (config, purge) or a new config reads the room again in full,
  counted in `reloads`.
The visits it holds are detached row copies that no session owns: readers build views
from them and must not change them; a write changes the rows it loads itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, selectinload

from app.caches import Key
from app.centers.context import CenterContext
from app.db import DATABASE_KEY, Database, database_of
from app.journal.log import PENDING_KEY, events_after, last_seq
from app.journal.models import Event
from app.kinds import BUSY_STEP
from app.room.projection import ACTIVE, Hole, RoomState, Stretch, stretch
from app.visits import learned
from app.visits.models import Step, Visit

log = logging.getLogger("welcome_center.room")
VISIT_COLUMNS = tuple(c.key for c in inspect(Visit).column_attrs)
STEP_COLUMNS = tuple(c.key for c in inspect(Step).column_attrs)


@dataclass
class Room:
    """A center-day's projection with the lock its catch-ups take turns on."""

    state: RoomState[Visit]
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    estimates: Any = None  # app.room.estimates keeps its forecast here
    catch_ups: int = 0
    # Yesterday's visits had no called or in-service step left when last asked: after
    # midnight nobody calls a visit of yesterday again, so that stays true for the day.
    yesterday_idle: bool = False


def room_key(db: Database, ctx: CenterContext) -> Key:
    return (db.url, ctx.center.id, ctx.today)


def copy_visit(visit: Visit) -> Visit:
    """A detached copy of a loaded visit and its steps, for the room to keep."""
    out = Visit(**{k: getattr(visit, k) for k in VISIT_COLUMNS})
    out.unavailable = list(visit.unavailable or [])
    out.steps = [Step(**{k: getattr(s, k) for k in STEP_COLUMNS}) for s in visit.steps]
    return out


async def load_active(session: AsyncSession, ctx: CenterContext) -> list[Visit]:
    """Today's visitors still in the center, from the database (a full load)."""
    rows = await session.scalars(
        select(Visit)
        .where(
            Visit.center_id == ctx.center.id,
            Visit.date == ctx.today,
            Visit.status.in_(tuple(ACTIVE)),
        )
        .options(selectinload(Visit.steps))
        .order_by(Visit.checked_in_at)
    )
    return list(rows.all())


async def _load_named(session: AsyncSession, ids: Iterable[str]) -> dict[str, Visit]:
    wanted = sorted(ids)
    if not wanted:
        return {}
    # populate_existing: a visit the session loaded earlier (READ COMMITTED) is read anew.
    rows = await session.scalars(
        select(Visit)
        .where(Visit.id.in_(wanted))
        .options(selectinload(Visit.steps))
        .execution_options(populate_existing=True)
    )
    found = {v.id: v for v in rows.all()}
    for visit in found.values():
        session.expunge(visit)  # the room's now: the session must not hand it out again
    return found


async def _load_named_here(session: AsyncSession, ids: set[str]) -> dict[str, Visit]:
    """Visits as a write session sees them (its own changes included), kept in it."""
    if not ids:
        return {}
    rows = await session.scalars(
        select(Visit).where(Visit.id.in_(sorted(ids))).options(selectinload(Visit.steps))
    )
    return {v.id: v for v in rows.all()}


async def _full(session: AsyncSession, ctx: CenterContext) -> tuple[int, list[Visit]]:
    # The seq first: the visits read after it are as new or newer, and a visit newer
    # than the room's seq is read again when the catch-up meets its event.
    seq = await last_seq(session, center_id=ctx.center.id, day=ctx.today)
    visits = await load_active(session, ctx)
    for visit in visits:
        session.expunge(visit)
    return seq, visits


async def _reload(session: AsyncSession, room: Room, ctx: CenterContext) -> None:
    seq, visits = await _full(session, ctx)
    if seq >= room.state.seq or room.state.config != ctx.center.config_hash:
        room.state.reload(seq, ctx.center.config_hash, visits)
    await learned.refresh(session, ctx)


async def _catch_up(session: AsyncSession, room: Room, ctx: CenterContext) -> None:
    """Bring the room to the log's end as `session` sees it: the events since the
    room's seq, then the visits they name (read after them, so as new or newer)."""
    db = database_of(session)
    state = room.state
    if state.config != ctx.center.config_hash:
        await _reload(session, room, ctx)
        return
    since = state.seq
    events = await events_after(session, center_id=ctx.center.id, day=ctx.today, since=since)
    if not events:
        return
    try:
        part = stretch(since, ((e.seq, e.type, e.visit_id) for e in events))
        if part.whole_room:
            raise Hole("an event changes the whole room")
        found = await _load_named(session, part.visit_ids)
    except Hole:
        await _reload(session, room, ctx)
        return
    if db is not None:
        _learn(db, ctx, events)
    room.catch_ups += 1
    _advance(state, part, found)


def _advance(state: RoomState[Visit], part: Stretch, found: dict[str, Visit]) -> None:
    """Apply a stretch read while the room may have moved on (a commit of this process
    landed meanwhile): what was read is the state at `part.to`, newer than the room's
    as long as `part.to` is beyond it, so it continues the room from where it stands."""
    if part.to <= state.seq:
        return
    if part.after != state.seq:
        part = Stretch(after=state.seq, to=part.to, visit_ids=part.visit_ids)
    state.advance(part, found)


def _learn(db: Database, ctx: CenterContext, events: Sequence[Event]) -> None:
    """Feed the learned minutes the events just read, if they continue what it read."""
    log = db.caches.learned.get(learned.day_key(db.url, ctx))
    if log is None or not events or events[0].seq > log.seq + 1:
        return  # learned.refresh reads the log itself when next asked
    fresh = [e for e in events if e.seq > log.seq]
    learned._apply(log, [e for e in fresh if e.type in learned.TYPES])
    log.seq = max(log.seq, events[-1].seq)


def _room(db: Database, ctx: CenterContext) -> Room:
    key = room_key(db, ctx)
    room = db.caches.rooms.get(key)
    if room is None:
        room = db.caches.rooms.put(key, Room(RoomState(day=ctx.today)))
    return room


async def _with_learned(session: AsyncSession, ctx: CenterContext) -> None:
    # Usually free: the room's catch-up and this process's commits feed the learned log.
    await learned.refresh(session, ctx)


async def active(session: AsyncSession, ctx: CenterContext, *, exact: bool = False) -> list[Visit]:
    """Today's visitors in the center, from the room (for reads: never change them).

    exact: the caller reads in a `Database.snapshot()` and pairs the room with that
    session's seq (a socket's snapshot): a room already further on than the session
    is not used then, the visits are read from the session instead.
    """
    db = database_of(session)
    if db is None:
        await _with_learned(session, ctx)
        return await load_active(session, ctx)
    seq = await last_seq(session, center_id=ctx.center.id, day=ctx.today)
    room = await current(db, ctx, seq, session)
    if exact and room.state.seq != seq:
        await _with_learned(session, ctx)
        return await load_active(session, ctx)
    await _with_learned(session, ctx)
    return room.state.active()


async def current(
    db: Database, ctx: CenterContext, seq: int, session: AsyncSession | None = None
) -> Room:
    """The room, caught up at least to `seq` (a seq `session` saw committed).

    The catch-up reads in `session` where that sees one moment (a read on SQLite: its
    read transaction), else in a snapshot of its own: inside a write (its session holds
    uncommitted changes the room must not take) and on PostgreSQL (READ COMMITTED could
    show a visit newer than the events read just before it). One catch-up at a time per
    room, so at most one connection more per room.
    """
    room = _room(db, ctx)
    if room.state.seq >= seq and room.state.config == ctx.center.config_hash:
        return room
    async with room.lock:
        if room.state.seq < seq or room.state.config != ctx.center.config_hash:
            if session is not None and db.is_sqlite:
                await _catch_up(session, room, ctx)
            else:
                async with db.snapshot() as own:
                    await _catch_up(own, room, ctx)
    return room


async def _committed_room(session: AsyncSession, db: Database, ctx: CenterContext) -> Room:
    """Inside a write: the room caught up to everything committed before it."""
    seq = await last_seq(session, center_id=ctx.center.id, day=ctx.today)
    own = _own_events(session, ctx)
    return await current(db, ctx, seq - len(own))


def _own_events(session: AsyncSession, ctx: CenterContext) -> list[Event]:
    return [
        e
        for e in session.info.get(PENDING_KEY, [])
        if e.center_id == ctx.center.id and e.date == ctx.today
    ]


async def holds_due(session: AsyncSession, ctx: CenterContext, *, now: datetime) -> bool:
    """Whether a hold of today has come to its time (inside a write): the room says so
    without a query, so call-next looks for them only when there are some."""
    db = database_of(session)
    if db is None:
        return True
    room = await _committed_room(session, db, ctx)
    return any(
        s.held_until is not None and s.held_until <= now and s.status == "pending"
        for v in room.state.visits.values()
        for s in v.steps
    )


async def for_decision(session: AsyncSession, ctx: CenterContext) -> list[Visit]:
    """The visits a write decides on (inside the center's lock): the room caught up to
    everything committed, with the visits this write loaded or changed in their place.

    Never change the visits returned: load the chosen one in the session to change it.
    """
    db = database_of(session)
    if db is None:
        await _with_learned(session, ctx)
        return await load_active(session, ctx)
    room = await _committed_room(session, db, ctx)
    own = _own_events(session, ctx)
    log = db.caches.learned.get(learned.day_key(db.url, ctx))
    if log is not None and log.seq >= room.state.seq and log.learned.prior == learned._prior(ctx):
        # What the log taught up to the room's seq; refreshing in this session would read
        # the write's own events before they are committed.
        ctx.learned = log.learned
    else:
        await _with_learned(session, ctx)
    visits = dict(room.state.visits)
    # What this write changed so far (its events name every visit it changed; a clean
    # row may already be gone from the session's weak identity map) and what it holds.
    changed = {e.visit_id for e in own if e.visit_id is not None}
    mine = await _load_named_here(session, changed)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Visit) and "steps" not in inspect(obj).unloaded:
            mine.setdefault(obj.id, obj)
    for obj in mine.values():
        if obj.center_id != ctx.center.id or obj.date != ctx.today:
            continue
        if obj.status in ACTIVE:
            visits[obj.id] = obj
        else:
            visits.pop(obj.id, None)
    return sorted(visits.values(), key=lambda v: v.checked_in_at)


async def busy_at(session: AsyncSession, ctx: CenterContext, desk: str) -> list[str] | None:
    """The ids of today's visits with a called or in-service step at `desk`, from the
    room caught up to everything committed, with this session's own changes in their
    place; None when the room cannot tell (no Database: the caller queries instead).

    Yesterday's visits are not in the room: `yesterday_idle` says when none can be busy.
    """
    db = database_of(session)
    if db is None:
        return None
    room = await _committed_room(session, db, ctx)
    visits: dict[str, Visit] = dict(room.state.visits)
    for obj in session.info.get(HELD_KEY, {}).values():
        if obj in session and "steps" not in inspect(obj).unloaded and obj.date == ctx.today:
            visits[obj.id] = obj
    return [
        v.id
        for v in visits.values()
        if v.center_id == ctx.center.id
        and v.status in ACTIVE
        and any(s.desk == desk and s.status in BUSY_STEP for s in v.steps)
    ]


def known_seq(db: Database, ctx: CenterContext) -> int | None:
    """How far this process's room of the center-day stands (None: no room yet)."""
    room = db.caches.rooms.get(room_key(db, ctx))
    if room is None or room.state.config != ctx.center.config_hash:
        return None
    return room.state.seq


def yesterday_idle(session: AsyncSession, ctx: CenterContext) -> bool:
    db = database_of(session)
    room = db.caches.rooms.get(room_key(db, ctx)) if db is not None else None
    return room is not None and room.yesterday_idle


def mark_yesterday_idle(session: AsyncSession, ctx: CenterContext) -> None:
    db = database_of(session)
    room = db.caches.rooms.get(room_key(db, ctx)) if db is not None else None
    if room is not None:
        room.yesterday_idle = True


HELD_KEY = "room_visits"


@event.listens_for(Session, "pending_to_persistent")
@event.listens_for(Session, "loaded_as_persistent")
def _hold(session: Session, instance: object) -> None:
    # The identity map holds rows weakly: a visit a write changed and let go of would be
    # gone by its commit. Kept for the session's life, the commit can copy it.
    if isinstance(instance, Visit):
        session.info.setdefault(HELD_KEY, {})[instance.id] = instance


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    events = session.info.get(PENDING_KEY)
    db = session.info.get(DATABASE_KEY)
    if not events or not isinstance(db, Database) or not len(db.caches.rooms):
        return
    try:
        advance_after_commit(db, session, events)
    except Exception:  # the commit stands; the rooms read the log again instead
        log.exception("advancing the rooms after a commit failed; dropping them")
        db.caches.rooms.clear()


def advance_after_commit(db: Database, session: Session, events: Sequence[Event]) -> None:
    """This process's own write, just committed: move its rooms on without a read.

    Only a room standing exactly before the write's first event moves; any other
    catches up from the log when next read.
    """
    by_room: dict[Key, list[Event]] = {}
    for e in events:
        by_room.setdefault((db.url, e.center_id, e.date), []).append(e)
    loaded: dict[str, Visit] = dict(session.info.get(HELD_KEY, {}))
    for key, mine in by_room.items():
        room = db.caches.rooms.get(key)
        if room is None:
            continue
        state = room.state
        try:
            part = stretch(state.seq, ((e.seq, e.type, e.visit_id) for e in mine))
        except Hole:
            continue
        if part.whole_room:
            continue
        in_hand = [loaded.get(i) for i in part.visit_ids]
        if any(v is None or "steps" in inspect(v).unloaded for v in in_hand):
            continue  # not all in hand: the next reader catches up from the log
        state.advance(part, {v.id: copy_visit(v) for v in in_hand if v is not None})
        log = db.caches.learned.get(key)
        if log is not None and log.seq == part.after:
            learned._apply(log, [e for e in mine if e.type in learned.TYPES])
            log.seq = part.to


def differences(room: Iterable[Visit], fresh: Iterable[Visit]) -> list[str]:
    """Where the room differs from a fresh load: empty when they agree."""
    mine = {v.id: v for v in room}
    theirs = {v.id: v for v in fresh}
    out = [f"{i}: only in the room" for i in mine.keys() - theirs.keys()]
    out += [f"{i}: only in the database" for i in theirs.keys() - mine.keys()]
    for visit_id in mine.keys() & theirs.keys():
        a, b = mine[visit_id], theirs[visit_id]
        out += [
            f"{visit_id}.{k}: {getattr(a, k)!r} != {getattr(b, k)!r}"
            for k in VISIT_COLUMNS
            if getattr(a, k) != getattr(b, k)
        ]
        steps_a = {s.id: s for s in a.steps}
        steps_b = {s.id: s for s in b.steps}
        if steps_a.keys() != steps_b.keys():
            out.append(f"{visit_id}: steps {sorted(steps_a)} != {sorted(steps_b)}")
            continue
        for step_id, step in steps_a.items():
            other = steps_b[step_id]
            out += [
                f"{visit_id}.steps[{step_id}].{k}: {getattr(step, k)!r} != {getattr(other, k)!r}"
                for k in STEP_COLUMNS
                if getattr(step, k) != getattr(other, k)
            ]
    return out


async def check(db: Database, ctx: CenterContext, *, tries: int = 20) -> list[str]:
    """The checker: this process's room of a center-day against a fresh database load
    at the same seq, after catching the room up to the log. Empty when they agree
    (tests call it after every step of the race and story tests; a write landing
    between the two reads makes it read both again)."""
    out: list[str] = []
    for _ in range(tries):
        async with db.snapshot() as session:
            seq, fresh = await _full(session, ctx)
        room = await current(db, ctx, seq)
        if room.state.seq != seq:
            out = [f"room at seq {room.state.seq}, log at {seq}"]
            await asyncio.sleep(0.01)
            continue
        return differences(room.state.active(), fresh)
    return out

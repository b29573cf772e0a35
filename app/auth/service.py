"""Staff sessions: login (a random bearer token stored only as a hash), activity, ending."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from anyio import to_thread
from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import StaffToken, User
from app.auth.security import hash_token, new_token, verify_password
from app.db import Database
from app.errors import NotAuthenticated

WRONG = "wrong username or password"


async def login(
    db: Database,
    *,
    username: str,
    password: str,
    now: datetime,
    hours: float,
    idle: timedelta,
    replaces: str | None = None,
) -> tuple[str, User]:
    """Read the user, verify the password, then issue the token in a short write.

    Unlike other services this one takes the database: argon2 costs ~50 ms of CPU and
    must sit between two transactions, in a worker thread, so that neither the event
    loop nor the database write lock (every center's writes, on SQLite) waits for it.
    `replaces`: the session token the request came with (cookie or bearer), which ends:
    a sign-in always starts a new session, never continues one.
    """
    async with db.read() as session:
        user = await session.scalar(select(User).where(User.username == username))
    stored = user.password_hash if user else None
    # Verify even for an unknown user, so the response time does not reveal who exists.
    ok = await to_thread.run_sync(verify_password, stored, password)
    if user is None or not ok:
        raise NotAuthenticated(WRONG)
    async with db.write() as session:
        token = await issue_token(
            session, user=user, verified=stored, now=now, hours=hours, idle=idle
        )
        if replaces is not None:
            await logout(session, token=replaces)
    return token, user


async def issue_token(
    session: AsyncSession,
    *,
    user: User,
    verified: str | None,
    now: datetime,
    hours: float,
    idle: timedelta | None = None,
) -> str:
    """A new staff token, unless the password changed since it was verified."""
    # A config load may have replaced the password (and revoked tokens) meanwhile.
    still = await session.scalar(
        select(User.id).where(User.id == user.id, User.password_hash == verified)
    )
    if still is None:
        raise NotAuthenticated(WRONG)
    token = new_token()
    session.add(
        StaffToken(
            user_id=user.id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + timedelta(hours=hours),
            last_seen_at=now,
        )
    )
    # Ended tokens are dead weight; clearing them here needs no scheduler.
    dead = StaffToken.expires_at <= now
    if idle is not None:
        dead = or_(dead, StaffToken.last_seen_at <= now - idle)
    await session.execute(delete(StaffToken).where(dead))
    return token


def touch_due(active_at: datetime | None, now: datetime, idle: timedelta) -> bool:
    """Activity is recorded at most once a minute (more often only for idle times under
    four minutes), so the inactivity timeout is exact to within that."""
    every = min(timedelta(minutes=1), idle / 4)
    return active_at is None or now - active_at >= every


async def touch(db: Database, *, session_id: int, now: datetime) -> None:
    """Record activity: a short write of its own, outside every center's lock."""
    async with db.write() as session:
        await session.execute(
            update(StaffToken)
            .where(
                StaffToken.id == session_id,
                or_(StaffToken.last_seen_at.is_(None), StaffToken.last_seen_at < now),
            )
            .values(last_seen_at=now)
        )


async def logout(session: AsyncSession, *, token: str) -> None:
    await session.execute(delete(StaffToken).where(StaffToken.token_hash == hash_token(token)))


async def sessions_of(
    session: AsyncSession, *, user_id: int, now: datetime
) -> Sequence[StaffToken]:
    """A user's sessions that have not reached their absolute end, oldest first."""
    rows = await session.scalars(
        select(StaffToken)
        .where(StaffToken.user_id == user_id, StaffToken.expires_at > now)
        .order_by(StaffToken.created_at, StaffToken.id)
    )
    return rows.all()


async def end_sessions(session: AsyncSession, *, user_id: int) -> int:
    """End every session of a user (an administrator's decision); how many there were."""
    ended = await session.execute(
        delete(StaffToken).where(StaffToken.user_id == user_id).returning(StaffToken.id)
    )
    return len(ended.all())

"""Staff login: verify the password, issue a random bearer token stored only as a hash."""

from __future__ import annotations

from datetime import datetime, timedelta

from anyio import to_thread
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import StaffToken, User
from app.auth.security import hash_token, new_token, verify_password
from app.db import Database
from app.errors import NotAuthenticated

WRONG = "wrong username or password"


async def login(
    db: Database, *, username: str, password: str, now: datetime, hours: float
) -> tuple[str, User]:
    """Read the user, verify the password, then issue the token in a short write.

    Unlike other services this one takes the database: argon2 costs ~50 ms of CPU and
    must sit between two transactions, in a worker thread, so that neither the event
    loop nor the database write lock (every center's writes, on SQLite) waits for it.
    """
    async with db.read() as session:
        user = await session.scalar(select(User).where(User.username == username))
    stored = user.password_hash if user else None
    # Verify even for an unknown user, so the response time does not reveal who exists.
    ok = await to_thread.run_sync(verify_password, stored, password)
    if user is None or not ok:
        raise NotAuthenticated(WRONG)
    async with db.write() as session:
        token = await issue_token(session, user=user, verified=stored, now=now, hours=hours)
    return token, user


async def issue_token(
    session: AsyncSession, *, user: User, verified: str | None, now: datetime, hours: float
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
        )
    )
    # Expired tokens are dead weight; clearing them here needs no scheduler.
    await session.execute(delete(StaffToken).where(StaffToken.expires_at <= now))
    return token


async def logout(session: AsyncSession, *, token: str) -> None:
    await session.execute(delete(StaffToken).where(StaffToken.token_hash == hash_token(token)))

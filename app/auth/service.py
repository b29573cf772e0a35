"""Staff login: verify the password, issue a random bearer token stored only as a hash."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import StaffToken, User
from app.auth.security import hash_token, new_token, verify_password
from app.errors import NotAuthenticated


async def login(
    session: AsyncSession, *, username: str, password: str, now: datetime, hours: float
) -> tuple[str, User]:
    user = await session.scalar(select(User).where(User.username == username))
    # Verify even for an unknown user, so the response time does not reveal who exists.
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok:
        raise NotAuthenticated("wrong username or password")
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
    return token, user


async def logout(session: AsyncSession, *, token: str) -> None:
    await session.execute(delete(StaffToken).where(StaffToken.token_hash == hash_token(token)))

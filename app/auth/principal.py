"""Who is calling: resolved from a bearer token or the staff session cookie."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Device, StaffToken, User
from app.auth.security import hash_token
from app.kinds import PrincipalKind

SESSION_COOKIE = "wc_session"


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    center_id: int
    name: str
    agency: str | None = None
    user_id: int | None = None
    device_id: int | None = None
    session_id: int | None = None  # a staff caller's session (StaffToken.id)

    @property
    def is_admin(self) -> bool:
        return self.kind == PrincipalKind.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.kind in (PrincipalKind.ADMIN, PrincipalKind.STAFF)

    def may_work_at(self, *, center_id: int, agency: str) -> bool:
        if self.center_id != center_id:
            return False
        return self.is_admin or (self.kind == PrincipalKind.STAFF and self.agency == agency)


class Credential(NamedTuple):
    token: str
    from_cookie: bool  # an ambient credential: unsafe requests need the CSRF token


def presented(authorization: str | None, cookie: str | None) -> Credential | None:
    """The bearer token if an Authorization header is sent (even a bad one), else the
    (already unsigned) session cookie's."""
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return Credential(value.strip(), from_cookie=False)
        return None
    return Credential(cookie, from_cookie=True) if cookie else None


def bearer_token(authorization: str | None, cookie: str | None) -> str | None:
    found = presented(authorization, cookie)
    return found.token if found else None


@dataclass(frozen=True)
class Lookup:
    """What a token turned out to be: a caller, an ended staff session, or nothing."""

    principal: Principal | None = None
    ended: bool = False  # a staff session past its absolute lifetime or idle too long
    active_at: datetime | None = None  # a staff session's last recorded activity
    expires_at: datetime | None = None  # a staff session's absolute end


def idle_since(created_at: datetime, last_seen_at: datetime | None) -> datetime:
    return last_seen_at or created_at


async def lookup(
    session: AsyncSession, token: str, *, now: datetime, idle: timedelta | None
) -> Lookup:
    """A staff session counts until `expires_at` and, with `idle`, until `idle` after its
    last recorded activity; a device token has neither."""
    digest = hash_token(token)
    row = (
        await session.execute(
            select(User, StaffToken)
            .join(StaffToken, StaffToken.user_id == User.id)
            .where(StaffToken.token_hash == digest)
        )
    ).first()
    if row is not None:
        user, staff_token = row
        active_at = idle_since(staff_token.created_at, staff_token.last_seen_at)
        if staff_token.expires_at <= now or (idle is not None and active_at + idle <= now):
            return Lookup(ended=True)
        principal = Principal(
            kind=PrincipalKind(user.role),
            center_id=user.center_id,
            name=user.username,
            agency=user.agency_code,
            user_id=user.id,
            session_id=staff_token.id,
        )
        return Lookup(principal, active_at=active_at, expires_at=staff_token.expires_at)
    device = await session.scalar(select(Device).where(Device.token_hash == digest))
    if device is not None:
        return Lookup(
            Principal(
                kind=PrincipalKind(device.kind),
                center_id=device.center_id,
                name=device.name,
                device_id=device.id,
            )
        )
    return Lookup()


async def resolve(
    session: AsyncSession, token: str, *, now: datetime, idle: timedelta | None = None
) -> Principal | None:
    """The caller a token names, or None (unknown, expired, and with `idle` idle)."""
    return (await lookup(session, token, now=now, idle=idle)).principal

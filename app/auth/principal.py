"""Who is calling: resolved from a bearer token or the staff session cookie."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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


def bearer_token(authorization: str | None, cookie: str | None) -> str | None:
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return None
    return cookie or None


async def resolve(session: AsyncSession, token: str, *, now: datetime) -> Principal | None:
    digest = hash_token(token)
    row = (
        await session.execute(
            select(User, StaffToken.expires_at)
            .join(StaffToken, StaffToken.user_id == User.id)
            .where(StaffToken.token_hash == digest)
        )
    ).first()
    if row is not None:
        user, expires_at = row
        if expires_at <= now:
            return None
        return Principal(
            kind=PrincipalKind(user.role),
            center_id=user.center_id,
            name=user.username,
            agency=user.agency_code,
            user_id=user.id,
        )
    device = await session.scalar(select(Device).where(Device.token_hash == digest))
    if device is not None:
        return Principal(
            kind=PrincipalKind(device.kind),
            center_id=device.center_id,
            name=device.name,
            device_id=device.id,
        )
    return None

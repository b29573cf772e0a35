"""Who may do what: one set of checks for HTTP routes and WebSocket channels alike.

The checks are plain functions over a caller and a loaded resource; they raise
`Forbidden`. HTTP routes use them through the dependencies below (authentication
first, then the role, then the resource, then whether the resource is the caller's),
the live channels (`app.live.ws`) call the same functions and turn a refusal into a
closed handshake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.centers.context import center_by_slug
from app.centers.models import Center, Desk
from app.deps import DbDep, PrincipalDep
from app.errors import Forbidden, NotFound
from app.kinds import PrincipalKind

STAFF_KINDS = frozenset({PrincipalKind.ADMIN, PrincipalKind.STAFF})
# People who sign in (a device has no user): they have sessions and a center to name.
USER_KINDS = frozenset({PrincipalKind.ADMIN, PrincipalKind.STAFF, PrincipalKind.LEAD})
# Who may read how a center's day goes (overview, statistics): figures, never a person.
MANAGER_KINDS = frozenset({PrincipalKind.ADMIN, PrincipalKind.LEAD})


def require_staff(principal: Principal, *, what: str = "this") -> None:
    if principal.kind not in STAFF_KINDS:
        raise Forbidden(f"{what} is for staff")


def require_admin(principal: Principal) -> None:
    if principal.kind != PrincipalKind.ADMIN:
        raise Forbidden("only an administrator may do this")


def require_user(principal: Principal) -> None:
    if principal.kind not in USER_KINDS:
        raise Forbidden("this is for people who sign in, not for devices")


def require_manager(principal: Principal) -> None:
    """An administrator or a lead (read-only): the center's figures, no personal data."""
    if principal.kind not in MANAGER_KINDS:
        raise Forbidden("only an administrator or the center's lead may read this")


def require_manager_of(principal: Principal, center: Center) -> None:
    """A manager of this very center; another center's is told it does not exist (404),
    as a manager's pages never name a center that is not theirs."""
    require_manager(principal)
    if principal.center_id != center.id:
        raise NotFound(f"unknown center '{center.slug}'", code="unknown_center", slug=center.slug)


def require_kind(principal: Principal, kind: PrincipalKind, *, what: str) -> None:
    """A device role (admins may act as any device of their center)."""
    if principal.kind not in (kind, PrincipalKind.ADMIN):
        raise Forbidden(f"only a {kind.value} may {what}")


def require_center(principal: Principal, center: Center) -> None:
    if principal.center_id != center.id:
        raise Forbidden("this account belongs to another center")


def require_kiosk_of(principal: Principal, center: Center) -> None:
    require_kind(principal, PrincipalKind.KIOSK, what="check visitors in")
    require_center(principal, center)


def require_display_of(principal: Principal, center: Center) -> None:
    require_kind(principal, PrincipalKind.DISPLAY, what="read the display")
    require_center(principal, center)


def require_staff_at(principal: Principal, desk: Desk) -> None:
    """Staff work at their own agency's desks of their center; admins at every desk of it."""
    if not principal.may_work_at(center_id=desk.center_id, agency=desk.agency_code):
        raise Forbidden(f"desk {desk.code} belongs to another agency", code="other_agency")


async def desk_by_code(session: AsyncSession, code: str) -> Desk:
    desk = await session.scalar(select(Desk).where(Desk.code == code))
    if desk is None:
        raise NotFound(f"unknown desk '{code}'", code="unknown_desk", desk=code)
    return desk


async def load_staff_desk(session: AsyncSession, principal: Principal, code: str) -> Desk:
    require_staff(principal, what="desk work")
    desk = await desk_by_code(session, code)
    require_staff_at(principal, desk)
    return desk


# FastAPI dependencies: each resolves the caller (401), checks the role (403), loads the
# resource (404) and checks it is the caller's (403), in that order.


async def staff_caller(principal: PrincipalDep) -> Principal:
    require_staff(principal)
    return principal


async def user_caller(principal: PrincipalDep) -> Principal:
    require_user(principal)
    return principal


async def admin_caller(principal: PrincipalDep) -> Principal:
    require_admin(principal)
    return principal


async def _device_center(
    slug: str, db: DbDep, principal: Principal, kind: PrincipalKind, what: str
) -> Center:
    require_kind(principal, kind, what=what)
    async with db.read() as session:
        center = await center_by_slug(session, slug)
    require_center(principal, center)
    return center


async def kiosk_center(slug: str, db: DbDep, principal: PrincipalDep) -> Center:
    return await _device_center(slug, db, principal, PrincipalKind.KIOSK, "check visitors in")


async def display_center(slug: str, db: DbDep, principal: PrincipalDep) -> Center:
    return await _device_center(slug, db, principal, PrincipalKind.DISPLAY, "read the display")


@dataclass(frozen=True)
class AtCenter:
    """An administrator (or, through `ManagerCenter`, a lead) of the center in the path."""

    principal: Principal
    center: Center


async def admin_center(slug: str, db: DbDep, principal: PrincipalDep) -> AtCenter:
    require_admin(principal)
    async with db.read() as session:
        center = await center_by_slug(session, slug)
    require_center(principal, center)
    return AtCenter(principal, center)


async def manager_center(slug: str, db: DbDep, principal: PrincipalDep) -> AtCenter:
    """An administrator or lead of the center named in the path (read-only routes)."""
    require_manager(principal)
    async with db.read() as session:
        center = await center_by_slug(session, slug)
    require_manager_of(principal, center)
    return AtCenter(principal, center)


@dataclass(frozen=True)
class AtDesk:
    """A staff member at a desk they may work at (read outside any lock)."""

    principal: Principal
    desk: Desk

    async def reload(self, session: AsyncSession) -> Desk:
        """The desk again, inside a write: a config load may have moved it meanwhile."""
        return await load_staff_desk(session, self.principal, self.desk.code)

    async def inside(self, session: AsyncSession, desks: Mapping[str, Desk]) -> tuple[Desk, bool]:
        """The desk as a write sees it, from the center's desks it loaded anyway: the
        same checks as `reload`, no query. A desk gone from this center (a config load
        moved or removed it) is looked up as `reload` does; True says the desks given
        no longer hold it."""
        desk = desks.get(self.desk.code)
        if desk is None:
            return await self.reload(session), True
        require_staff(self.principal, what="desk work")
        require_staff_at(self.principal, desk)
        return desk, False


async def staff_desk(code: str, db: DbDep, principal: PrincipalDep) -> AtDesk:
    async with db.read() as session:
        return AtDesk(principal, await load_staff_desk(session, principal, code))


StaffCaller = Annotated[Principal, Depends(staff_caller)]
UserCaller = Annotated[Principal, Depends(user_caller)]
AdminCaller = Annotated[Principal, Depends(admin_caller)]
AdminCenter = Annotated[AtCenter, Depends(admin_center)]
# Read-only: admin or lead of the center in the path; another center is 404.
ManagerCenter = Annotated[AtCenter, Depends(manager_center)]
KioskCenter = Annotated[Center, Depends(kiosk_center)]
DisplayCenter = Annotated[Center, Depends(display_center)]
StaffDesk = Annotated[AtDesk, Depends(staff_desk)]

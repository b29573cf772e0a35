"""An administrator of the center named in the path (the audit log, the admin card)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from app.auth.access import require_admin, require_center
from app.auth.principal import Principal
from app.centers.context import center_by_slug
from app.centers.models import Center
from app.deps import DbDep, PrincipalDep


@dataclass(frozen=True)
class AtCenter:
    principal: Principal
    center: Center


async def admin_center(slug: str, db: DbDep, principal: PrincipalDep) -> AtCenter:
    # The order of every route: the caller (401), the role (403), the center (404), and
    # whether it is the caller's center (403).
    require_admin(principal)
    async with db.read() as session:
        center = await center_by_slug(session, slug)
    require_center(principal, center)
    return AtCenter(principal, center)


AdminCenter = Annotated[AtCenter, Depends(admin_center)]

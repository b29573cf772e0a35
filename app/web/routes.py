"""Read-only helpers for the staff front end: which desks the caller may work at."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy import select

from app.centers.models import Center, Desk
from app.deps import DbDep, PrincipalDep
from app.errors import Forbidden, problem_responses

router = APIRouter(prefix="/api/v1/me", tags=["staff"], responses=problem_responses(401, 403))


@router.get("/desks")
async def my_desks(db: DbDep, principal: PrincipalDep) -> dict[str, Any]:
    """The caller's center and the desks they may work at (their agency's; all for admins)."""
    if not principal.is_staff:
        raise Forbidden("the desk list is for staff")
    async with db.read() as session:
        center = await session.get(Center, principal.center_id)
        assert center is not None
        desks = (
            await session.scalars(
                select(Desk).where(Desk.center_id == center.id).order_by(Desk.position)
            )
        ).all()
        default = center.languages[0] if center.languages else "de"
        return {
            "center": {"slug": center.slug, "name": center.name},
            "user": {
                "username": principal.name,
                "role": principal.kind,
                "agency": principal.agency,
            },
            "desks": [
                {
                    "code": d.code,
                    "room": d.room.get(default) or d.code,
                    "room_labels": dict(d.room),
                    "agency": d.agency_code,
                    "languages": list(d.languages),
                    "state": d.state,
                }
                for d in desks
                if principal.may_work_at(center_id=d.center_id, agency=d.agency_code)
            ],
        }


def include(app: FastAPI) -> None:
    """Add these routes unless the app has them already (app.main may include the router)."""
    if not included(app):
        app.include_router(router)


def included(app: FastAPI) -> bool:
    for route in app.router.routes:
        # FastAPI >= 0.16x keeps an included router as one entry; older ones copy its routes.
        if getattr(route, "original_router", None) is router:
            return True
        if getattr(route, "path", None) == "/api/v1/me/desks":
            return True
    return False

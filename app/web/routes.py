"""Read-only helpers for the staff front end: which desks the caller may work at."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field

from app.auth.access import StaffCaller, UserCaller
from app.auth.schemas import UserOut
from app.centers.context import load_context
from app.centers.models import Center
from app.centers.responses import CenterRef, DeskSummary
from app.deps import ClockDep, DbDep
from app.desks.schemas import DeskOut
from app.desks.views import desk_out
from app.errors import problem_responses

router = APIRouter(prefix="/api/v1/me", tags=["staff"], responses=problem_responses(401, 403))


class MyDesks(BaseModel):
    center: CenterRef
    user: UserOut
    desks: list[DeskOut] = Field(description="the desks the caller may work at")
    center_desks: list[DeskSummary] = Field(
        default_factory=list,
        description="every desk of the center (to ask a specific desk to join a consultation)",
    )


@router.get("/desks")
async def my_desks(db: DbDep, clock: ClockDep, principal: StaffCaller) -> MyDesks:
    """The caller's center and the desks they may work at (their agency's; all for admins)."""
    async with db.read() as session:
        center = await session.get(Center, principal.center_id)
        assert center is not None
        ctx = await load_context(session, center, now=clock())
    return MyDesks(
        center=CenterRef(slug=center.slug, name=center.name),
        user=UserOut(username=principal.name, role=principal.kind, agency=principal.agency),
        desks=[
            desk_out(d, ctx)
            for d in ctx.desks.values()
            if principal.may_work_at(center_id=d.center_id, agency=d.agency_code)
        ],
        center_desks=[ctx.desk_summary(d) for d in ctx.desks.values()],
    )


@router.get("/center")
async def my_center(db: DbDep, principal: UserCaller) -> CenterRef:
    """The caller's center (the administration pages' header; staff, admins and leads)."""
    async with db.read() as session:
        center = await session.get(Center, principal.center_id)
        assert center is not None
    return CenterRef(slug=center.slug, name=center.name)


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

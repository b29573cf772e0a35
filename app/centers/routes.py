"""GET today (public) and the waiting-room display snapshot."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth.access import DisplayCenter
from app.centers.context import center_by_slug, load_context
from app.centers.responses import Today
from app.centers.today import today_out
from app.deps import ClockDep, DbDep
from app.errors import problem_responses
from app.visits.display import display_snapshot
from app.visits.schemas import DisplaySnapshot

router = APIRouter(
    prefix="/api/v1/centers", tags=["centers"], responses=problem_responses(401, 403, 404)
)


@router.get("/{slug}/today")
async def today(slug: str, db: DbDep, clock: ClockDep) -> Today:
    async with db.read() as session:
        center = await center_by_slug(session, slug)
        ctx = await load_context(session, center, now=clock())
    return today_out(ctx)


@router.get("/{slug}/display")
async def display(center: DisplayCenter, db: DbDep, clock: ClockDep) -> DisplaySnapshot:
    async with db.read() as session:
        ctx = await load_context(session, center, now=clock())
        return await display_snapshot(session, ctx)

"""GET the live overview of a center's day (admin or lead of the center)."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth.access import ManagerCenter
from app.centers.context import load_context
from app.deps import ClockDep, DbDep
from app.errors import problem_responses
from app.overview.schemas import Overview
from app.overview.service import read_overview

router = APIRouter(
    prefix="/api/v1/centers", tags=["overview"], responses=problem_responses(401, 403, 404)
)


@router.get("/{slug}/overview")
async def center_overview(at: ManagerCenter, db: DbDep, clock: ClockDep) -> Overview:
    """Every desk, the queue of each agency, visitors near their leave_by, alerts and the
    day's counts; tickets only, no personal data. Live: `/ws/centers/{slug}/overview`."""
    now = clock()
    async with db.read() as session:
        ctx = await load_context(session, at.center, now=now)
        return await read_overview(session, ctx, now=now)

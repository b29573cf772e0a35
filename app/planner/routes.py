"""The what-if planner (docs/api.md §13): the center's admin and its lead start a run
for a past or upcoming day, poll its progress, and read the result."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import func, select

from app.auth.access import ManagerCenter
from app.centers.context import load_context
from app.centers.models import Agency, Day
from app.deps import ClockDep, DbDep, json_body_doc, parse_body
from app.errors import problem_responses
from app.invitations.models import Invitation
from app.planner import service
from app.planner.runs import Runs
from app.planner.schemas import PlanBody, PlannerDay, PlannerDays, PlanRun
from app.visits.models import Visit

router = APIRouter(
    prefix="/api/v1/admin/centers/{slug}/planner",
    tags=["planner"],
    responses=problem_responses(401, 403, 404, 409, 422),
)
DAYS_BACK = 120


def _runs(request: Request) -> Runs:
    state = request.app.state
    if not hasattr(state, "planner_runs"):
        state.planner_runs = Runs()
    runs: Runs = state.planner_runs
    return runs


@router.get("/days")
async def planner_days(at: ManagerCenter, db: DbDep, clock: ClockDep) -> PlannerDays:
    """Past days with visitors (to replay) and the upcoming days (to plan)."""
    async with db.read() as session:
        ctx = await load_context(session, at.center, now=clock())
        since = ctx.today - timedelta(days=DAYS_BACK)
        days = (
            await session.scalars(
                select(Day)
                .where(Day.center_id == at.center.id, Day.date >= since, Day.cancelled.is_(False))
                .order_by(Day.date)
            )
        ).all()
        visits = dict(
            (
                await session.execute(
                    select(Visit.date, func.count())
                    .where(Visit.center_id == at.center.id, Visit.date >= since)
                    .group_by(Visit.date)
                )
            ).all()
        )
        invitees = dict(
            (
                await session.execute(
                    select(Invitation.date, func.count())
                    .where(Invitation.center_id == at.center.id, Invitation.date >= since)
                    .group_by(Invitation.date)
                )
            ).all()
        )
        agencies = (
            await session.scalars(
                select(Agency.code)
                .where(Agency.center_id == at.center.id)
                .order_by(Agency.position)
            )
        ).all()
    return PlannerDays(
        days=[
            PlannerDay(
                date=d.date,
                opens=d.opens,
                closes=d.closes,
                past=d.date < ctx.today,
                visitors=int(visits.get(d.date, 0)),
                invitees=int(invitees.get(d.date, 0)),
            )
            for d in days
            if d.date >= ctx.today or visits.get(d.date)
        ],
        agencies=list(agencies),
    )


@router.post(
    "/runs",
    status_code=202,
    openapi_extra=json_body_doc(PlanBody),
    response_model=PlanRun,
)
async def start_run(
    at: ManagerCenter, request: Request, db: DbDep, clock: ClockDep
) -> JSONResponse:
    """Starts a seeded what-if run (the same body gives the same figures); poll its id."""
    body = await parse_body(request, PlanBody)
    async with db.read() as session:
        ctx = await load_context(session, at.center, now=clock())
        prepared = await service.prepare(session, at.center, body, ctx.today)
    run = _runs(request).start(at.center.id, prepared.total, prepared.run)
    return JSONResponse(run.out().model_dump(mode="json"), status_code=202)


@router.get("/runs/{run_id}")
async def get_run(run_id: str, at: ManagerCenter, request: Request) -> PlanRun:
    return _runs(request).get(at.center.id, run_id).out()

"""Check-in, the visitor's own status, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from app.auth.access import KioskCenter
from app.centers.context import context_of, load_context
from app.centers.models import Center
from app.deps import (
    ClockDep,
    DbDep,
    OptionalPrincipalDep,
    PrincipalDep,
    json_body_doc,
    parse_body,
)
from app.desks import joint
from app.errors import Invalid, problem_responses
from app.journal.log import seen, written_seq
from app.room import store as room_store
from app.visits import service
from app.visits.kiosk_limit import KioskLimit
from app.visits.queries import visit_by_token, wait_for
from app.visits.schemas import CancelBody, CheckIn, VisitOut
from app.visits.views import visit_out

router = APIRouter(
    prefix="/api/v1",
    tags=["visits"],
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
MAX_KEY = 255


def _kiosk_limit(request: Request) -> KioskLimit:
    state = request.app.state
    if not hasattr(state, "kiosk_limit"):
        state.kiosk_limit = KioskLimit(state.settings.kiosk_checkins)
    limit: KioskLimit = state.kiosk_limit
    return limit


@router.post(
    "/centers/{slug}/visits",
    status_code=201,
    openapi_extra=json_body_doc(CheckIn),
    response_model=VisitOut,
    responses={
        200: {"description": "an idempotent repeat: the visit created before"},
        **problem_responses(429),
    },
)
async def check_in(
    center: KioskCenter,
    request: Request,
    db: DbDep,
    clock: ClockDep,
    principal: PrincipalDep,
    idempotency_key: Annotated[str | None, Header(include_in_schema=True)] = None,
) -> JSONResponse:
    body = await parse_body(request, CheckIn)
    if idempotency_key is not None and not (0 < len(idempotency_key.strip()) <= MAX_KEY):
        raise Invalid("Idempotency-Key", f"must be 1 to {MAX_KEY} characters")
    caller = f"device:{principal.device_id}" if principal.device_id else f"user:{principal.user_id}"
    _kiosk_limit(request).admit(caller, idempotency_key)
    now = clock()
    async with db.write(center.id) as session:
        ctx = await load_context(session, center, now=now)
        visit, created = await service.check_in(
            session, ctx, body, now=now, idempotency_key=idempotency_key
        )
        written = written_seq(session, center_id=center.id, day=ctx.today)
    # The forecast runs after the commit, outside the center's lock; it stands at least
    # at this write's seq without reading the counter again.
    async with db.read() as session:
        if written is not None:
            # The room stands at least there after the commit, and maybe further (others'
            # check-ins): the estimates made for its seq are the ones to share.
            room_seq = room_store.known_seq(db, ctx) or 0
            seen(session, center_id=center.id, day=ctx.today, seq=max(written, room_seq))
        out = visit_out(visit, ctx, estimate=await wait_for(session, ctx, visit, now=now))
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if created else 200)


@router.get("/visits/{token}")
async def visit_status(token: str, db: DbDep, clock: ClockDep) -> VisitOut:
    now = clock()
    async with db.read() as session:
        visit = await visit_by_token(session, token)
        ctx = await context_of(session, visit.center_id, now=now)
        return visit_out(visit, ctx, estimate=await wait_for(session, ctx, visit, now=now))


@router.post("/visits/{token}/cancel", openapi_extra=json_body_doc(CancelBody, required=False))
async def cancel(
    token: str, request: Request, db: DbDep, clock: ClockDep, principal: OptionalPrincipalDep
) -> VisitOut:
    # The token in the path is the visitor's own credential; staff may cancel too.
    body = await parse_body(request, CancelBody, empty_ok=True)
    now = clock()
    async with db.read() as session:
        visit = await visit_by_token(session, token)
    by = principal.name if principal and principal.is_staff else "visitor"
    async with db.write(visit.center_id) as session:
        visit = await visit_by_token(session, token)
        center = await session.get(Center, visit.center_id)
        assert center is not None
        ctx = await load_context(session, center, now=now)
        visit = await service.cancel(session, ctx, visit, now=now, by=by, reason=body.reason)
        # A cancel in a joint consultation ends it for every desk involved.
        await joint.end_for_visit(session, ctx, visit, now=now)
        return visit_out(visit, ctx)

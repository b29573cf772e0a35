"""Desk actions of API.md §3: each one serialised per center by Database.write()."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.centers.context import CenterContext, load_context
from app.centers.models import Center, Desk
from app.deps import ClockDep, DbDep, PrincipalDep, json_body_doc, parse_body
from app.desks import service
from app.desks.schemas import FinishBody
from app.desks.views import desk_status, queue_out
from app.errors import Forbidden, NotFound, problem_responses
from app.visits.models import Visit
from app.visits.queries import wait_for
from app.visits.views import visit_out

router = APIRouter(
    prefix="/api/v1/desks",
    tags=["desks"],
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)

Action = Callable[[AsyncSession, CenterContext, Desk, datetime], Awaitable[Visit | None]]


def _staff_only(principal: Principal) -> None:
    if not principal.is_staff:
        raise Forbidden("desk actions are for staff")


async def _desk(session: AsyncSession, code: str, principal: Principal) -> Desk:
    desk = await session.scalar(select(Desk).where(Desk.code == code))
    if desk is None:
        raise NotFound(f"unknown desk '{code}'", code="unknown_desk", desk=code)
    if not principal.may_work_at(center_id=desk.center_id, agency=desk.agency_code):
        raise Forbidden(f"desk {code} belongs to another agency")
    return desk


async def _locate(db: Any, code: str, principal: Principal) -> Desk:
    _staff_only(principal)
    async with db.read() as session:
        return await _desk(session, code, principal)


async def _context(session: AsyncSession, desk: Desk, now: datetime) -> CenterContext:
    center = await session.get(Center, desk.center_id)
    assert center is not None
    return await load_context(session, center, now=now)


async def _visit_response(
    session: AsyncSession, ctx: CenterContext, visit: Visit, now: datetime
) -> Any:
    return visit_out(visit, ctx, estimate=await wait_for(session, ctx, visit, now=now))


async def _run(db: Any, clock: Any, code: str, principal: Principal, action: Action) -> Any:
    located = await _locate(db, code, principal)
    now = clock()
    async with db.write(located.center_id) as session:
        desk = await _desk(session, code, principal)
        ctx = await _context(session, desk, now)
        desk = ctx.desks[code]
        visit = await action(session, ctx, desk, now)
        if visit is None:
            return Response(status_code=204)
        return await _visit_response(session, ctx, visit, now)


async def _state(db: Any, clock: Any, code: str, principal: Principal, state: str) -> Any:
    located = await _locate(db, code, principal)
    now = clock()
    async with db.write(located.center_id) as session:
        desk = await _desk(session, code, principal)
        ctx = await _context(session, desk, now)
        desk = ctx.desks[code]
        await service.set_state(session, ctx, desk, state, now=now)
        return await desk_status(session, ctx, desk)


@router.post("/{code}/open")
async def open_desk(code: str, db: DbDep, clock: ClockDep, principal: PrincipalDep) -> Any:
    return await _state(db, clock, code, principal, "open")


@router.post("/{code}/pause")
async def pause_desk(code: str, db: DbDep, clock: ClockDep, principal: PrincipalDep) -> Any:
    return await _state(db, clock, code, principal, "paused")


@router.post("/{code}/close")
async def close_desk(code: str, db: DbDep, clock: ClockDep, principal: PrincipalDep) -> Any:
    return await _state(db, clock, code, principal, "closed")


@router.post(
    "/{code}/call-next",
    responses={204: {"description": "nobody has a callable step for this agency"}},
)
async def call_next(code: str, db: DbDep, clock: ClockDep, principal: PrincipalDep) -> Any:
    return await _run(
        db, clock, code, principal, lambda s, c, d, now: service.call_next(s, c, d, now=now)
    )


@router.post("/{code}/recall")
async def recall(code: str, db: DbDep, clock: ClockDep, principal: PrincipalDep) -> Any:
    return await _run(
        db, clock, code, principal, lambda s, c, d, now: service.recall(s, c, d, now=now)
    )


@router.post("/{code}/start")
async def start(code: str, db: DbDep, clock: ClockDep, principal: PrincipalDep) -> Any:
    return await _run(
        db, clock, code, principal, lambda s, c, d, now: service.start(s, c, d, now=now)
    )


@router.post(
    "/{code}/finish",
    openapi_extra=json_body_doc(FinishBody, required=False),
)
async def finish(
    code: str, request: Request, db: DbDep, clock: ClockDep, principal: PrincipalDep
) -> Any:
    await _locate(db, code, principal)
    body = await parse_body(request, FinishBody, empty_ok=True)
    return await _run(
        db, clock, code, principal, lambda s, c, d, now: service.finish(s, c, d, body, now=now)
    )


@router.post("/{code}/no-show")
async def no_show(code: str, db: DbDep, clock: ClockDep, principal: PrincipalDep) -> Any:
    return await _run(
        db, clock, code, principal, lambda s, c, d, now: service.no_show(s, c, d, now=now)
    )


@router.get("/{code}")
async def desk(code: str, db: DbDep, clock: ClockDep, principal: PrincipalDep) -> Any:
    located = await _locate(db, code, principal)
    async with db.read() as session:
        ctx = await _context(session, located, clock())
        return await desk_status(session, ctx, ctx.desks[code])


@router.get("/{code}/queue")
async def queue(code: str, db: DbDep, clock: ClockDep, principal: PrincipalDep) -> Any:
    located = await _locate(db, code, principal)
    now = clock()
    async with db.read() as session:
        ctx = await _context(session, located, now)
        return await queue_out(session, ctx, ctx.desks[code], now)

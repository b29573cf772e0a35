"""Desk actions of API.md §3: each one serialised per center by Database.write()."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.auth.access import AtDesk, StaffDesk
from app.centers.context import CenterContext, context_of
from app.centers.models import Desk
from app.db import Database
from app.deps import Clock, ClockDep, DbDep, json_body_doc, no_content, parse_body
from app.desks import case, hold, joint, service
from app.desks.schemas import (
    CaseConferenceBody,
    DeskStatus,
    FinishBody,
    HoldBody,
    JointAsk,
    JointOut,
    QueueEntry,
    ReferBody,
    ReleaseBody,
    SharedNoteBody,
)
from app.desks.views import desk_status, joint_out, queue_out
from app.errors import problem_responses
from app.kinds import DeskState
from app.visits.models import Visit
from app.visits.schemas import VisitOut
from app.visits.staff import desk_answer

router = APIRouter(
    prefix="/api/v1/desks",
    tags=["desks"],
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)

Action = Callable[[AsyncSession, CenterContext, Desk, datetime], Awaitable[Visit | None]]
NOBODY = no_content("nobody has a callable step for this agency")


async def _context(session: AsyncSession, desk: Desk, now: datetime) -> CenterContext:
    return await context_of(session, desk.center_id, now=now)


async def _at_desk(session: AsyncSession, at: AtDesk, now: datetime) -> tuple[CenterContext, Desk]:
    """Inside the write: the center's context and the desk as it is now (its state may
    have changed since the request's own lookup), checked again without another query."""
    ctx = await _context(session, at.desk, now)
    desk, moved = await at.inside(session, ctx.desks)
    if moved:
        ctx = await _context(session, desk, now)
    return ctx, ctx.desks[desk.code]


async def _run(db: Database, clock: Clock, at: AtDesk, action: Action) -> VisitOut | Response:
    """One desk action under the center's write lock, on the desk as it is inside it."""
    now = clock()
    async with db.write(at.desk.center_id) as session:
        ctx, desk = await _at_desk(session, at, now)
        visit = await action(session, ctx, desk, now)
        if visit is None:
            return Response(status_code=204)
        # Staff get the visit through the desk's compartment, and the audit log who did it.
        return await desk_answer(session, ctx, at.principal, ctx.desks[desk.code], visit, now=now)


async def _state(db: Database, clock: Clock, at: AtDesk, state: DeskState) -> DeskStatus:
    now = clock()
    async with db.write(at.desk.center_id) as session:
        ctx, desk = await _at_desk(session, at, now)
        await service.set_state(session, ctx, desk, state, now=now)
        reads = audit.Reads(at.principal, desk=desk.code)
        out = await desk_status(session, ctx, desk, reads=reads)
        audit.add(session, reads, at=now)
        return out


@router.post("/{code}/open")
async def open_desk(at: StaffDesk, db: DbDep, clock: ClockDep) -> DeskStatus:
    return await _state(db, clock, at, DeskState.OPEN)


@router.post("/{code}/pause")
async def pause_desk(at: StaffDesk, db: DbDep, clock: ClockDep) -> DeskStatus:
    return await _state(db, clock, at, DeskState.PAUSED)


@router.post("/{code}/close")
async def close_desk(at: StaffDesk, db: DbDep, clock: ClockDep) -> DeskStatus:
    return await _state(db, clock, at, DeskState.CLOSED)


@router.post("/{code}/call-next", response_model=VisitOut, responses=NOBODY)
async def call_next(at: StaffDesk, db: DbDep, clock: ClockDep) -> VisitOut | Response:
    return await _run(db, clock, at, lambda s, c, d, now: service.call_next(s, c, d, now=now))


@router.post("/{code}/recall", response_model=VisitOut)
async def recall(at: StaffDesk, db: DbDep, clock: ClockDep) -> VisitOut | Response:
    return await _run(db, clock, at, lambda s, c, d, now: service.recall(s, c, d, now=now))


@router.post("/{code}/start", response_model=VisitOut)
async def start(at: StaffDesk, db: DbDep, clock: ClockDep) -> VisitOut | Response:
    return await _run(db, clock, at, lambda s, c, d, now: service.start(s, c, d, now=now))


@router.post(
    "/{code}/finish",
    response_model=VisitOut,
    openapi_extra=json_body_doc(FinishBody, required=False),
)
async def finish(
    at: StaffDesk, request: Request, db: DbDep, clock: ClockDep
) -> VisitOut | Response:
    body = await parse_body(request, FinishBody, empty_ok=True)
    return await _run(db, clock, at, lambda s, c, d, now: service.finish(s, c, d, body, now=now))


@router.post("/{code}/no-show", response_model=VisitOut)
async def no_show(at: StaffDesk, db: DbDep, clock: ClockDep) -> VisitOut | Response:
    return await _run(db, clock, at, lambda s, c, d, now: service.no_show(s, c, d, now=now))


@router.get("/{code}")
async def desk(at: StaffDesk, db: DbDep, clock: ClockDep) -> DeskStatus:
    reads = audit.Reads(at.principal, desk=at.desk.code)
    async with db.read() as session:
        ctx = await _context(session, at.desk, clock())
        out = await desk_status(session, ctx, ctx.desks[at.desk.code], reads=reads)
    await audit.record(db, reads, at=clock())  # on record before it is sent
    return out


@router.get("/{code}/queue")
async def queue(at: StaffDesk, db: DbDep, clock: ClockDep) -> list[QueueEntry]:
    now = clock()
    reads = audit.Reads(at.principal, desk=at.desk.code)
    async with db.read() as session:
        ctx = await _context(session, at.desk, now)
        out = await queue_out(session, ctx, ctx.desks[at.desk.code], now, reads=reads)
    await audit.record(db, reads, at=now)  # on record before it is sent
    return out


# Agencies working together (docs/api.md §6).

T = TypeVar("T")


async def _locked(
    db: Database,
    clock: Clock,
    at: AtDesk,
    work: Callable[[AsyncSession, CenterContext, Desk, datetime], Awaitable[T]],
) -> T:
    """Any desk work under the center's write lock, on the desk as it is inside it."""
    now = clock()
    async with db.write(at.desk.center_id) as session:
        ctx, desk = await _at_desk(session, at, now)
        return await work(session, ctx, desk, now)


def _lapse_seconds(request: Request) -> float:
    seconds: float = request.app.state.settings.joint_request_seconds
    return seconds


@router.post(
    "/{code}/joint",
    status_code=201,
    response_model=JointOut,
    openapi_extra=json_body_doc(JointAsk),
)
async def ask_joint(at: StaffDesk, request: Request, db: DbDep, clock: ClockDep) -> JointOut:
    body = await parse_body(request, JointAsk)
    lapse = _lapse_seconds(request)

    async def work(s: AsyncSession, c: CenterContext, d: Desk, now: datetime) -> JointOut:
        req = await joint.ask(
            s,
            c,
            d,
            agency=body.agency,
            target_desk=body.desk,
            reason=body.reason,
            lapse_seconds=lapse,
            now=now,
        )
        return await joint_out(s, c, req)

    return await _locked(db, clock, at, work)


@router.get("/{code}/joint")
async def joint_requests(at: StaffDesk, db: DbDep, clock: ClockDep) -> list[JointOut]:
    """The open requests this desk may answer, and those it made."""
    async with db.read() as session:
        ctx = await _context(session, at.desk, clock())
        found = await joint.requests_for_desk(session, ctx, ctx.desks[at.desk.code])
        return [await joint_out(session, ctx, req) for req in found]


@router.post("/{code}/joint/{request_id}/accept", response_model=VisitOut)
async def accept_joint(
    at: StaffDesk, request_id: int, db: DbDep, clock: ClockDep
) -> VisitOut | Response:
    return await _run(
        db, clock, at, lambda s, c, d, now: joint.accept(s, c, d, request_id, now=now)
    )


@router.post("/{code}/joint/{request_id}/decline")
async def decline_joint(at: StaffDesk, request_id: int, db: DbDep, clock: ClockDep) -> JointOut:
    async def work(s: AsyncSession, c: CenterContext, d: Desk, now: datetime) -> JointOut:
        return await joint_out(s, c, await joint.decline(s, c, d, request_id, now=now))

    return await _locked(db, clock, at, work)


@router.post("/{code}/joint/{request_id}/withdraw")
async def withdraw_joint(at: StaffDesk, request_id: int, db: DbDep, clock: ClockDep) -> JointOut:
    async def work(s: AsyncSession, c: CenterContext, d: Desk, now: datetime) -> JointOut:
        return await joint_out(s, c, await joint.withdraw(s, c, d, request_id, now=now))

    return await _locked(db, clock, at, work)


@router.post("/{code}/leave", response_model=VisitOut)
async def leave_joint(at: StaffDesk, db: DbDep, clock: ClockDep) -> VisitOut | Response:
    return await _run(db, clock, at, lambda s, c, d, now: joint.leave(s, c, d, now=now))


@router.post("/{code}/refer", response_model=VisitOut, openapi_extra=json_body_doc(ReferBody))
async def refer(at: StaffDesk, request: Request, db: DbDep, clock: ClockDep) -> VisitOut | Response:
    body = await parse_body(request, ReferBody)
    return await _run(db, clock, at, lambda s, c, d, now: service.refer(s, c, d, body, now=now))


@router.post("/{code}/hold", response_model=VisitOut, openapi_extra=json_body_doc(HoldBody))
async def hold_visit(
    at: StaffDesk, request: Request, db: DbDep, clock: ClockDep
) -> VisitOut | Response:
    body = await parse_body(request, HoldBody)
    return await _run(db, clock, at, lambda s, c, d, now: hold.hold(s, c, d, body, now=now))


@router.post("/{code}/release", response_model=VisitOut, openapi_extra=json_body_doc(ReleaseBody))
async def release_visit(
    at: StaffDesk, request: Request, db: DbDep, clock: ClockDep
) -> VisitOut | Response:
    body = await parse_body(request, ReleaseBody)
    return await _run(
        db, clock, at, lambda s, c, d, now: hold.release(s, c, d, body.visit_id, now=now)
    )


@router.post(
    "/{code}/visits/{visit_id}/case-conference",
    response_model=VisitOut,
    openapi_extra=json_body_doc(CaseConferenceBody),
)
async def case_conference(
    at: StaffDesk, visit_id: str, request: Request, db: DbDep, clock: ClockDep
) -> VisitOut | Response:
    body = await parse_body(request, CaseConferenceBody)
    return await _run(
        db,
        clock,
        at,
        lambda s, c, d, now: case.set_conference(s, c, d, visit_id, on=body.on, now=now),
    )


@router.put(
    "/{code}/visits/{visit_id}/shared-note",
    status_code=204,
    openapi_extra=json_body_doc(SharedNoteBody),
)
async def shared_note(
    at: StaffDesk, visit_id: str, request: Request, db: DbDep, clock: ClockDep
) -> Response:
    body = await parse_body(request, SharedNoteBody)
    await _run(
        db,
        clock,
        at,
        lambda s, c, d, now: case.set_shared_note(s, c, d, visit_id, note=body.note, now=now),
    )
    return Response(status_code=204)

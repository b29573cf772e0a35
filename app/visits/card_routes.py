"""The visitor card: one visitor as the viewing desk's agency may see them, audited.

A route module of its own (docs/api.md §6 "What each desk sees of a visitor"). Every
read writes an audit entry (app.audit) before the card is sent, whatever it showed.
"""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.audit import service as audit
from app.auth.access import AdminCenter, StaffDesk
from app.centers.context import load_context
from app.centers.models import Center
from app.deps import ClockDep, DbDep
from app.errors import NotFound, problem_responses
from app.visits.compartments import ADMIN
from app.visits.models import Visit
from app.visits.staff import VisitCard, desk_viewer, visit_card

router = APIRouter(prefix="/api/v1", tags=["visits"], responses=problem_responses(401, 403, 404))


async def _visit(session: AsyncSession, center_id: int, visit_id: str) -> Visit:
    """A visit of this center; another center's visit is as unknown as none."""
    visit = await session.scalar(
        select(Visit)
        .where(Visit.id == visit_id, Visit.center_id == center_id)
        .options(selectinload(Visit.steps))
    )
    if visit is None:
        raise NotFound(f"unknown visit '{visit_id}'", code="unknown_visit")
    return visit


@router.get("/desks/{code}/visits/{visit_id}")
async def desk_card(at: StaffDesk, visit_id: str, db: DbDep, clock: ClockDep) -> VisitCard:
    """The visitor as this desk's agency may see them (an admin here sees the same)."""
    reads = audit.Reads(at.principal, desk=at.desk.code)
    async with db.read() as session:
        visit = await _visit(session, at.desk.center_id, visit_id)
        center = await session.get(Center, at.desk.center_id)
        assert center is not None
        ctx = await load_context(session, center, now=clock())
        card = visit_card(visit, ctx, desk_viewer(at.desk), reads)
    await audit.record(db, reads, at=clock())
    return card


@router.get("/centers/{slug}/visits/{visit_id}")
async def admin_card(at: AdminCenter, visit_id: str, db: DbDep, clock: ClockDep) -> VisitCard:
    """Everything of a visit, for an administrator of its center; audited like any card."""
    reads = audit.Reads(at.principal)
    async with db.read() as session:
        visit = await _visit(session, at.center.id, visit_id)
        ctx = await load_context(session, at.center, now=clock())
        card = visit_card(visit, ctx, ADMIN, reads)
    await audit.record(db, reads, at=clock())
    return card

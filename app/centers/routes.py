"""GET today (public) and the waiting-room display snapshot."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from app.admin.schemas import PublicAgency, PublicDay, PublicDays
from app.auth.access import AdminCenter, DisplayCenter
from app.centers import days as day_service
from app.centers.context import center_by_slug, load_context
from app.centers.models import Agency
from app.centers.responses import CenterInfo, Today
from app.centers.today import today_out
from app.deps import ClockDep, DbDep
from app.desks.referrals import referral_counts
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


@router.get("/{slug}/days")
async def public_days(
    slug: str,
    db: DbDep,
    clock: ClockDep,
    limit: Annotated[int, Query(ge=1, le=100, description="how many days at most")] = 20,
) -> PublicDays:
    """The next consultation days (today's included), with hours, agencies, site and the
    public note; cancelled ones say so. For anyone: no personal data in it."""
    async with db.read() as session:
        center = await center_by_slug(session, slug)
        ctx = await load_context(session, center, now=clock())
        rows = (await day_service.days_from(session, center, ctx.today))[:limit]
        calendar = bool(rows) or await day_service.has_calendar(session, center)
        agencies = (
            await session.scalars(
                select(Agency).where(Agency.center_id == center.id).order_by(Agency.position)
            )
        ).all()
    names = {a.code: a.name for a in agencies}
    return PublicDays(
        center=CenterInfo(slug=center.slug, name=center.name, timezone=center.timezone),
        languages=list(center.languages),
        open_every_day=not calendar,
        days=[
            PublicDay(
                date=d.date,
                opens=d.opens,
                closes=d.closes,
                agencies=[
                    PublicAgency(code=code, name=names[code])
                    for code in names
                    if d.agencies is None or code in d.agencies
                ],
                site=d.site,
                note=d.note,
                cancelled=d.cancelled,
            )
            for d in rows
        ],
    )


@router.get("/{slug}/display")
async def display(center: DisplayCenter, db: DbDep, clock: ClockDep) -> DisplaySnapshot:
    async with db.read() as session:
        ctx = await load_context(session, center, now=clock())
        return await display_snapshot(session, ctx)


class ReferralCount(BaseModel):
    from_agency: str
    to_agency: str
    count: int


class Referrals(BaseModel):
    """The referral matrix of a day: which agency sent how many visitors to which."""

    date: date
    referrals: list[ReferralCount]


@router.get("/{slug}/referrals")
async def referrals(
    at: AdminCenter,
    db: DbDep,
    clock: ClockDep,
    day: Annotated[date | None, Query(alias="date")] = None,
) -> Referrals:
    async with db.read() as session:
        ctx = await load_context(session, at.center, now=clock())
        wanted = day or ctx.today
        counts = await referral_counts(session, center_id=at.center.id, day=wanted)
    return Referrals(
        date=wanted,
        referrals=[
            ReferralCount(from_agency=src, to_agency=dst, count=n)
            for (src, dst), n in sorted(counts.items())
        ],
    )

"""GET today (public) and the waiting-room display snapshot."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.centers.context import CenterContext, center_by_slug, load_context
from app.deps import ClockDep, DbDep, PrincipalDep
from app.errors import Forbidden, NotFound, problem_responses
from app.kinds import ResidenceStatus
from app.visits.display import display_snapshot

router = APIRouter(
    prefix="/api/v1/centers", tags=["centers"], responses=problem_responses(401, 403, 404)
)


def _labels(texts: dict[str, str], ctx: CenterContext) -> dict[str, str]:
    """A label in every offered language: missing translations fall back to the default."""
    default = texts.get(ctx.default_language) or next(iter(texts.values()), "")
    return {lang: texts.get(lang, default) for lang in ctx.center.languages} | texts


def today_out(ctx: CenterContext) -> dict[str, Any]:
    day = ctx.require_day(missing=NotFound)
    present = ctx.present
    needs = []
    for need in ctx.needs.values():
        agencies = [e["agency"] for e in need.served_by]
        here = [a for a in agencies if a in present]
        nexts = [
            d.date for d in ctx.open_days() if d.date > ctx.today and set(agencies) & d.agencies
        ]
        needs.append(
            {
                "code": need.code,
                "label": _labels(need.label, ctx),
                "icon": need.icon,
                "minutes": need.minutes,
                "available": bool(here),
                # Eligibility may still send a visitor to an absent agency: check-in says.
                "partly_available": bool(here) and len(set(here)) < len(set(agencies)),
                "next_date": None if here else (min(nexts).isoformat() if nexts else None),
            }
        )
    return {
        "center": {
            "slug": ctx.center.slug,
            "name": ctx.center.name,
            "timezone": ctx.center.timezone,
        },
        "date": day.date.isoformat(),
        "opens": day.opens,
        "closes": day.closes,
        "languages": list(ctx.center.languages),
        "municipalities": ctx.center.municipalities,
        "agencies": [a.code for a in ctx.agencies.values() if a.code in present],
        "agency_names": {
            a.code: _labels(a.name, ctx) for a in ctx.agencies.values() if a.code in present
        },
        "needs": needs,
        # The kiosk offers these (labels from its catalogue): one list, kept here.
        "residence_statuses": [status.value for status in ResidenceStatus],
    }


@router.get("/{slug}/today")
async def today(slug: str, db: DbDep, clock: ClockDep) -> dict[str, Any]:
    async with db.read() as session:
        center = await center_by_slug(session, slug)
        ctx = await load_context(session, center, now=clock())
    return today_out(ctx)


@router.get("/{slug}/display")
async def display(slug: str, db: DbDep, clock: ClockDep, principal: PrincipalDep) -> Any:
    if principal.kind not in ("display", "admin"):
        raise Forbidden("only a display device may read the display")
    async with db.read() as session:
        center = await center_by_slug(session, slug)
        if principal.center_id != center.id:
            raise Forbidden("this device belongs to another center")
        ctx = await load_context(session, center, now=clock())
        return await display_snapshot(session, ctx)

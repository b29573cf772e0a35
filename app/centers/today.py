"""The open day of a center as the kiosk and the phone page read it."""

from __future__ import annotations

from app.centers.context import CenterContext
from app.centers.responses import CenterInfo, NeedToday, Today
from app.errors import NotFound
from app.kinds import ResidenceStatus


def _labels(texts: dict[str, str], ctx: CenterContext) -> dict[str, str]:
    """A label in every offered language: missing translations fall back to the default."""
    default = texts.get(ctx.default_language) or next(iter(texts.values()), "")
    return {lang: texts.get(lang, default) for lang in ctx.center.languages} | texts


def today_out(ctx: CenterContext) -> Today:
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
            NeedToday(
                code=need.code,
                label=_labels(need.label, ctx),
                icon=need.icon,
                minutes=need.minutes,
                available=bool(here),
                # Eligibility may still send a visitor to an absent agency: check-in says.
                partly_available=bool(here) and len(set(here)) < len(set(agencies)),
                next_date=None if here else (min(nexts) if nexts else None),
            )
        )
    return Today(
        center=CenterInfo(slug=ctx.center.slug, name=ctx.center.name, timezone=ctx.center.timezone),
        date=day.date,
        opens=day.opens,
        closes=day.closes,
        languages=list(ctx.center.languages),
        municipalities=ctx.center.municipalities,
        agencies=[a.code for a in ctx.agencies.values() if a.code in present],
        agency_names={
            a.code: _labels(a.name, ctx) for a in ctx.agencies.values() if a.code in present
        },
        needs=needs,
        # The kiosk offers these (labels from its catalogue): one list, kept here.
        residence_statuses=[status.value for status in ResidenceStatus],
        site=day.site,
        note=day.note,
    )

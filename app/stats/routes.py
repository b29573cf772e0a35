"""GET statistics of a center over a date range, as JSON or one table as CSV."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from app.auth.access import ManagerCenter
from app.centers.models import Agency, Center, Day, Need
from app.deps import ClockDep, DbDep
from app.errors import Invalid, problem_responses
from app.journal.models import Event
from app.kinds import EventType
from app.stats.compute import AT_CENTER, summarise
from app.stats.schemas import Stats
from app.stats.service import facts_for_range
from app.stats.tables import TABLE_NAMES, to_csv
from app.stats.turnout import invited_per_day, turnout

router = APIRouter(
    prefix="/api/v1/centers", tags=["statistics"], responses=problem_responses(401, 403, 404, 422)
)

MAX_DAYS = 3 * 366 + 1  # three years, leap days included
# Closed days without a rollup read within the request: a month's logs take about a second
# on a cold cache; more are left to the background rollup and counted as pending.
INLINE_DAYS = 31
DEFAULT_DAYS = 30

FromQuery = Annotated[
    date | None, Query(alias="from", description="first day (default: 29 days before `to`)")
]
ToQuery = Annotated[date | None, Query(alias="to", description="last day (default: today)")]
AgencyQuery = Annotated[str | None, Query(description="only steps of this agency")]
NeedQuery = Annotated[str | None, Query(description="only steps of this need")]
SiteQuery = Annotated[
    str | None, Query(description="only days at this site (a mobile day's); '-': the center's")
]
CENTER_SITE = "-"


async def _stats(
    at: ManagerCenter,
    db: DbDep,
    clock: ClockDep,
    first: date | None,
    last: date | None,
    agency: str | None,
    need: str | None,
    site: str | None = None,
    *,
    request: Request,
    inline: int | None = INLINE_DAYS,
) -> Stats:
    center: Center = at.center
    today = clock().astimezone(ZoneInfo(center.timezone)).date()
    last = last or today
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise Invalid("from", f"{first} is after to ({last})", first.isoformat())
    if (last - first).days + 1 > MAX_DAYS:
        raise Invalid("from", "the range is longer than three years", first.isoformat())
    async with db.read() as session:
        agencies = (
            await session.scalars(select(Agency).where(Agency.center_id == center.id))
        ).all()
        needs = (await session.scalars(select(Need).where(Need.center_id == center.id))).all()
        sites = (
            await session.scalars(
                select(Day.site).filter_by(center_id=center.id).where(Day.site.is_not(None))
            )
        ).all()
        changes: Sequence[Mapping[str, object]] = (
            await session.scalars(
                select(Event.data)
                .where(Event.center_id == center.id, Event.type == EventType.INVITATIONS_CHANGED)
                # Lists are changed before their day (letters go out weeks ahead): the
                # bound keeps the read on the (center, date) index, not the whole log.
                .where(Event.date.between(first - timedelta(days=366), last))
                .order_by(Event.date, Event.seq)
            )
        ).all()
    site_names = sorted({s for s in sites if s})
    invited = {d: n for d, n in invited_per_day(changes).items() if first <= d <= last}
    agency_names = {a.code: dict(a.name) for a in sorted(agencies, key=lambda a: a.position)}
    need_names = {n.code: dict(n.label) for n in sorted(needs, key=lambda n: n.position)}
    if agency is not None and agency not in agency_names:
        raise Invalid("agency", f"unknown agency '{agency}'", agency)
    if need is not None and need not in need_names:
        raise Invalid("need", f"unknown need '{need}'", need)
    if site is not None and site != CENTER_SITE and site not in site_names:
        raise Invalid("site", f"no day of this center is at '{site}'", site)
    at_site = None if site is None else (AT_CENTER if site == CENTER_SITE else site)
    # No pause of the garbage collector here: it would stop it for the whole process
    # while the query awaits, and with the year read from rollups it gained nothing
    # measurable (bench-stats, year warm median 474–512 ms without, 487–522 ms with).
    got = await facts_for_range(db, center, first, last, now=clock(), inline=inline)
    summary = summarise(got.days, agency=agency, need=need, site=at_site)
    if got.pending:
        request.app.state.rollups.nudge()
    return Stats(
        center=center.slug,
        timezone=center.timezone,
        from_date=first,
        to_date=last,
        agency=agency,
        need=need,
        site=site,
        today=got.today,
        pending_days=len(got.pending),
        agency_names=agency_names,
        need_names=need_names,
        site_names=site_names,
        invitations_known=bool(invited),
        turnout=turnout(invited, {row.date: row.invited for row in summary.days}),
        totals=summary.totals,
        days=summary.days,
        hours=summary.hours,
        agencies=summary.agencies,
        needs=summary.needs,
        referrals=summary.referrals,
        joint=summary.joint,
        languages=summary.languages,
        sites=summary.sites,
    )


@router.get("/{slug}/stats")
async def stats(
    request: Request,
    at: ManagerCenter,
    db: DbDep,
    clock: ClockDep,
    first: FromQuery = None,
    last: ToQuery = None,
    agency: AgencyQuery = None,
    need: NeedQuery = None,
    site: SiteQuery = None,
) -> Stats:
    """Visitors, waits, service times, outcomes, referrals, joint consultations and
    languages of the center-days in [from, to], from the event log (docs/api.md §12).
    Closed days not rolled up yet beyond INLINE_DAYS are left out and counted in
    `pending_days` while the server builds them; ask again."""
    return await _stats(at, db, clock, first, last, agency, need, site, request=request)


@router.get(
    "/{slug}/stats.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "one table as CSV"}},
)
async def stats_csv(
    request: Request,
    at: ManagerCenter,
    db: DbDep,
    clock: ClockDep,
    table: Annotated[str, Query(description="one of: " + ", ".join(TABLE_NAMES))],
    first: FromQuery = None,
    last: ToQuery = None,
    agency: AgencyQuery = None,
    need: NeedQuery = None,
    site: SiteQuery = None,
) -> Response:
    if table not in TABLE_NAMES:
        raise Invalid("table", "choose one of " + ", ".join(TABLE_NAMES), table)
    # A download is always complete: it reads what is not rolled up yet, however long.
    result = await _stats(
        at, db, clock, first, last, agency, need, site, request=request, inline=None
    )
    parts = [result.center, table, result.from_date.isoformat(), result.to_date.isoformat()]
    parts += [p for p in (agency, need, site) if p]
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", "-".join(parts))  # a site may be "Lügde, Rathaus"
    return Response(
        to_csv(result, table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )

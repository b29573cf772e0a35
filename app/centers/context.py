"""Everything a request needs to know about a center on a given day.

The configuration (agencies, needs, calendar) comes from `config_cache`, read again
only when the center's config version or local day changed; desks are read per request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.config_cache import CenterConfig, cache_for, detached
from app.centers.models import Agency, Center, Day, Desk, Need
from app.centers.responses import DeskSummary
from app.errors import AppError, Conflict, NotFound
from app.routing.learn import Learned
from app.routing.rules import NeedSpec, OpenDay


@dataclass
class CenterContext:
    center: Center
    tz: ZoneInfo
    today: date
    day: Day | None
    agencies: dict[str, Agency]
    needs: dict[str, Need]
    desks: dict[str, Desk]
    days: list[Day]
    # Today's learned service minutes, once visits.learned.refresh ran for this request.
    learned: Learned | None = None

    @property
    def default_language(self) -> str:
        return self.center.languages[0]

    @property
    def present(self) -> frozenset[str]:
        if self.day is None:
            return frozenset()
        if self.day.agencies is None:
            return frozenset(self.agencies)
        return frozenset(self.day.agencies)

    def open_days(self) -> list[OpenDay]:
        return [
            OpenDay(d.date, frozenset(self.agencies if d.agencies is None else d.agencies))
            for d in self.days
        ]

    def need_spec(self, code: str) -> NeedSpec:
        n = self.needs[code]
        return NeedSpec(
            code=n.code,
            minutes=float(n.minutes),
            served_by=tuple(n.served_by),
            before=frozenset(n.before or ()),
        )

    @property
    def before(self) -> dict[str, frozenset[str]]:
        return {code: frozenset(n.before or ()) for code, n in self.needs.items()}

    def minutes(self, need: str) -> float:
        n = self.needs.get(need)
        return float(n.minutes) if n else 15.0

    def require_day(self, *, missing: type[AppError] = Conflict) -> Day:
        if self.day is None:
            upcoming = [d.date for d in self.days if d.date > self.today]
            nxt = min(upcoming).isoformat() if upcoming else None
            raise missing(
                f"center '{self.center.slug}' has no consultation day on {self.today.isoformat()}"
                + (f"; the next one is {nxt}" if nxt else ""),
                code="day_closed",
                next_date=nxt,
            )
        return self.day

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def local_or_none(self, moment: datetime | None) -> datetime | None:
        return None if moment is None else moment.astimezone(self.tz)

    def iso(self, moment: datetime | None) -> str | None:
        return None if moment is None else moment.astimezone(self.tz).isoformat()

    def at_local_time(self, hhmm: str) -> datetime:
        """Today's date at a local HH:MM, as an aware datetime."""
        hours, minutes = (int(p) for p in hhmm.split(":"))
        return datetime.combine(self.today, time(hours, minutes), tzinfo=self.tz)

    def room_label(self, desk: Desk, language: str) -> str:
        return desk.room.get(language) or desk.room.get(self.default_language) or desk.code

    def desk_summary(self, desk: Desk) -> DeskSummary:
        """A desk as every screen shows it: where it is, whose it is, whether it works."""
        return DeskSummary(
            code=desk.code,
            room=self.room_label(desk, self.default_language),
            room_labels=dict(desk.room),
            agency=desk.agency_code,
            state=desk.state,
        )

    def day_bounds(self) -> tuple[datetime, datetime]:
        start = datetime.combine(self.today, time(0), tzinfo=self.tz)
        return start, start + timedelta(days=1)


async def center_by_slug(session: AsyncSession, slug: str) -> Center:
    center = await session.scalar(select(Center).where(Center.slug == slug))
    if center is None:
        raise NotFound(f"unknown center '{slug}'", code="unknown_center", slug=slug)
    return center


async def load_context(
    session: AsyncSession,
    center: Center,
    *,
    now: datetime,
    desks: Sequence[Desk] | None = None,
) -> CenterContext:
    """desks: the center's desks in position order, when the caller read them already."""
    tz = ZoneInfo(center.timezone)
    today = now.astimezone(tz).date()
    cache = cache_for(session)
    config = cache.get(center, today) if cache is not None else None
    if config is None:
        config = await _load_config(session, center, today)
        if cache is not None:
            cache.put(center, today, config)
    # Desks carry their live state (open, paused, closed), written through this session.
    if desks is None:
        desks = (
            await session.scalars(
                select(Desk).where(Desk.center_id == center.id).order_by(Desk.position)
            )
        ).all()
    days = config.days
    day = next((d for d in days if d.date == today), None)
    if day is None and not days and not config.has_calendar:
        # A center configured without any days is open every day with every agency:
        # the calendar is optional, a closed day is only one the calendar leaves out.
        day = Day(center_id=center.id, date=today, opens="00:00", closes="23:59", agencies=None)
        days = [day]
    return CenterContext(
        center=center,
        tz=tz,
        today=today,
        day=day,
        agencies=dict(config.agencies),
        needs=dict(config.needs),
        desks={d.code: d for d in desks},
        days=list(days),
    )


async def context_of(session: AsyncSession, center_id: int, *, now: datetime) -> CenterContext:
    """`load_context` for a center known by id: the center and its desks in one statement
    (inside a write, one round trip less under the center's lock)."""
    rows = (
        await session.execute(
            select(Center, Desk)
            .outerjoin(Desk, Desk.center_id == Center.id)
            .where(Center.id == center_id)
            .order_by(Desk.position)
        )
    ).all()
    if not rows:
        raise NotFound(f"unknown center {center_id}", code="unknown_center")
    desks = [d for _, d in rows if d is not None]
    return await load_context(session, rows[0][0], now=now, desks=desks)


async def _load_config(session: AsyncSession, center: Center, today: date) -> CenterConfig:
    """Agencies, needs and the calendar from today on, as copies no session owns."""
    agencies = (
        await session.scalars(
            select(Agency).where(Agency.center_id == center.id).order_by(Agency.position)
        )
    ).all()
    needs = (
        await session.scalars(
            select(Need).where(Need.center_id == center.id).order_by(Need.position)
        )
    ).all()
    days = (
        await session.scalars(
            # A cancelled day is closed (app/centers/days.py): the kiosk says so.
            select(Day)
            .where(Day.center_id == center.id, Day.date >= today, Day.cancelled.is_(False))
            .order_by(Day.date)
        )
    ).all()
    return CenterConfig(
        agencies={a.code: detached(a) for a in agencies},
        needs={n.code: detached(n) for n in needs},
        days=[detached(d) for d in days],
        has_calendar=bool(days) or await _has_calendar(session, center.id),
    )


async def _has_calendar(session: AsyncSession, center_id: int) -> bool:
    found = await session.scalar(select(Day.id).where(Day.center_id == center_id).limit(1))
    return found is not None

"""A center's consultation day as the planner sees it (app.planning.DaySetup): the needs
and their minutes, the desks of the agencies present, the hours, and the walk-ins the
center's own past days lead us to expect."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.models import Center, Day, Desk, Need
from app.invitations.models import Invitation
from app.planning import DaySetup, Invitee
from app.routing.rules import NeedSpec
from app.sim.simulate import CenterSpec, DeskSpec
from app.visits.models import Step, Visit

HISTORY_DAYS = 56  # past days the walk-in rate and mix are learned from
DEFAULT_WALK_INS = 5.0  # per opening hour, when the center has no past day yet


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def opening(center: Center, day: Day) -> datetime:
    return datetime.combine(
        day.date, time.fromisoformat(day.opens), tzinfo=ZoneInfo(center.timezone)
    )


def _floor(code: str, room: dict[str, str]) -> int:
    """Room "1.12" or desk r112 is on floor 1: walking between floors takes longer."""
    for text in (*room.values(), code):
        digits = re.search(r"\d", text)
        if digits:
            return int(digits.group())
    return 0


async def center_spec(session: AsyncSession, center: Center, day: Day) -> CenterSpec:
    needs = (await session.scalars(select(Need).where(Need.center_id == center.id))).all()
    desks = (
        await session.scalars(
            select(Desk).where(Desk.center_id == center.id).order_by(Desk.position)
        )
    ).all()
    agencies = {d.agency_code for d in desks}
    present = frozenset(day.agencies if day.agencies is not None else agencies)
    return CenterSpec(
        needs={
            n.code: NeedSpec(
                code=n.code,
                minutes=float(n.minutes),
                served_by=tuple(n.served_by),
                before=frozenset(n.before or ()),
            )
            for n in needs
        },
        desks=tuple(
            DeskSpec(d.code, d.agency_code, frozenset(d.languages or ()), _floor(d.code, d.room))
            for d in desks
            if d.agency_code in present
        ),
        present=present,
        closes=float(minutes(day.closes) - minutes(day.opens)),
    )


async def learned_mix(
    session: AsyncSession, center: Center, before: date, hours: int
) -> tuple[tuple[float, ...], dict[str, Any]]:
    """Walk-ins per opening hour and their mix (needs, needs per visitor, languages) over
    the center's past days; the defaults when there are none."""
    tz = ZoneInfo(center.timezone)
    rows = (
        await session.execute(
            select(Visit.id, Visit.date, Visit.checked_in_at, Visit.language).where(
                Visit.center_id == center.id,
                Visit.date < before,
                Visit.date >= before - timedelta(days=HISTORY_DAYS),
                Visit.invitation_code.is_(None),
            )
        )
    ).all()
    if not rows:
        return (DEFAULT_WALK_INS,) * hours, {}
    days = {d for _, d, _, _ in rows}
    opens = {
        d.date: d.opens
        for d in (
            await session.scalars(select(Day).where(Day.center_id == center.id, Day.date.in_(days)))
        ).all()
    }
    per_hour = [0.0] * hours
    for _, day, at, _ in rows:
        start = minutes(opens.get(day, "08:00"))
        local = at.astimezone(tz)
        k = (local.hour * 60 + local.minute - start) // 60
        if 0 <= k < hours:
            per_hour[k] += 1
    ids = [visit_id for visit_id, _, _, _ in rows]
    steps = (
        await session.execute(select(Step.visit_id, Step.need).where(Step.visit_id.in_(ids)))
    ).all()
    needs = Counter(need for _, need in steps)
    per_visitor = Counter(Counter(v for v, _ in steps).values())
    top = max(per_visitor, default=1)
    mix: dict[str, Any] = {
        "needs": dict(needs),
        "languages": dict(Counter(lang for _, _, _, lang in rows)),
    }
    if per_visitor:
        mix["needs_per_visitor"] = [per_visitor.get(k, 0) for k in range(1, top + 1)]
    return tuple(n / len(days) for n in per_hour), mix


async def day_setup(session: AsyncSession, center: Center, day: Day) -> DaySetup:
    spec = await center_spec(session, center, day)
    hours = max(1, -(-int(spec.closes) // 60))
    walk_ins, mix = await learned_mix(session, center, day.date, hours)
    return DaySetup(center=spec, walk_ins_per_hour=walk_ins, mix=mix, opens=opening(center, day))


def invitee(
    key: str,
    *,
    needs: list[str],
    language: str,
    residence_status: str | None,
    municipality: str | None,
    age: int | None,
    leave_by: str | None,
    day: Day,
) -> Invitee:
    """What the planner may know of an invitee: never a name or an address."""
    return Invitee(
        id=key,
        needs=tuple(needs),
        language=language,
        residence_status=residence_status,
        municipality=municipality,
        age=age,
        leave_by=None if leave_by is None else float(minutes(leave_by) - minutes(day.opens)),
    )


def invited(key: str, row: Invitation, day: Day) -> Invitee:
    """A stored invitation as the planner sees it."""
    return invitee(
        key,
        needs=list(row.needs),
        language=row.language,
        residence_status=row.residence_status,
        municipality=row.municipality,
        age=row.age,
        leave_by=row.leave_by,
        day=day,
    )

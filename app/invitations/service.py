"""Invitations: validating invitees against the center, adding them (by hand or a whole
list), planning the day's arrival windows, turnout, and the kiosk's side of a code."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import anyio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.models import Center, Day, Need
from app.db import Database
from app.errors import Invalid
from app.invitations.codes import new_code, shown
from app.invitations.models import Invitation
from app.invitations.schemas import InvitationBody, InvitationOut, Turnout, WindowOut
from app.journal.log import append
from app.kinds import EventType
from app.planner.daysetup import day_setup, invited, invitee, minutes, opening
from app.planning import plan_windows
from app.visits.intake import check_residence_status, distinct_needs, town_spelled
from app.visits.models import Visit

SLOT_MINUTES = 15


async def any_day(session: AsyncSession, center: Center, day: date) -> Day:
    """A consultation day of the center, past ones too (their turnout)."""
    row = await session.scalar(select(Day).where(Day.center_id == center.id, Day.date == day))
    if row is None:
        raise Invalid(
            "date", f"{day.isoformat()} is not a consultation day of this center", day.isoformat()
        )
    return row


async def consultation_day(session: AsyncSession, center: Center, day: date, today: date) -> Day:
    row = await session.scalar(select(Day).where(Day.center_id == center.id, Day.date == day))
    if row is None or row.cancelled:
        raise Invalid(
            "date", f"{day.isoformat()} is not a consultation day of this center", day.isoformat()
        )
    if day < today:
        raise Invalid("date", f"{day.isoformat()} has passed", day.isoformat())
    return row


async def check(session: AsyncSession, center: Center, body: InvitationBody, day: Day) -> list[str]:
    """What the schema cannot know: the center's languages, needs, towns, the day's hours.
    Returns the needs without repeats."""
    if body.language not in center.languages:
        raise Invalid(
            "language",
            f"'{body.language}' is not offered here; one of " + ", ".join(center.languages),
            body.language,
        )
    known = set((await session.scalars(select(Need.code).where(Need.center_id == center.id))).all())
    needs = distinct_needs(body.needs, known, lambda _i: "needs")
    check_residence_status(body.residence_status)
    towns = center.municipalities
    if body.town is not None and towns:
        match = town_spelled(body.town, towns)
        if match is None:
            raise Invalid("town", f"unknown town '{body.town}'", body.town)
        body.town = match
    if body.leave_by is not None and not (day.opens < body.leave_by <= "23:59"):
        raise Invalid("leave_by", f"must be after the day opens ({day.opens})", body.leave_by)
    return needs


def _hhmm(day: Day, offset: int) -> str:
    total = minutes(day.opens) + offset
    return f"{total // 60:02d}:{total % 60:02d}"


def window_of(row: Invitation, day: Day) -> WindowOut | None:
    if row.window_start is None or row.window_end is None:
        return None
    return WindowOut(start=_hhmm(day, row.window_start), end=_hhmm(day, row.window_end))


def in_window(row: Invitation, center: Center, day: Day) -> bool:
    if row.used_at is None or row.window_start is None or row.window_end is None:
        return False
    opens = opening(center, day)
    start = opens + timedelta(minutes=row.window_start)
    end = opens + timedelta(minutes=row.window_end)
    return start <= row.used_at < end


def out(row: Invitation, center: Center, day: Day) -> InvitationOut:
    return InvitationOut(
        id=row.id,
        code=shown(row.code or ""),
        date=row.date,
        language=row.language,
        needs=list(row.needs),
        residence_status=row.residence_status,
        town=row.municipality,
        age=row.age,
        leave_by=row.leave_by,
        window=window_of(row, day),
        has_address=bool(row.name and row.address),
        came=row.visit_id is not None,
        came_in_window=in_window(row, center, day),
    )


async def of_day(session: AsyncSession, center: Center, day: date) -> list[Invitation]:
    return list(
        (
            await session.scalars(
                select(Invitation)
                .where(Invitation.center_id == center.id, Invitation.date == day)
                .order_by(Invitation.id)
            )
        ).all()
    )


async def turnout(session: AsyncSession, center: Center, day: Day) -> Turnout:
    rows = await of_day(session, center, day.date)
    came = [r for r in rows if r.visit_id is not None]
    visits = await session.scalar(
        select(func.count())
        .select_from(Visit)
        .where(Visit.center_id == center.id, Visit.date == day.date)
    )
    return Turnout(
        date=day.date,
        invited=len(rows),
        came=len(came),
        came_in_window=sum(1 for r in came if in_window(r, center, day)),
        walk_ins=max(0, int(visits or 0) - len(came)),
    )


async def _unused_code(session: AsyncSession, center: Center, taken: set[str]) -> str:
    while True:
        code = new_code()
        if code in taken:
            continue
        exists = await session.scalar(
            select(Invitation.id).where(Invitation.center_id == center.id, Invitation.code == code)
        )
        if exists is None:
            taken.add(code)
            return code


async def plan(
    db: Database, center: Center, day: Day, extra: Sequence[tuple[str, InvitationBody, list[str]]]
) -> dict[str, tuple[int, int]]:
    """Arrival windows for the day's invitees and those about to be added (keys: "id:<n>"
    for stored rows, the given keys for new ones), planned outside any lock: the planner
    plays its seeded days in a worker thread."""
    async with db.read() as session:
        setup = await day_setup(session, center, day)
        rows = await of_day(session, center, day.date)
    people = [invited(f"id:{r.id}", r, day) for r in rows if r.code is not None]
    people += [
        invitee(
            key,
            needs=needs,
            language=b.language,
            residence_status=b.residence_status,
            municipality=b.town,
            age=b.age,
            leave_by=b.leave_by,
            day=day,
        )
        for key, b, needs in extra
    ]
    windows = await anyio.to_thread.run_sync(
        lambda: plan_windows(setup, people, slot_minutes=SLOT_MINUTES, seed=day.date.toordinal())
    )
    return {k: (round(w.start), round(w.end)) for k, w in windows.items()}


async def add(
    db: Database,
    center: Center,
    day: Day,
    bodies: Sequence[tuple[InvitationBody, list[str]]],
    *,
    now: datetime,
) -> list[Invitation]:
    """Store the invitees (all or none) and plan the whole day's windows again."""
    extra = [(f"new:{k}", b, needs) for k, (b, needs) in enumerate(bodies)]
    windows = await plan(db, center, day, extra)
    async with db.write(center.id) as session:
        taken: set[str] = set()
        for row in await of_day(session, center, day.date):
            # Who came already keeps the window they came in (their turnout stands).
            if f"id:{row.id}" in windows and row.visit_id is None:
                row.window_start, row.window_end = windows[f"id:{row.id}"]
        added = []
        for key, body, needs in extra:
            start, end = windows.get(key, (None, None))
            row = Invitation(
                center_id=center.id,
                date=day.date,
                code=await _unused_code(session, center, taken),
                language=body.language,
                needs=needs,
                residence_status=body.residence_status,
                municipality=body.town,
                age=body.age,
                leave_by=body.leave_by,
                name=body.name,
                address=body.address,
                window_start=start,
                window_end=end,
                created_at=now,
            )
            session.add(row)
            added.append(row)
        await session.flush()
        # Counts only: who was invited is personal and stays out of the log.
        await append(
            session,
            center_id=center.id,
            day=now.astimezone(ZoneInfo(center.timezone)).date(),
            type=EventType.INVITATIONS_CHANGED,
            at=now,
            data={"date": day.date.isoformat(), "added": len(added), "total": len(windows)},
        )
    return added

"""Consultation days added, changed and cancelled in the administration pages.

The checks are the config file's own (`DayConfig` and `consistency_problems` in
app/centers/schema.py), so a bad value reads the same in the file and in the browser;
422 names each field with a `reason` a page words in its language. Every change is a
piece of configuration (app/centers/changes.py): `center.configured` on the center's
current day, so screens reload as after `welcome-center load-config`, and an audit entry.
A change to today's day on a live day refuses what would strand visitors, as the loader
refuses removing an agency they wait for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.centers import changes
from app.centers.loader import day_values, problem_message
from app.centers.models import Agency, Center, Day
from app.centers.schema import DayConfig, Loc, consistency_problems, format_loc
from app.errors import Conflict, Invalid, NotFound
from app.kinds import OPEN_STEP
from app.visits.models import Step, Visit

FIELDS = ("opens", "closes", "agencies", "site", "note")


# ---- validation: the config file's rules --------------------------------------------------


def _reason(loc: Loc, kind: str, message: str) -> str:
    """A machine word for what is wrong, for pages to say in their language."""
    field = loc[0] if loc else ""
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        return "unknown_field"
    if "listed twice" in message:
        return "duplicate"
    if "unknown agency" in message:
        return "unknown_agency"
    if "not after opens" in message:
        return "closes_before_opens"
    if "default language" in message:
        return "note_default_language"
    if kind in ("string_too_long", "too_long"):
        return "too_long"
    if kind in ("string_too_short", "too_short"):
        return "empty"
    if field == "date":
        return "date"
    if field in ("opens", "closes"):
        return "time"
    return "invalid"


def validate_day(
    data: dict[str, Any], *, agencies: Sequence[str], languages: Sequence[str]
) -> DayConfig:
    """A day as the config file would take it, or Invalid naming every bad field."""
    found: list[tuple[Loc, str, str]] = []
    day: DayConfig | None = None
    try:
        day = DayConfig.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            found.append((tuple(err["loc"]), err["type"], problem_message(err)))
    # The whole-file checks, over a file holding only this day and the center's codes.
    whole = {
        "center": {"languages": list(languages)},
        "agencies": [{"code": code} for code in agencies],
        "days": [data],
    }
    for loc, message in consistency_problems(whole):
        if loc[:2] == ("days", 0):
            found.append((loc[2:], "value_error", message))
    if found or day is None:
        errors = [
            {
                "field": format_loc(loc) or "body",
                "message": message,
                "reason": _reason(loc, kind, message),
            }
            for loc, kind, message in found
        ]
        problem = Invalid(errors[0]["field"], errors[0]["message"])
        problem.extra["errors"] = errors
        raise problem
    return day


# ---- reading ------------------------------------------------------------------------------


async def agency_codes(session: AsyncSession, center: Center) -> list[str]:
    rows = await session.scalars(
        select(Agency.code).where(Agency.center_id == center.id).order_by(Agency.position)
    )
    return list(rows.all())


async def days_from(session: AsyncSession, center: Center, first: date) -> list[Day]:
    rows = await session.scalars(
        select(Day).where(Day.center_id == center.id, Day.date >= first).order_by(Day.date)
    )
    return list(rows.all())


async def _day(session: AsyncSession, center: Center, on: date) -> Day:
    day = await session.scalar(select(Day).where(Day.center_id == center.id, Day.date == on))
    if day is None:
        raise NotFound(f"no consultation day on {on.isoformat()}", code="unknown_day")
    return day


def _not_past(day: date, today: date) -> None:
    if day < today:
        raise Conflict(
            f"{day.isoformat()} is over: a past day stays as it was", code="day_past", field="date"
        )


async def _waiting(
    session: AsyncSession, center: Center, today: date, agencies: Sequence[str] | None
) -> dict[str, list[str]]:
    """Tickets with open steps today, per agency (all agencies, or those given)."""
    query = (
        select(Step.agency, Visit.ticket)
        .join(Visit, Visit.id == Step.visit_id)
        .where(Visit.center_id == center.id, Visit.date == today, Step.status.in_(OPEN_STEP))
        .order_by(Step.agency, Visit.ticket)
    )
    if agencies is not None:
        query = query.where(Step.agency.in_(agencies))
    waiting: dict[str, list[str]] = {}
    for agency, ticket in (await session.execute(query)).all():
        tickets = waiting.setdefault(agency, [])
        if ticket not in tickets:
            tickets.append(ticket)
    return waiting


# ---- changing -----------------------------------------------------------------------------


async def create_day(
    session: AsyncSession,
    center: Center,
    data: dict[str, Any],
    *,
    principal: Principal,
    now: datetime,
) -> Day:
    codes = await agency_codes(session, center)
    item = validate_day(data, agencies=codes, languages=center.languages)
    today = changes.today_of(center, now).date()
    if item.date < today:
        err = Invalid("date", f"{item.date.isoformat()} is in the past")
        err.extra["errors"][0]["reason"] = "past"
        raise err
    exists = await session.scalar(
        select(Day.id).where(Day.center_id == center.id, Day.date == item.date)
    )
    if exists is not None:
        raise Conflict(
            f"{item.date.isoformat()} is a consultation day already: change it instead",
            code="day_exists",
            field="date",
        )
    # Calling a day off is its own action with its own event, never part of adding it.
    day = Day(center_id=center.id, date=item.date, **(day_values(item) | {"cancelled": False}))
    session.add(day)
    await session.flush()
    await _record(session, center, day, "created", list(data), principal=principal, now=now)
    return day


async def change_day(
    session: AsyncSession,
    center: Center,
    on: date,
    data: dict[str, Any],
    *,
    principal: Principal,
    now: datetime,
) -> Day:
    day = await _day(session, center, on)
    given = data.get("date", on.isoformat())
    if str(given) != on.isoformat():
        err = Invalid("date", "a day's date cannot change: cancel it and add the new date")
        err.extra["errors"][0]["reason"] = "date_fixed"
        raise err
    codes = await agency_codes(session, center)
    item = validate_day(
        {**data, "date": on.isoformat()}, agencies=codes, languages=center.languages
    )
    today = changes.today_of(center, now).date()
    _not_past(on, today)
    values = day_values(item) | {"cancelled": day.cancelled}
    if on == today and not day.cancelled:
        before = set(codes if day.agencies is None else day.agencies)
        after = set(codes if item.agencies is None else item.agencies)
        await _refuse_stranding(session, center, today, sorted(before - after))
    changed = [name for name, value in values.items() if getattr(day, name) != value]
    for name in changed:
        setattr(day, name, values[name])
    if changed:
        await _record(session, center, day, "changed", changed, principal=principal, now=now)
    return day


async def cancel_day(
    session: AsyncSession, center: Center, on: date, *, principal: Principal, now: datetime
) -> Day:
    day = await _day(session, center, on)
    today = changes.today_of(center, now).date()
    _not_past(on, today)
    if day.cancelled:
        return day
    if on == today:
        await _refuse_stranding(session, center, today, None)
    day.cancelled = True
    await _record(session, center, day, "cancelled", [], principal=principal, now=now)
    return day


async def reinstate_day(
    session: AsyncSession, center: Center, on: date, *, principal: Principal, now: datetime
) -> Day:
    day = await _day(session, center, on)
    _not_past(on, changes.today_of(center, now).date())
    if day.cancelled:
        day.cancelled = False
        await _record(session, center, day, "reinstated", [], principal=principal, now=now)
    return day


async def _refuse_stranding(
    session: AsyncSession, center: Center, today: date, agencies: Sequence[str] | None
) -> None:
    """Visitors who wait today for an agency that would leave (or a day called off)."""
    if agencies is not None and not agencies:
        return
    waiting = await _waiting(session, center, today, agencies)
    if not waiting:
        return
    listed = "; ".join(f"{agency}: {', '.join(t)}" for agency, t in waiting.items())
    raise Conflict(
        f"visitors still wait today ({listed}); serve or cancel them first",
        code="visitors_waiting",
        field="agencies" if agencies is not None else "date",
        waiting=waiting,
    )


async def _record(
    session: AsyncSession,
    center: Center,
    day: Day,
    what: str,
    fields: list[str],
    *,
    principal: Principal,
    now: datetime,
) -> None:
    code = day.date.isoformat()
    verb = "created" if what == "created" else "updated"
    await changes.configured(session, center, now=now, verb=verb, kind="days", day_codes=[code])
    named = [f"days.{code}.{what}", *(f for f in fields if f in FIELDS)]
    changes.audit(session, principal, now=now, what=named)


def window(today: date, past_days: int) -> date:
    return today - timedelta(days=past_days)


async def has_calendar(session: AsyncSession, center: Center) -> bool:
    found = await session.scalar(select(Day.id).where(Day.center_id == center.id).limit(1))
    return found is not None

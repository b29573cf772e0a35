"""Who refers to whom: counted from the day's `visit.referred` events (the event log is
the one source; the steps' reasons stay out of it)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import ScalarResult, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.journal.models import Event
from app.kinds import EventType


async def referral_counts(
    session: AsyncSession, *, center_id: int, day: date
) -> Counter[tuple[str, str]]:
    """(from agency, to agency) → referrals made that day."""
    rows: ScalarResult[dict[str, Any]] = await session.scalars(
        select(Event.data).where(
            Event.center_id == center_id,
            Event.date == day,
            Event.type == EventType.VISIT_REFERRED,
        )
    )
    counts: Counter[tuple[str, str]] = Counter()
    for data in rows.all():
        source = data.get("from_agency") or "?"
        for added in data.get("added") or []:
            counts[(source, str(added.get("agency")))] += 1
    return counts

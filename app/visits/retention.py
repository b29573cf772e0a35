"""Deleting personal data after the retention period; anonymous statistics stay.

What goes: the visitor's answers (residence status, town, age, invitation code,
leave-by time, consent), staff notes, the visitor's token and idempotency keys.
What stays: ticket, language, needs, agencies, step times and the event log, whose
payloads never held the answers (see visits.views.event_visit).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.visits.models import IdempotencyKey, Step, Visit

PURGED = "purged-"


async def purge_before(session: AsyncSession, *, before: date) -> int:
    """Anonymise every visit of a day before `before`; returns how many were changed."""
    ids = list(
        (
            await session.scalars(
                select(Visit.id).where(Visit.date < before, ~Visit.token.startswith(PURGED))
            )
        ).all()
    )
    if not ids:
        return 0
    await session.execute(delete(IdempotencyKey).where(IdempotencyKey.visit_id.in_(ids)))
    await session.execute(update(Step).where(Step.visit_id.in_(ids)).values(note=None))
    for visit_id in ids:
        await session.execute(
            update(Visit)
            .where(Visit.id == visit_id)
            .values(
                token=PURGED + visit_id,
                residence_status=None,
                municipality=None,
                age=None,
                invitation_code=None,
                leave_by=None,
                consent_share=False,
            )
        )
    return len(ids)

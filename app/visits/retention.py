"""Deleting personal data after the retention period; anonymous statistics stay.

What goes: the visitor's answers (residence status, town, age, invitation code,
leave-by time, consent), an invitee's name, address, answers and code
(app/invitations; the window and whether they came stay, for the turnout), staff
notes (a step's note, hold note, referral reason, the shared note), the visitor's
token and idempotency keys. The audit log has its own, longer period
(app.audit.service.purge, `WELCOME_AUDIT_RETENTION_DAYS`).
What stays: ticket, language, needs, agencies, step times and the event log, whose
payloads never held the answers (see visits.views.event_visit).

Each center's purge is one write under that center's lock and appends one
`visits.purged` event to the center's current day (counts only: how many visits of
which days). Not to the purged days themselves: a past day's log stays exactly as
the day ended, so its statistics and replays never change; today's log is where an
audit (and any desk screen) looks for what happened today.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.models import Center
from app.db import Database
from app.desks.models import JointRequest
from app.invitations.models import Invitation
from app.journal.log import append
from app.kinds import EventType
from app.visits.models import IdempotencyKey, Step, Visit

PURGED = "purged-"


def _unpurged(before: date) -> ColumnElement[bool]:
    return (Visit.date < before) & ~Visit.token.startswith(PURGED)


def _invitations(before: date) -> ColumnElement[bool]:
    return (Invitation.date < before) & Invitation.code.is_not(None)


async def purge_invitations(session: AsyncSession, *, center_id: int, before: date) -> int:
    """An invitee's letter data and answers go; the window and whether they came stay."""
    ids = (
        await session.scalars(
            select(Invitation.id).where(Invitation.center_id == center_id, _invitations(before))
        )
    ).all()
    if ids:
        await session.execute(
            update(Invitation)
            .where(Invitation.id.in_(ids))
            .values(
                code=None,
                name=None,
                address=None,
                residence_status=None,
                municipality=None,
                age=None,
                leave_by=None,
            )
        )
    return len(ids)


async def purge(db: Database, *, before: date, now: datetime) -> int:
    """Anonymise every center's visits of days before `before`; returns how many."""
    async with db.read() as session:
        centers = set(
            (
                await session.scalars(select(Visit.center_id).where(_unpurged(before)).distinct())
            ).all()
        )
        centers |= set(
            (
                await session.scalars(
                    select(Invitation.center_id).where(_invitations(before)).distinct()
                )
            ).all()
        )
    total = 0
    for center_id in sorted(centers):
        async with db.write(center_id) as session:
            total += await purge_before(session, center_id=center_id, before=before, now=now)
    return total


async def purge_before(
    session: AsyncSession, *, center_id: int, before: date, now: datetime
) -> int:
    """Anonymise one center's visits of days before `before`; the caller holds its lock."""
    rows = (
        await session.execute(
            select(Visit.id, Visit.date).where(Visit.center_id == center_id, _unpurged(before))
        )
    ).all()
    invitations = await purge_invitations(session, center_id=center_id, before=before)
    if not rows and not invitations:
        return 0  # nothing to do, nothing to tell: a repeated purge writes no event
    ids = [visit_id for visit_id, _ in rows]
    await session.execute(delete(IdempotencyKey).where(IdempotencyKey.visit_id.in_(ids)))
    # Free text staff wrote about the visitor goes with the answers (docs/privacy.md).
    await session.execute(
        update(Step)
        .where(Step.visit_id.in_(ids))
        .values(note=None, held_note=None, referral_reason=None)
    )
    # The reason a host desk gave when asking another agency to join is free text too.
    await session.execute(
        update(JointRequest).where(JointRequest.visit_id.in_(ids)).values(reason=None)
    )
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
                shared_note=None,
            )
        )
    per_day = Counter(day.isoformat() for _, day in rows)
    timezone = await session.scalar(select(Center.timezone).where(Center.id == center_id))
    await append(
        session,
        center_id=center_id,
        day=now.astimezone(ZoneInfo(timezone or "UTC")).date(),
        type=EventType.VISITS_PURGED,
        at=now,
        data={
            "before": before.isoformat(),
            "visits": len(ids),
            "days": dict(sorted(per_day.items())),
            # Only when there were any: the event of a center without invitations is as before.
            **({"invitations": invitations} if invitations else {}),
        },
    )
    return len(ids)

"""The kiosk's side of an invitation code: the lookup that prefills the check-in, and
the check-in's claim. No planner here: check-in stays clear of the simulator."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Invalid
from app.invitations.codes import normalise
from app.invitations.models import Invitation


def _unknown(code: str) -> Invalid:
    err = Invalid("invitation_code", "no invitation with this code for today", code)
    err.code = "unknown_invitation"
    return err


async def lookup(session: AsyncSession, center_id: int, today: date, code: str) -> Invitation:
    """Today's invitation with this code (as typed); 422 unknown_invitation otherwise."""
    wanted = normalise(code)
    row = (
        await session.scalar(
            select(Invitation).where(Invitation.center_id == center_id, Invitation.code == wanted)
        )
        if wanted
        else None
    )
    if row is None or row.date != today:
        raise _unknown(code)
    return row


async def claim(session: AsyncSession, center_id: int, today: date, code: str) -> Invitation | None:
    """The check-in's side: today's invitation for the code, or None for a code from a
    letter this center did not write here (a day without invitations in this system keeps
    accepting other letters' codes, as before). A code of another day, or any unknown
    code on a day with invitations, is 422 unknown_invitation; a used one, 422
    invitation_used."""
    wanted = normalise(code)
    row = (
        await session.scalar(
            select(Invitation).where(Invitation.center_id == center_id, Invitation.code == wanted)
        )
        if wanted
        else None
    )
    if row is None:
        planned = await session.scalar(
            select(Invitation.id)
            .where(Invitation.center_id == center_id, Invitation.date == today)
            .limit(1)
        )
        if planned is None:
            return None
        raise _unknown(code)
    if row.date != today:
        raise _unknown(code)
    if row.visit_id is not None:
        err = Invalid("invitation_code", "this invitation was used already", code)
        err.code = "invitation_used"
        raise err
    return row

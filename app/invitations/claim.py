"""The kiosk's side of an invitation code: the lookup that prefills the check-in, and
the check-in's claim. No planner here: check-in stays clear of the simulator."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Invalid, NotFound
from app.invitations.codes import normalise
from app.invitations.models import Invitation


def _unknown(code: str) -> Invalid:
    err = Invalid("invitation_code", "no invitation with this code for today", code)
    err.code = "unknown_invitation"
    return err


async def lookup(session: AsyncSession, center_id: int, today: date, code: str) -> Invitation:
    """Today's unused invitation with this code (as typed), for the kiosk to fill in.

    422 unknown_invitation (another day's code, or an unknown one on a day with
    invitations), 422 invitation_used; 404 no_invitations when the center invited nobody
    for today through this system: the code is another letter's, kept as typed."""
    row = await claim(session, center_id, today, code)
    if row is None:
        raise NotFound("no invitations for today here", code="no_invitations")
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

"""Turnout of the invited, from the log: how many were invited for a day (the last
`invitations.changed` count for that date) against how many checked in with a letter.

Pure: the route reads the events, this decides. The count lives in the log of the day the
list was changed (often days before), so it is read across days, not from a day's rollup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from pydantic import BaseModel, Field


class Turnout(BaseModel):
    invitations: int = Field(description="invited for the range's days that had invitations")
    came: int = Field(description="of those days' visitors, how many came with a letter")
    turnout: float | None = Field(description="came ÷ invitations; null without invitations")


def invited_per_day(changes: Iterable[Mapping[str, object]]) -> dict[date, int]:
    """The latest total per invitation date; `changes` in log order (day, then seq)."""
    totals: dict[date, int] = {}
    for data in changes:
        total = data.get("total")
        try:
            day = date.fromisoformat(str(data.get("date")))
        except ValueError:
            continue  # an event of another shape: nothing to count
        if isinstance(total, int) and not isinstance(total, bool):
            totals[day] = max(total, 0)
    return totals


def turnout(invited: Mapping[date, int], came: Mapping[date, int]) -> Turnout | None:
    """Turnout over the days that had invitations; None when none of them had any.

    Visitors who came with a code on a day without a list (letters from elsewhere) are
    invited visitors but not part of turnout: there is nothing to divide by.
    """
    days = [d for d, n in invited.items() if n > 0]
    if not days:
        return None
    invitations = sum(invited[d] for d in days)
    arrived = sum(came.get(d, 0) for d in days)
    return Turnout(invitations=invitations, came=arrived, turnout=round(arrived / invitations, 4))

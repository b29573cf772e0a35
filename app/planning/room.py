"""Staffing advice for the rest of today, from the room as it stands now (pure).

The live overview raises `queue_past_closing`; this says which agency's extra desk
would shorten the mean time in the center most for the visitors already here. The day
is played from now on: the waiting visitors arrive at minute 0 with their open steps,
the desks open now stay open, the door closes at closing time (no new walk-ins are
invented: what we know is the room). Services running at a desk now are left out: they
end within minutes, and counting them would only shift every candidate alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.planning.model import Advice, DaySetup, Invitee, Window
from app.planning.staffing import advise_staffing
from app.routing.rules import NeedSpec
from app.sim.simulate import CenterSpec, DeskSpec

# Bounded cost: the overview asks at most every couple of minutes, in a worker thread.
ROOM_DAYS = 4
ROOM_OVERTIME = 180.0  # minutes played past closing: the queue the alert is about
NOW = Window(0.0, 0.0)


@dataclass(frozen=True)
class Waiting:
    """A visitor in the center now, by ticket only, with the (need, agency) of each step
    still open: the agency was decided at check-in and stays."""

    ticket: str
    steps: tuple[tuple[str, str], ...]


def room_day(
    minutes: Mapping[str, float],
    before: Mapping[str, frozenset[str]],
    open_desks: Sequence[tuple[str, str]],
    waiting: Sequence[Waiting],
    minutes_left: float,
    opens: datetime,
) -> tuple[DaySetup, list[Invitee], dict[str, Window]]:
    """The rest of today as a planner's day: `open_desks` are (code, agency);
    `minutes` the expected service minutes per need learned today (the config's until
    then); `before` as routing reads it (need -> needs that must be done first)."""
    # One need per (need, agency) served by that agency alone: the simulator resolves a
    # need's agency from the person, whom the overview does not know (and need not).
    pairs = {step for w in waiting for step in w.steps}
    specs = {
        _code(need, agency): NeedSpec(
            code=_code(need, agency),
            minutes=float(minutes.get(need, 15.0)),
            served_by=({"agency": agency},),
            before=frozenset(_code(b, a) for b in before.get(need, frozenset()) for _, a in pairs),
        )
        for need, agency in pairs
    }
    desks = tuple(DeskSpec(code, agency) for code, agency in open_desks)
    center = CenterSpec(
        needs=specs,
        desks=desks,
        present=frozenset(agency for _, agency in open_desks),
        closes=max(2.0, minutes_left),
    )
    setup = DaySetup(
        center=center,
        overtime=ROOM_OVERTIME,
        opens=opens,
        punctuality=(0.0, 0.0),  # they are here already
    )
    invitees = [
        Invitee(id=w.ticket, needs=tuple(_code(n, a) for n, a in w.steps))
        for w in waiting
        if w.steps
    ]
    return setup, invitees, {i.id: NOW for i in invitees}


def _code(need: str, agency: str) -> str:
    return f"{need}@{agency}"


def advise_room(
    setup: DaySetup,
    invitees: Sequence[Invitee],
    windows: Mapping[str, Window],
    agencies: Sequence[str],
    *,
    days: int = ROOM_DAYS,
    seed: int = 0,
) -> Advice | None:
    """The best extra desk among `agencies` (those with an open desk now), or None when
    no extra desk is predicted to help."""
    candidates = [a for a in agencies if a in setup.agencies]
    if not candidates or not invitees:
        return None
    ranked = advise_staffing(
        setup, invitees, windows, turnout=1.0, days=days, seed=seed, agencies=candidates
    )
    best = ranked[0] if ranked else None
    return best if best is not None and best.gain > 0 else None

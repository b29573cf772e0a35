"""A what-if run: the day's setup (a past day rebuilt, or an upcoming day from the
center's desks, its invitees and the walk-ins its past days lead us to expect), the
changes asked for, and the simulated figures side by side. Read from the database in
the request; the simulation runs in a worker thread (app/planner/runs.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.models import Center, Day
from app.errors import Invalid
from app.invitations.models import Invitation
from app.planner.daysetup import day_setup, invited, minutes
from app.planner.pastday import Actual, rebuild
from app.planner.schemas import AdviceOut, AgencyFigures, DayFigures, PlanBody, PlanResult
from app.planning import (
    DaySetup,
    Invitee,
    Prediction,
    Window,
    advise_staffing,
    plan_windows,
    predict_day,
    with_desks,
    with_hours,
    with_walk_ins,
)


def figures(p: Prediction) -> DayFigures:
    return DayFigures(
        visitors=p.visitors,
        mean_time=p.mean_time,
        p90_time=p.p90_time,
        mean_wait=p.mean_wait,
        invited_mean_time=p.invited_mean_time,
        walk_in_mean_time=p.walk_in_mean_time,
        unserved=p.unserved,
        agencies=[
            AgencyFigures(
                agency=a.agency, visitors=a.visitors, mean_wait=a.mean_wait, p90_wait=a.p90_wait
            )
            for a in p.agencies
        ],
        by_hour=list(p.by_hour),
    )


def actual_figures(a: Actual) -> DayFigures:
    return DayFigures(
        visitors=a.visitors,
        mean_time=a.mean_time,
        p90_time=a.p90_time,
        mean_wait=a.mean_wait,
        agencies=[
            AgencyFigures(
                agency=x.agency, visitors=x.visitors, mean_wait=x.mean_wait, p90_wait=x.p90_wait
            )
            for x in a.agencies
        ],
        by_hour=list(a.by_hour),
    )


def changed(setup: DaySetup, body: PlanBody, day: Day) -> DaySetup:
    out = with_desks(setup, {a: n for a, n in body.desks.items() if n})
    if body.closes is not None:
        closes = minutes(body.closes) - minutes(day.opens)
        if closes <= 0:
            raise Invalid("closes", f"must be after the day opens ({day.opens})", body.closes)
        out = with_hours(out, closes)
    if body.walk_ins != 1.0:
        out = with_walk_ins(out, body.walk_ins)
    return out


async def _invitees(
    session: AsyncSession, center: Center, day: Day
) -> tuple[list[Invitee], dict[str, Window]]:
    rows = (
        await session.scalars(
            select(Invitation).where(Invitation.center_id == center.id, Invitation.date == day.date)
        )
    ).all()
    people = [invited(str(r.id), r, day) for r in rows]
    windows = {
        str(r.id): Window(float(r.window_start), float(r.window_end))
        for r in rows
        if r.window_start is not None and r.window_end is not None
    }
    return people, windows


class Prepared:
    """What the worker thread needs: plain values, no session."""

    def __init__(
        self,
        body: PlanBody,
        day: Day,
        past: bool,
        base: DaySetup,
        setup: DaySetup,
        people: Sequence[Invitee],
        windows: dict[str, Window],
        actual: Actual | None,
    ) -> None:
        self.body = body
        self.date: date = day.date
        self.opens = day.opens
        self.closes = body.closes or day.closes
        self.past = past
        self.base = base
        self.setup = setup
        self.people = list(people)
        self.windows = windows
        self.actual = actual
        self.agencies = list(setup.agencies) if body.advise else []

    @property
    def total(self) -> int:
        advice = (len(self.agencies) + 1) * self.body.days if self.agencies else 0
        return 2 * self.body.days + advice

    def run(self, progress: Callable[[int], None]) -> PlanResult:
        b = self.body
        offset = 0

        def tick(done: int, _: int) -> None:
            progress(offset + done)

        people, windows = self.people, self.windows
        if b.invitations == "replanned" and people:
            windows = plan_windows(self.setup, people, turnout=b.turnout, seed=b.seed)
        baseline = predict_day(
            self.base,
            self.people,
            self.windows,
            turnout=b.turnout,
            days=b.days,
            seed=b.seed,
            progress=tick,
        )
        offset += b.days
        predicted = predict_day(
            self.setup, people, windows, turnout=b.turnout, days=b.days, seed=b.seed, progress=tick
        )
        offset += b.days
        advice = (
            advise_staffing(
                self.setup,
                people,
                windows,
                turnout=b.turnout,
                days=b.days,
                seed=b.seed,
                agencies=self.agencies,
                progress=tick,
            )
            if self.agencies
            else []
        )
        desks = Counter(d.agency for d in self.setup.center.desks)
        return PlanResult(
            date=self.date,
            past=self.past,
            opens=self.opens,
            closes=self.closes,
            desks=dict(desks),
            invitees=len(people),
            actual=actual_figures(self.actual) if self.actual else None,
            baseline=figures(baseline),
            predicted=figures(predicted),
            advice=[
                AdviceOut(
                    agency=a.agency,
                    gain=a.gain,
                    mean_time_before=a.mean_time_before,
                    mean_time_after=a.mean_time_after,
                )
                for a in advice
            ],
        )


async def prepare(session: AsyncSession, center: Center, body: PlanBody, today: date) -> Prepared:
    try:
        wanted = date.fromisoformat(body.date)
    except ValueError:
        raise Invalid("date", f"{body.date!r} is not a date", body.date) from None
    day = await session.scalar(select(Day).where(Day.center_id == center.id, Day.date == wanted))
    if day is None:
        raise Invalid("date", f"{body.date} is not a consultation day of this center", body.date)
    past = wanted < today
    actual = None
    people: list[Invitee] = []
    windows: dict[str, Window] = {}
    if past:
        base, actual = await rebuild(session, center, day)
    else:
        base = await day_setup(session, center, day)
        if body.invitations != "none":
            people, windows = await _invitees(session, center, day)
    for agency in body.desks:
        if agency not in base.center.present:
            raise Invalid(f"desks.{agency}", f"no agency '{agency}' on this day", agency)
    return Prepared(body, day, past, base, changed(base, body, day), people, windows, actual)

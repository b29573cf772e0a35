"""A past consultation day rebuilt from what it left behind: who came when, with which
needs, how long each service really took, and what the day actually looked like (waits
per agency, time in the center), for the planner to replay and compare.

Read from the visits and steps the day's events wrote (the purge keeps their times and
needs; it removes only the answers)."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.models import Center, Day
from app.kinds import StepStatus
from app.planner.daysetup import center_spec, opening
from app.planning import DaySetup
from app.visits.models import Step, Visit


@dataclass(frozen=True)
class AgencyActual:
    agency: str
    visitors: int
    mean_wait: float
    p90_wait: float


@dataclass(frozen=True)
class Actual:
    visitors: int
    mean_time: float
    p90_time: float
    mean_wait: float
    agencies: tuple[AgencyActual, ...]
    by_hour: tuple[float | None, ...]


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] if ordered else 0.0


def _minutes(a: datetime, b: datetime) -> float:
    return max(0.0, (b - a).total_seconds() / 60.0)


async def _visits(
    session: AsyncSession, center: Center, day: Day
) -> list[tuple[Visit, list[Step]]]:
    visits = (
        await session.scalars(
            select(Visit).where(Visit.center_id == center.id, Visit.date == day.date)
        )
    ).all()
    steps: dict[str, list[Step]] = defaultdict(list)
    if visits:
        rows = (
            await session.scalars(select(Step).where(Step.visit_id.in_([v.id for v in visits])))
        ).all()
        for s in rows:
            steps[s.visit_id].append(s)
    return [(v, sorted(steps[v.id], key=lambda s: s.position)) for v in visits]


async def rebuild(session: AsyncSession, center: Center, day: Day) -> tuple[DaySetup, Actual]:
    """The day as a planner's setup (its arrivals per hour, its mix, its services' real
    minutes) and as it actually went."""
    spec = await center_spec(session, center, day)
    opens = opening(center, day)
    hours = max(1, -(-int(spec.closes) // 60))
    visits = await _visits(session, center, day)
    per_hour = [0.0] * hours
    service: dict[str, list[float]] = defaultdict(list)
    times: list[float] = []
    firsts: list[float] = []
    waits: dict[str, list[float]] = defaultdict(list)
    by_hour: list[list[float]] = [[] for _ in range(hours)]
    for visit, steps in visits:
        arrive = _minutes(opens, visit.checked_in_at)
        per_hour[min(hours - 1, int(arrive // 60))] += 1
        for s in steps:
            begun = s.started_at or s.called_at
            if s.status == StepStatus.DONE and begun and s.ended_at:
                service[s.need].append(_minutes(begun, s.ended_at))
        if visit.ended_at is None:
            continue
        stay = _minutes(visit.checked_in_at, visit.ended_at)
        times.append(stay)
        by_hour[min(hours - 1, int(arrive // 60))].append(stay)
        calls = [s.called_at for s in steps if s.called_at]
        firsts.append(_minutes(visit.checked_in_at, min(calls) if calls else visit.ended_at))
        for agency in dict.fromkeys(s.agency for s in steps):
            called = [s.called_at for s in steps if s.agency == agency and s.called_at]
            until = min(called) if called else visit.ended_at
            waits[agency].append(_minutes(visit.checked_in_at, until))
    needs = {
        code: replace(need, minutes=statistics.fmean(service[code])) if service.get(code) else need
        for code, need in spec.needs.items()
    }
    per_visitor = Counter(len(steps) for _, steps in visits if steps)
    top = max(per_visitor, default=1)
    mix = {
        "needs": dict(Counter(s.need for _, steps in visits for s in steps)) or None,
        "needs_per_visitor": [per_visitor.get(k, 0) for k in range(1, top + 1)]
        if per_visitor
        else None,
        "languages": dict(Counter(v.language for v, _ in visits)) or None,
    }
    setup = DaySetup(
        center=replace(spec, needs=needs),
        walk_ins_per_hour=tuple(per_hour),
        mix={k: v for k, v in mix.items() if v},
        opens=opens,
    )
    actual = Actual(
        visitors=len(visits),
        mean_time=statistics.fmean(times) if times else 0.0,
        p90_time=_p90(times),
        mean_wait=statistics.fmean(firsts) if firsts else 0.0,
        agencies=tuple(
            AgencyActual(a, len(w), statistics.fmean(w), _p90(w)) for a, w in sorted(waits.items())
        ),
        by_hour=tuple(statistics.fmean(h) if h else None for h in by_hour),
    )
    return setup, actual

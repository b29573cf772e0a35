"""A configured center as the day simulator sees it (app/sim/simulate.CenterSpec).

Shared by the routing benchmark (bench/scenarios.py) and the demo's simulated day
(app/demo/motion.py): both play the same scenarios over the same center.
"""

from __future__ import annotations

import re
from datetime import date

from app.centers.schema import CenterConfig
from app.routing.rules import NeedSpec
from app.sim.simulate import CenterSpec, DeskSpec


def _floor(code: str, room: dict[str, str]) -> int:
    """Room "1.12" or desk r112 is on floor 1: walking between floors takes longer."""
    for text in (*room.values(), code):
        digits = re.search(r"\d", text)
        if digits:
            return int(digits.group())
    return 0


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def center_spec(config: CenterConfig, day: date | None = None) -> CenterSpec:
    """The simulator's view of a configured center on one of its days (the first by default)."""
    chosen = next((d for d in config.days if day is None or d.date == day), None)
    if chosen is None:
        raise ValueError(f"no day {day} in the center's configuration")
    present = frozenset(chosen.agencies or [a.code for a in config.agencies])
    needs = {
        n.code: NeedSpec(
            code=n.code,
            minutes=float(n.minutes),
            served_by=tuple(s.model_dump(exclude_none=True) for s in n.served_by),
            before=frozenset(n.before),
        )
        for n in config.needs
    }
    desks = tuple(
        DeskSpec(d.code, d.agency, frozenset(d.languages), _floor(d.code, d.room))
        for d in config.desks
        if d.agency in present
    )
    closes = _minutes(chosen.closes) - _minutes(chosen.opens)
    return CenterSpec(needs=needs, desks=desks, present=present, closes=float(closes))

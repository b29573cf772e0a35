"""A clairvoyant policy for the benchmark only: a reference, not a ceiling.

It reads every visitor's TRUE service minutes from the day's plan, which no desk can
know, and calls the free visitor with the least true work left (shortest remaining
processing time, the order that minimises mean time in a single queue). It is no bound
on what an order can reach: without preemption, with parallel queues, `before` and
missed calls, other orders beat it on p90 and on the longest wait (routing does in
several scenarios). Nothing in app/ may use it; the benchmark prints it so the targets
can be read beside what a well-informed ordering reaches on the same days.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from app.routing.policy import (
    OPEN,
    Candidate,
    DeskView,
    VisitView,
    callable_steps,
    is_busy,
)
from app.sim.simulate import DayPlan

NAME = "clairvoyant-srpt"


class OracleSRPT:
    """Built per day plan: the chooser sees that day's true service minutes."""

    def __init__(self, plan: DayPlan) -> None:
        self.true = {v.ticket: v.service for v in plan.visitors}

    def __call__(
        self,
        desk: DeskView,
        visits: Sequence[VisitView],
        *,
        now: datetime,
        before: Mapping[str, frozenset[str]],
    ) -> Candidate | None:
        best: tuple[float, datetime, str] | None = None
        chosen: Candidate | None = None
        for visit in visits:
            if is_busy(visit):
                continue
            steps = tuple(s for s in callable_steps(visit, before) if s.agency == desk.agency)
            if not steps:
                continue
            service = self.true[visit.visit_id]
            left = sum(service.get(s.need, s.minutes) for s in visit.steps if s.status in OPEN)
            key = (left, min(s.queued_at for s in steps), visit.ticket)
            if best is None or key < best:
                best = key
                chosen = Candidate(visit=visit, steps=steps, score=-left, reasons=("oracle",))
        return chosen

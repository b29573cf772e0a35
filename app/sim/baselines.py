"""What queue systems on the market do, as policies the simulator can run.

Pure, with the signature of policy.choose, so the simulator drives them exactly as
it drives the real policy.

sequential-fifo  one queue at a time in a fixed order (the order of check-in, with
                 `before` respected); after each office the visitor joins the END
                 of the next queue
parallel-fifo    waits at every eligible agency at once; oldest check-in first
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial

from app.routing.policy import (
    V1_PARAMS,
    Candidate,
    DeskView,
    StepView,
    VisitView,
    callable_steps,
    choose,
    is_busy,
)

Chooser = Callable[..., Candidate | None]


def _next_stop(visit: VisitView, before: Mapping[str, frozenset[str]]) -> tuple[StepView, ...]:
    """The steps of the one agency this visitor queues at now: the first callable one's."""
    ready = callable_steps(visit, before)
    if not ready:
        return ()
    agency = ready[0].agency
    return tuple(s for s in ready if s.agency == agency)


def _joined(visit: VisitView, steps: Sequence[StepView]) -> datetime:
    """When the visitor joined this queue: after their last office, or later if requeued."""
    ended = [s.ended_at for s in visit.steps if s.ended_at is not None]
    return max([visit.checked_in_at, *ended, *(s.queued_at for s in steps)])


StepsAt = Callable[[VisitView], tuple[StepView, ...]]
JoinedAt = Callable[[VisitView, tuple[StepView, ...]], datetime]


def _first_in_line(
    visits: Sequence[VisitView], steps_at: StepsAt, joined_at: JoinedAt, reason: str
) -> Candidate | None:
    """The free visitor with steps at this desk who joined its line first (ticket breaks ties)."""
    best: tuple[datetime, str] | None = None
    chosen: Candidate | None = None
    for visit in visits:
        if is_busy(visit):
            continue
        steps = steps_at(visit)
        if not steps:
            continue
        key = (joined_at(visit, steps), visit.ticket)
        if best is None or key < best:
            best = key
            chosen = Candidate(visit=visit, steps=steps, score=0.0, reasons=(reason,))
    return chosen


def sequential_fifo(
    desk: DeskView,
    visits: Sequence[VisitView],
    *,
    now: datetime,
    before: Mapping[str, frozenset[str]],
) -> Candidate | None:
    """One office at a time; after each, the end of the next office's line."""

    def steps_at(visit: VisitView) -> tuple[StepView, ...]:
        steps = tuple(_next_stop(visit, before))
        return steps if steps and steps[0].agency == desk.agency else ()

    return _first_in_line(visits, steps_at, _joined, "first in line")


def parallel_fifo(
    desk: DeskView,
    visits: Sequence[VisitView],
    *,
    now: datetime,
    before: Mapping[str, frozenset[str]],
) -> Candidate | None:
    """In every eligible line at once, oldest first."""

    def steps_at(visit: VisitView) -> tuple[StepView, ...]:
        return tuple(s for s in callable_steps(visit, before) if s.agency == desk.agency)

    return _first_in_line(
        visits, steps_at, lambda _, steps: min(s.queued_at for s in steps), "oldest first"
    )


def policies() -> dict[str, Chooser]:
    """Every policy the simulator and the benchmark compare; "routing" is the server's."""
    return {
        "sequential-fifo": sequential_fifo,
        "parallel-fifo": parallel_fifo,
        "v1-score": partial(choose, params=V1_PARAMS),
        "routing": choose,
    }

"""A visit's status follows from its steps. Pure."""

from __future__ import annotations

from collections.abc import Iterable

from app.kinds import OPEN_STEP, StepStatus, VisitStatus

OPEN_STEPS = OPEN_STEP
ENDED_STEPS = frozenset(StepStatus) - OPEN_STEP


def visit_status(step_statuses: Iterable[str], *, cancelled: bool = False) -> VisitStatus:
    statuses = list(step_statuses)
    if cancelled:
        return VisitStatus.CANCELLED
    if StepStatus.IN_SERVICE in statuses:
        return VisitStatus.IN_SERVICE
    if StepStatus.CALLED in statuses:
        return VisitStatus.CALLED
    if StepStatus.PENDING in statuses:
        return VisitStatus.WAITING
    if statuses and all(s == StepStatus.CANCELLED for s in statuses):
        return VisitStatus.CANCELLED
    return VisitStatus.DONE


def ticket_label(n: int) -> str:
    """A017, ..., A999, B001: short enough to read from across the room."""
    letters = "ABCDEFHJKLMNPRSTUVWXYZ"  # no G/I/O/Q: easily confused on screens
    block, number = divmod(n - 1, 999)
    return f"{letters[block % len(letters)]}{number + 1:03d}"

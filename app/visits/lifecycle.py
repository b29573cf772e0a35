"""A visit's status follows from its steps. Pure."""

from __future__ import annotations

from collections.abc import Iterable

OPEN_STEPS = frozenset({"pending", "called", "in_service"})
ENDED_STEPS = frozenset({"done", "referred", "no_show", "cancelled"})


def visit_status(step_statuses: Iterable[str], *, cancelled: bool = False) -> str:
    statuses = list(step_statuses)
    if cancelled:
        return "cancelled"
    if "in_service" in statuses:
        return "in_service"
    if "called" in statuses:
        return "called"
    if "pending" in statuses:
        return "waiting"
    if statuses and all(s == "cancelled" for s in statuses):
        return "cancelled"
    return "done"


def ticket_label(n: int) -> str:
    """A017, ..., A999, B001: short enough to read from across the room."""
    letters = "ABCDEFHJKLMNPRSTUVWXYZ"  # no G/I/O/Q: easily confused on screens
    block, number = divmod(n - 1, 999)
    return f"{letters[block % len(letters)]}{number + 1:03d}"

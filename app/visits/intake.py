"""A check-in and an invitation ask the visitor the same questions: the answers the schema
cannot judge (the center's needs and towns, the known residence statuses) follow one rule.
The field an error names stays each caller's (the public contract differs)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from app.errors import Invalid
from app.routing.rules import RESIDENCE_STATUSES


def distinct_needs(
    codes: Iterable[str], known: Collection[str], field: Callable[[int], str]
) -> list[str]:
    """The needs without repeats, in their order; an unknown one is refused naming
    `field(position)`."""
    needs: list[str] = []
    for i, code in enumerate(codes):
        if code not in known:
            raise Invalid(field(i), f"unknown need '{code}'", code)
        if code not in needs:
            needs.append(code)
    return needs


def check_residence_status(value: str | None) -> None:
    if value is not None and value not in RESIDENCE_STATUSES:
        raise Invalid("residence_status", f"unknown residence status '{value}'", value)


def town_spelled(value: str, towns: Iterable[str]) -> str | None:
    """The center's own spelling of a town given in any case; None for an unknown one."""
    return next((t for t in towns if t.casefold() == value.casefold()), None)

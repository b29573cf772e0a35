"""Eligibility: which agency serves a need for this person, and which needs wait today.

Pure: no I/O, no framework. The server, the simulator and the tests share it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.kinds import ResidenceStatus

RESIDENCE_STATUSES = tuple(ResidenceStatus)
CONDITION_KEYS = ("residence_status", "municipality", "age_min", "age_max", "language")


@dataclass(frozen=True)
class Person:
    residence_status: str | None = None
    municipality: str | None = None
    age: int | None = None
    language: str | None = None


@dataclass(frozen=True)
class NeedSpec:
    code: str
    minutes: float
    served_by: tuple[Mapping[str, Any], ...]
    before: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class OpenDay:
    date: date
    agencies: frozenset[str]


@dataclass(frozen=True)
class Resolution:
    steps: list[tuple[str, str]]  # (need, agency), in the order given
    unavailable: list[tuple[str, date | None]]  # (need, next date it can be served)


def matches(when: Mapping[str, Any] | None, person: Person) -> bool:
    """A condition holds only when the person's answer satisfies it; unknown never matches."""
    if not when:
        return True
    if "residence_status" in when and person.residence_status not in when["residence_status"]:
        return False
    if "municipality" in when:
        towns = {t.casefold() for t in when["municipality"]}
        if person.municipality is None or person.municipality.casefold() not in towns:
            return False
    if "language" in when and person.language not in when["language"]:
        return False
    if "age_min" in when and (person.age is None or person.age < when["age_min"]):
        return False
    return not ("age_max" in when and (person.age is None or person.age > when["age_max"]))


def agency_for(need: NeedSpec, person: Person) -> str | None:
    """The first served_by entry whose condition holds decides; None if none does.

    The legal sphere decides, not who happens to be present: when the responsible
    agency is absent the need waits for a day it is there, it never falls through.
    """
    for entry in need.served_by:
        if matches(entry.get("when"), person):
            return str(entry["agency"])
    return None


def next_date_for(agency: str, after: date, days: Iterable[OpenDay]) -> date | None:
    later = sorted(d.date for d in days if d.date > after and agency in d.agencies)
    return later[0] if later else None


def resolve(
    needs: Sequence[NeedSpec], person: Person, today: OpenDay, days: Iterable[OpenDay]
) -> Resolution:
    days = list(days)
    steps: list[tuple[str, str]] = []
    unavailable: list[tuple[str, date | None]] = []
    for need in needs:
        agency = agency_for(need, person)
        if agency is None:
            unavailable.append((need.code, None))
        elif agency in today.agencies:
            steps.append((need.code, agency))
        else:
            unavailable.append((need.code, next_date_for(agency, today.date, days)))
    return Resolution(steps=steps, unavailable=unavailable)

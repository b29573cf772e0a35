"""Eligibility rules: first matching entry wins, the legal sphere never falls through."""

from __future__ import annotations

from datetime import date

import pytest

from app.routing.rules import NeedSpec, OpenDay, Person, agency_for, matches, resolve

WORK = NeedSpec(
    code="work",
    minutes=20,
    served_by=(
        {"agency": "jobcenter", "when": {"residence_status": ["recognised", "subsidiary"]}},
        {"agency": "aa", "when": {"residence_status": ["asylum_pending", "tolerated"]}},
        {"agency": "aa"},
    ),
)
TRAINING = NeedSpec(
    code="training",
    minutes=30,
    served_by=(
        {"agency": "tm_mitte", "when": {"municipality": ["Detmold", "Lage"]}},
        {"agency": "tm_kreis"},
    ),
)
YOUTH = NeedSpec(
    code="youth",
    minutes=30,
    served_by=(
        {
            "agency": "tm_kreis",
            "when": {"residence_status": ["tolerated"], "age_min": 18, "age_max": 27},
        },
        {"agency": "aa"},
    ),
)


@pytest.mark.parametrize(
    ("person", "need", "agency"),
    [
        (Person(residence_status="recognised"), WORK, "jobcenter"),
        (Person(residence_status="tolerated"), WORK, "aa"),
        (Person(), WORK, "aa"),
        (Person(municipality="detmold"), TRAINING, "tm_mitte"),
        (Person(municipality="Lügde"), TRAINING, "tm_kreis"),
        (Person(residence_status="tolerated", age=18), YOUTH, "tm_kreis"),
        (Person(residence_status="tolerated", age=27), YOUTH, "tm_kreis"),
        (Person(residence_status="tolerated", age=28), YOUTH, "aa"),
        (Person(residence_status="tolerated", age=None), YOUTH, "aa"),
    ],
)
def test_agency_for(person: Person, need: NeedSpec, agency: str) -> None:
    assert agency_for(need, person) == agency


def test_language_condition() -> None:
    assert matches({"language": ["ar", "fa"]}, Person(language="fa"))
    assert not matches({"language": ["ar", "fa"]}, Person(language="de"))


def test_absent_responsible_agency_waits_for_its_day_and_never_falls_through() -> None:
    today = OpenDay(date(2026, 11, 24), frozenset({"abh", "aa"}))
    later = [today, OpenDay(date(2026, 12, 1), frozenset({"jobcenter"}))]
    result = resolve([WORK], Person(residence_status="recognised"), today, later)
    assert result.steps == []
    assert result.unavailable == [("work", date(2026, 12, 1))]
    result = resolve([WORK], Person(residence_status="tolerated"), today, later)
    assert result.steps == [("work", "aa")] and result.unavailable == []


def test_no_later_day_gives_no_next_date() -> None:
    today = OpenDay(date(2026, 11, 24), frozenset({"abh"}))
    result = resolve([TRAINING], Person(), today, [today])
    assert result.unavailable == [("training", None)]

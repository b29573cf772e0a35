"""Compartments by consent (docs/privacy.md), per field, over every staff HTTP surface.

A visitor with needs at the immigration office (abh, first: residence comes before work)
and the employment agency (aa, work for a tolerated person). abh is involved; the
Jobcenter is not. Each field is checked on the queue, the call-next answer, the desk
status and the visitor card, with and without consent. The socket is in
tests/visits/test_compartments_socket.py, the pure rules at the bottom of this file.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.visits.compartments import ADMIN, Viewer, offices, redact_event, redact_visit
from tests.conftest import Harness

pytestmark = pytest.mark.anyio

ANSWERS: dict[str, Any] = {
    "residence_status": "tolerated",
    "municipality": "Lügde",
    "age": 34,
    "invitation_code": "EINL-2026-7",
}
SERVING: dict[str, Any] = {
    "leave_by": "14:30",
    "priority": {"children": True, "accessibility": False},
}
INVOLVED = ("abh1", "r112")  # has the residence step
UNINVOLVED = ("jobcenter1", "r114")  # no step: work goes to aa for a tolerated person


async def check_in(h: Harness, *, consent: bool) -> dict[str, Any]:
    return dict(
        await h.check_in(
            language="ar", needs=["residence", "work"], consent_share=consent, **ANSWERS, **SERVING
        )
    )


def expected(*, involved: bool, consent: bool) -> dict[str, Any]:
    """The table: what a viewer sees of each field."""
    shared = involved and consent
    table: dict[str, Any] = {name: value if shared else None for name, value in ANSWERS.items()}
    table |= {name: value if involved else None for name, value in SERVING.items()}
    table["steps"] = {"abh", "aa"} if shared else {"abh"} if involved else set()
    table["token"] = None  # never to staff
    table["consent_share"] = consent  # a processing flag, not an answer
    table["ticket"] = "any"  # always there
    table["language"] = "ar"
    return table


def check(surface: str, seen: dict[str, Any], table: dict[str, Any]) -> None:
    for name, want in table.items():
        if name == "steps":
            got = {s["agency"] for s in seen["steps"]}
        elif name == "ticket":
            assert seen["ticket"], surface
            continue
        else:
            # Every field stays present (null when hidden); a card has no token field at all.
            assert name in seen or (name == "token" and "card" in surface), (surface, name)
            got = seen.get(name)
        assert got == want, f"{surface}: {name} is {got!r}, expected {want!r}"


@pytest.mark.parametrize("consent", [True, False], ids=["consent", "no-consent"])
async def test_an_involved_agency_sees_per_field(harness: Harness, consent: bool) -> None:
    h = harness
    visit = await check_in(h, consent=consent)
    staff = await h.login(INVOLVED[0])
    desk = INVOLVED[1]
    table = expected(involved=True, consent=consent)

    queue = (await h.client.get(f"/api/v1/desks/{desk}/queue", headers=staff)).json()
    check("queue", next(e for e in queue if e["id"] == visit["id"]), table)
    called = await h.desk(desk, "call-next", staff)
    assert called.status_code == 200 and called.json()["id"] == visit["id"]
    check("call-next", called.json(), table)
    status = (await h.client.get(f"/api/v1/desks/{desk}", headers=staff)).json()
    check("desk status", status["current"], table)
    card = await h.client.get(f"/api/v1/desks/{desk}/visits/{visit['id']}", headers=staff)
    assert card.status_code == 200, card.text
    check("card", card.json(), table)
    assert card.json()["compartment"] == ("shared" if consent else "own")
    # The visitor's own view is unchanged: everything, token included.
    mine = (await h.client.get(f"/api/v1/visits/{visit['token']}")).json()
    assert {k: mine[k] for k in ANSWERS} == ANSWERS and mine["token"] == visit["token"]


@pytest.mark.parametrize("consent", [True, False], ids=["consent", "no-consent"])
async def test_an_uninvolved_agency_sees_per_field(harness: Harness, consent: bool) -> None:
    h = harness
    visit = await check_in(h, consent=consent)
    staff = await h.login(UNINVOLVED[0])
    desk = UNINVOLVED[1]
    queue = (await h.client.get(f"/api/v1/desks/{desk}/queue", headers=staff)).json()
    assert visit["id"] not in [e["id"] for e in queue]
    card = await h.client.get(f"/api/v1/desks/{desk}/visits/{visit['id']}", headers=staff)
    assert card.status_code == 200, card.text
    check("card", card.json(), expected(involved=False, consent=consent))
    assert card.json()["compartment"] == "none"


async def test_the_card_shows_earlier_notes_only_where_allowed(harness: Harness) -> None:
    h = harness
    cards = {}
    for consent in (True, False):
        visit = await check_in(h, consent=consent)
        abh = await h.login("abh1")
        assert (await h.desk("r112", "call-next", abh)).json()["id"] == visit["id"]
        done = await h.desk("r112", "finish", abh, resolved=["residence"], note="Duldung geprüft")
        assert done.status_code == 200, done.text
        aa = await h.login("aa1")
        card = await h.client.get(f"/api/v1/desks/r116/visits/{visit['id']}", headers=aa)
        cards[consent] = card.json()
    shared, own = cards[True], cards[False]
    assert {s["need"]: s["note"] for s in shared["steps"]} == {
        "residence": "Duldung geprüft",
        "work": None,
    }
    assert shared["done"] == ["abh"] and shared["ahead"] == ["aa"]
    # Without consent aa sees its own step only: nothing of abh's, nor that abh was there.
    assert [s["need"] for s in own["steps"]] == ["work"] and own["done"] == []
    assert "Duldung" not in str(own)


async def test_an_admin_sees_everything_on_the_admin_card_and_the_desks_view_at_a_desk(
    harness: Harness,
) -> None:
    h = harness
    visit = await check_in(h, consent=False)
    admin = await h.login("admin")
    full = await h.client.get(f"/api/v1/centers/lippe/visits/{visit['id']}", headers=admin)
    assert full.status_code == 200, full.text
    assert {k: full.json()[k] for k in ANSWERS} == ANSWERS
    assert full.json()["compartment"] == "admin" and len(full.json()["steps"]) == 2
    at_desk = await h.client.get(f"/api/v1/desks/r112/visits/{visit['id']}", headers=admin)
    check("card of an admin at r112", at_desk.json(), expected(involved=True, consent=False))


async def test_a_visit_of_another_center_or_none_is_unknown(harness: Harness) -> None:
    staff = await harness.login("abh1")
    r = await harness.client.get("/api/v1/desks/r112/visits/nope", headers=staff)
    assert r.status_code == 404 and r.json()["code"] == "unknown_visit"


# The pure rules, on event payloads as the desk socket gets them.


def event(consent: bool) -> dict[str, Any]:
    visit = {
        "id": "v1",
        "ticket": "A001",
        "language": "ar",
        "consent_share": consent,
        "leave_by": "14:30",
        "priority": {"children": True, "accessibility": False},
        "steps": [
            {"need": "residence", "agency": "abh", "status": "done"},
            {"need": "work", "agency": "aa", "status": "pending"},
            {"need": "language_course", "agency": "sprache", "status": "pending"},
        ],
        "unavailable": [{"need": "recognition", "next_date": None}],
        "current": None,
    }
    return {
        "desk": "r112",
        "agency": "abh",
        "visit": visit,
        "added": [{"need": "language_course", "agency": "sprache"}],
        "unavailable": [{"need": "recognition", "next_date": None}],
    }


@pytest.mark.parametrize(
    ("viewer", "consent", "steps", "added", "serving"),
    [
        ("abh", True, {"abh", "aa", "sprache"}, {"sprache"}, True),
        ("abh", False, {"abh"}, {"sprache"}, True),  # its own referral, it knows
        ("aa", True, {"abh", "aa", "sprache"}, {"sprache"}, True),
        ("aa", False, {"aa"}, set(), True),
        ("sprache", False, {"sprache"}, {"sprache"}, True),
        ("jobcenter", True, set(), set(), False),
        ("jobcenter", False, set(), set(), False),
    ],
)
def test_events_per_agency(
    viewer: str, consent: bool, steps: set[str], added: set[str], serving: bool
) -> None:
    out = redact_event(event(consent), Viewer.of_agency(viewer))
    assert {s["agency"] for s in out["visit"]["steps"]} == steps
    assert {a["agency"] for a in out["added"]} == added
    assert (out["visit"]["leave_by"] is not None) == serving
    assert (out["visit"]["priority"] is not None) == serving
    shared = viewer != "jobcenter" and consent
    assert bool(out["visit"]["unavailable"]) == shared
    assert out["visit"]["ticket"] == "A001" and out["desk"] == "r112"


def test_events_without_a_visit_pass_unchanged_and_admins_see_all() -> None:
    data = {"desk": "r112", "state": "open"}
    assert redact_event(data, Viewer.of_agency("aa")) == data
    visit = event(False)["visit"] | {"residence_status": "tolerated"}
    full, shown = redact_visit(visit, ADMIN)
    assert full == visit and shown == ("residence_status",)
    # A missing consent flag (an event written before it was in the payload) is no consent.
    old = {k: v for k, v in event(True)["visit"].items() if k != "consent_share"}
    assert [s["agency"] for s in redact_visit(old, Viewer.of_agency("aa"))[0]["steps"]] == ["aa"]


def test_offices_done_and_ahead() -> None:
    steps = event(True)["visit"]["steps"]
    assert offices(steps, open_statuses={"pending"}, done_status="done") == (
        ["abh"],
        ["aa", "sprache"],
    )

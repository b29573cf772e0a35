"""Invitations: a list with a bad row imports nothing, windows are planned, the kiosk's
code fills in language and needs and marks the visit invited, turnout counts it."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from app.invitations.models import Invitation
from app.journal.models import Event
from app.visits.retention import purge
from tests.conftest import KIOSK, TEST_DAY, Harness

pytestmark = pytest.mark.anyio
BASE = "/api/v1/admin/centers/lippe/invitations"
KIOSK_HEADERS = {"Authorization": f"Bearer {KIOSK}"}
HEADER = "language,needs,residence_status,town,age,leave_by,name,address\n"
GOOD = (
    "ar,residence;work,recognised,Detmold,34,12:30,Amal Haddad,Lange Str. 1 32756 Detmold\n"
    "uk,language_course,,Lemgo,,,Olena Koval,Markt 2 32657 Lemgo\n"
)


async def stored(h: Harness) -> int:
    async with h.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(Invitation)) or 0)


async def upload(h: Harness, text: str, headers: dict[str, str]) -> httpx.Response:
    return await h.client.post(
        f"{BASE}/upload?date={TEST_DAY.isoformat()}",
        content=text.encode(),
        headers={**headers, "Content-Type": "text/csv"},
    )


async def test_a_bad_row_names_row_and_column_and_nothing_is_imported(harness: Harness) -> None:
    admin = await harness.login("admin")
    bad = HEADER + GOOD + "fa,residence;flying,,Detmold,40,,Reza Ahmadi,Weg 3\n"
    r = await upload(harness, bad, admin)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "invalid_csv"
    assert (problem["row"], problem["column"]) == (4, "needs")  # header is row 1
    assert problem["reason"] == "unknown_need"
    assert "flying" in problem["detail"]
    assert await stored(harness) == 0
    # An age that is no number, a town the center does not serve, a missing column.
    r = await upload(harness, HEADER + "de,work,,Detmold,forty,,,\n", admin)
    assert (r.json()["row"], r.json()["column"], r.json()["reason"]) == (2, "age", "not_a_number")
    r = await upload(harness, HEADER + "de,work,,Paris,,,,\n", admin)
    assert (r.json()["row"], r.json()["column"], r.json()["reason"]) == (2, "town", "unknown_town")
    r = await upload(harness, "language,needs\nde,work\n", admin)
    assert (r.json()["row"], r.json()["column"]) == (1, "residence_status")
    assert r.json()["reason"] == "missing_column"
    r = await upload(harness, HEADER + ",work,,,,,,\n" + "de,work,,,,9:30,,\n", admin)
    assert (r.json()["row"], r.json()["column"], r.json()["reason"]) == (2, "language", "missing")
    assert await stored(harness) == 0


async def test_invitees_get_codes_and_windows_and_the_kiosk_checks_them_in(
    harness: Harness,
) -> None:
    admin = await harness.login("admin")
    r = await upload(harness, HEADER + GOOD, admin)
    assert r.status_code == 201, r.text
    imported = r.json()["invitations"]
    assert r.json()["imported"] == 2
    amal, _ = imported
    code = amal["code"]
    assert len(code) == 9 and code[4] == "-"
    assert amal["needs"] == ["residence", "work"] and amal["has_address"]
    assert "name" not in amal and "address" not in amal  # never on a screen
    for one in imported:
        assert "08:00" <= one["window"]["start"] < one["window"]["end"] <= "18:00"
    # The leave-by 12:30 leaves room for her own consultations before it.
    assert amal["window"]["end"] <= "12:30"
    # One more by hand: the day's windows are planned again, the list grows.
    r = await harness.client.post(
        BASE,
        json={"date": TEST_DAY.isoformat(), "language": "de", "needs": ["counselling"]},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    listed = (await harness.client.get(f"{BASE}?date={TEST_DAY}", headers=admin)).json()
    assert len(listed["invitations"]) == 3 and listed["turnout"]["invited"] == 3

    # The kiosk: the code as typed (lower case, no hyphen) prefills language and needs.
    typed = code.replace("-", "").lower()
    r = await harness.client.get(
        f"/api/v1/centers/lippe/invitations/{typed}", headers=KIOSK_HEADERS
    )
    assert r.status_code == 200, r.text
    assert r.json()["language"] == "ar" and r.json()["needs"] == ["residence", "work"]
    # The invitee confirms: the check-in carries the code.
    visit = await harness.check_in(
        language="ar", needs=["residence", "work"], invitation_code=typed
    )
    assert [s["need"] for s in visit["steps"]] == ["residence", "work"]
    async with harness.db.read() as session:
        event = await session.scalar(
            select(Event).where(Event.type == "visit.checked_in").order_by(Event.seq.desc())
        )
        assert event is not None and event.data["invited"] is True
        changed = (
            await session.scalars(select(Event).where(Event.type == "invitations.changed"))
        ).all()
    assert changed and all("Amal" not in str(e.data) and code not in str(e.data) for e in changed)
    # A walk-in too, then the turnout.
    await harness.check_in(needs=["work"])
    turnout = (await harness.client.get(f"{BASE}/turnout", headers=admin)).json()
    assert (turnout["invited"], turnout["came"], turnout["walk_ins"]) == (3, 1, 1)
    listed = (await harness.client.get(BASE, headers=admin)).json()
    window = listed["invitations"][0]["window"]  # planned again when the third came
    # The test clock stands at 10:00.
    assert turnout["came_in_window"] == int(window["start"] <= "10:00" < window["end"])
    assert listed["invitations"][0]["came_in_window"] == bool(turnout["came_in_window"])
    lead = await harness.login("lead1")
    assert (await harness.client.get(f"{BASE}/turnout", headers=lead)).json() == turnout
    assert [i["came"] for i in listed["invitations"]] == [True, False, False]
    # One more invitee plans the day again; whoever came keeps the window they came in
    # (one no plan would give: after closing).
    async with harness.db.write() as session:
        row = await session.scalar(select(Invitation).where(Invitation.visit_id.is_not(None)))
        assert row is not None
        row.window_start, row.window_end = 600, 615
    r = await harness.client.post(
        BASE,
        json={"date": TEST_DAY.isoformat(), "language": "ar", "needs": ["residence"]},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    again = (await harness.client.get(BASE, headers=admin)).json()
    assert again["invitations"][0]["window"] == {"start": "18:00", "end": "18:15"}

    # Used once: not again. An unknown code on a day with invitations: refused.
    r = await harness.client.post(
        "/api/v1/centers/lippe/visits",
        json={"language": "ar", "needs": ["work"], "invitation_code": code},
        headers=KIOSK_HEADERS,
    )
    assert r.status_code == 422 and r.json()["code"] == "invitation_used"
    r = await harness.client.post(
        "/api/v1/centers/lippe/visits",
        json={"language": "de", "needs": ["work"], "invitation_code": "ZZZZ-ZZZZ"},
        headers=KIOSK_HEADERS,
    )
    assert r.status_code == 422 and r.json()["code"] == "unknown_invitation"
    assert r.json()["errors"][0]["field"] == "invitation_code"
    r = await harness.client.get(
        "/api/v1/centers/lippe/invitations/ZZZZZZZZ", headers=KIOSK_HEADERS
    )
    assert r.status_code == 422 and r.json()["code"] == "unknown_invitation"


async def test_a_code_of_another_day_is_unknown_today(harness: Harness) -> None:
    admin = await harness.login("admin")
    later = TEST_DAY + timedelta(days=1)
    body = {"date": later.isoformat(), "language": "de", "needs": ["work"]}
    async with harness.db.write() as session:
        from app.centers.loader import ensure_day
        from app.centers.models import Center

        center = await session.scalar(select(Center).where(Center.slug == "lippe"))
        assert center is not None
        await ensure_day(session, center_id=center.id, day=later)
    harness.clear_caches()
    r = await harness.client.post(BASE, json=body, headers=admin)
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    r = await harness.client.post(
        "/api/v1/centers/lippe/visits",
        json={"language": "de", "needs": ["work"], "invitation_code": code},
        headers=KIOSK_HEADERS,
    )
    assert r.status_code == 422 and r.json()["code"] == "unknown_invitation"
    r = await harness.client.get(f"/api/v1/centers/lippe/invitations/{code}", headers=KIOSK_HEADERS)
    assert r.status_code == 422 and r.json()["code"] == "unknown_invitation"
    # A day without invitations here keeps taking other letters' codes (invited); the
    # kiosk's lookup says so (404), and the code rides with the check-in as typed.
    r = await harness.client.get(
        "/api/v1/centers/lippe/invitations/JC-2026-0042", headers=KIOSK_HEADERS
    )
    assert r.status_code == 404 and r.json()["code"] == "no_invitations"
    visit = await harness.check_in(needs=["work"], invitation_code="JC-2026-0042")
    assert visit["ticket"]


async def test_the_purge_takes_names_addresses_and_codes(harness: Harness) -> None:
    admin = await harness.login("admin")
    assert (await upload(harness, HEADER + GOOD, admin)).status_code == 201
    harness.clock.advance(60 * 24 * 2)
    purged = await purge(harness.db, before=TEST_DAY + timedelta(days=1), now=harness.clock())
    assert purged == 0  # no visits, yet an event for the invitations
    async with harness.db.read() as session:
        rows = (await session.scalars(select(Invitation))).all()
        events = (await session.scalars(select(Event).where(Event.type == "visits.purged"))).all()
    assert len(rows) == 2
    assert all(r.name is None and r.address is None and r.code is None for r in rows)
    assert all(r.window_start is not None for r in rows)  # the plan stays, for turnout
    assert events and events[-1].data["invitations"] == 2


async def test_statistics_count_turnout_from_the_log(harness: Harness) -> None:
    """Three invited, one came with her letter, one walked in with a letter from
    elsewhere: the statistics say 1 of 3 (the walk-in's code is not part of turnout)."""
    admin = await harness.login("admin")
    stats_url = f"/api/v1/centers/lippe/stats?from={TEST_DAY}&to={TEST_DAY}"
    before = (await harness.client.get(stats_url, headers=admin)).json()
    assert before["invitations_known"] is False and before["turnout"] is None

    r = await upload(harness, HEADER + GOOD + "de,counselling,,,,,,\n", admin)
    assert r.status_code == 201, r.text
    code = r.json()["invitations"][0]["code"]
    await harness.check_in(language="ar", needs=["residence", "work"], invitation_code=code)
    await harness.check_in(needs=["work"])

    stats = (await harness.client.get(stats_url, headers=admin)).json()
    assert stats["invitations_known"] is True
    assert stats["turnout"] == {"invitations": 3, "came": 1, "turnout": 0.3333}
    assert stats["totals"]["invited"] == 1 and stats["totals"]["walk_ins"] == 1
    # Another range holds none of these invitations.
    later = TEST_DAY + timedelta(days=1)
    other = (
        await harness.client.get(
            f"/api/v1/centers/lippe/stats?from={later}&to={later}", headers=admin
        )
    ).json()
    assert other["turnout"] is None

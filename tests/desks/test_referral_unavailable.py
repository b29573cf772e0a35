"""A referral to an agency absent today tells the visitor so, instead of dropping the need."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from app.centers.models import Day
from tests.conftest import TEST_DAY, Harness, desks_by_agency

pytestmark = pytest.mark.anyio

PRESENT = ["abh", "jobcenter", "aa", "kim", "tm_mitte", "tm_kreis", "beratung", "sprache"]


async def test_referral_to_an_absent_agency_is_listed_unavailable(harness: Harness) -> None:
    h = harness
    # Today without the recognition counselling (it comes every other week in the demo).
    async with h.db.write() as session:
        await session.execute(update(Day).where(Day.date == TEST_DAY).values(agencies=PRESENT))
    code = (await desks_by_agency(h))["abh"][0]
    staff = await h.login("abh1")
    # With consent: without it, abh's answer would hold only abh's own steps and no other
    # needs (tests/visits/test_compartments.py); the visitor's own view has them all.
    visit = await h.check_in(needs=["residence"], residence_status="recognised", consent_share=True)
    assert (await h.desk(code, "call-next", staff)).status_code == 200
    r = await h.desk(
        code, "finish", staff, resolved=["residence"], add_needs=["recognition", "language_course"]
    )
    assert r.status_code == 200, r.text
    after = r.json()
    assert {s["need"]: s["status"] for s in after["steps"]} == {
        "residence": "done",
        "language_course": "pending",
    }
    assert [u["need"] for u in after["unavailable"]] == ["recognition"]
    # What the visitor's phone shows says so too, and keeps saying it.
    mine = await h.client.get(f"/api/v1/visits/{visit['token']}")
    assert mine.status_code == 200, mine.text
    assert [u["need"] for u in mine.json()["unavailable"]] == ["recognition"]

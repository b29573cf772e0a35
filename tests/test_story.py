"""The visit of DOMAIN.md, end to end through the HTTP API."""

from __future__ import annotations

import pytest

from tests.conftest import Harness, desks_by_agency
from tests.roomcheck import assert_room_matches

pytestmark = pytest.mark.anyio


async def serve_next(h: Harness, desk: str, staff: dict[str, str], resolve: list[str]) -> dict:
    r = await h.desk(desk, "call-next", staff)
    assert r.status_code == 200, r.text
    visit = r.json()
    assert visit["current"]["desk"] == desk
    await assert_room_matches(h.db, h.clock())  # the room in memory, after every step
    assert (await h.desk(desk, "start", staff)).status_code == 200
    await assert_room_matches(h.db, h.clock())
    h.clock.advance(10)
    r = await h.desk(desk, "finish", staff, resolved=resolve)
    assert r.status_code == 200, r.text
    await assert_room_matches(h.db, h.clock())
    return r.json()


async def test_tolerated_mother_from_luegde_is_routed_abh_then_aa_then_her_towns_manager(
    harness: Harness,
) -> None:
    h = harness
    desks = await desks_by_agency(h)
    visit = await h.check_in(
        language="ar",
        needs=["work", "training", "residence"],
        residence_status="tolerated",
        municipality="Lügde",
        age=34,
        leave_by="15:30",
        priority={"children": True, "accessibility": False},
        consent_share=True,
    )
    agencies = {s["need"]: s["agency"] for s in visit["steps"]}
    assert agencies == {"residence": "abh", "work": "aa", "training": "tm_kreis"}
    await assert_room_matches(h.db, h.clock())
    assert visit["status"] == "waiting" and visit["unavailable"] == []
    assert visit["ticket"] and len(visit["token"]) >= 22

    staff = {a: await h.login(f"{a}1") for a in ("abh", "aa", "tm_kreis")}
    # Work placement is pointless before the status question: aa cannot call her yet.
    assert (await h.desk(desks["aa"][0], "call-next", staff["aa"])).status_code == 204
    assert (await h.desk(desks["tm_kreis"][0], "call-next", staff["tm_kreis"])).status_code == 204

    after_abh = await serve_next(h, desks["abh"][0], staff["abh"], ["residence"])
    assert after_abh["id"] == visit["id"]
    assert {s["need"]: s["status"] for s in after_abh["steps"]}["residence"] == "done"

    after_aa = await serve_next(h, desks["aa"][0], staff["aa"], ["work"])
    assert after_aa["id"] == visit["id"]
    final = await serve_next(h, desks["tm_kreis"][0], staff["tm_kreis"], ["training"])
    assert final["status"] == "done"
    assert all(s["status"] == "done" for s in final["steps"])

    mine = (await h.client.get(f"/api/v1/visits/{visit['token']}")).json()
    assert mine["status"] == "done" and mine["current"] is None


async def test_recognised_refugee_with_the_same_needs_goes_to_the_jobcenter(
    harness: Harness,
) -> None:
    visit = await harness.check_in(
        language="uk",
        needs=["residence", "work", "training"],
        residence_status="recognised",
        municipality="Detmold",
        age=34,
    )
    agencies = {s["need"]: s["agency"] for s in visit["steps"]}
    assert agencies == {"residence": "abh", "work": "jobcenter", "training": "tm_mitte"}


async def test_unknown_status_falls_back_to_the_employment_agency(harness: Harness) -> None:
    visit = await harness.check_in(needs=["work"])
    assert [s["agency"] for s in visit["steps"]] == ["aa"]

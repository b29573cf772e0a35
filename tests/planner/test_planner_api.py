"""The what-if planner's API: a past day replayed beside how it went, an upcoming day
with its invitees, progress while it runs, the same body giving the same figures."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.centers.loader import ensure_day
from app.centers.models import Center
from app.errors import Conflict, NotFound
from app.planner.runs import Runs
from tests.conftest import BERLIN, TEST_DAY, Harness, desks_by_agency

pytestmark = pytest.mark.anyio
BASE = "/api/v1/admin/centers/lippe/planner"
PAST = TEST_DAY - timedelta(days=7)


async def past_day(h: Harness) -> None:
    """A week ago: six visitors to the immigration office, four served at one desk."""
    async with h.db.write() as session:
        center = await session.scalar(select(Center).where(Center.slug == "lippe"))
        assert center is not None
        await ensure_day(session, center_id=center.id, day=PAST)
    h.clear_caches()
    today = h.clock.now
    h.clock.now = datetime.combine(PAST, time(9, 0), tzinfo=BERLIN)
    for _ in range(6):
        await h.check_in(needs=["residence"])
        h.clock.advance(5)
    staff = await h.login("abh1")
    desk = (await desks_by_agency(h))["abh"][0]
    assert (await h.desk(desk, "open", staff)).status_code == 200
    for _ in range(4):
        assert (await h.desk(desk, "call-next", staff)).status_code == 200
        h.clock.advance(2)
        assert (await h.desk(desk, "start", staff)).status_code == 200
        h.clock.advance(20)
        r = await h.desk(desk, "finish", staff, resolved=["residence"])
        assert r.status_code == 200, r.text
    h.clock.now = today
    h.clear_caches()


async def finished(h: Harness, headers: dict[str, str], run: dict[str, Any]) -> dict[str, Any]:
    seen = [run["done"]]
    for _ in range(600):
        if run["status"] != "running":
            break
        await asyncio.sleep(0.05)
        r = await h.client.get(f"{BASE}/runs/{run['id']}", headers=headers)
        assert r.status_code == 200, r.text
        run = r.json()
        seen.append(run["done"])
    assert run["status"] == "done", run
    assert seen == sorted(seen) and run["done"] == run["total"]
    return run


async def test_a_past_day_is_replayed_beside_how_it_went(harness: Harness) -> None:
    h = harness
    await past_day(h)
    lead = await h.login("lead1")
    days = (await h.client.get(f"{BASE}/days", headers=lead)).json()
    past = next(d for d in days["days"] if d["date"] == PAST.isoformat())
    assert past["past"] and past["visitors"] == 6
    body = {
        "date": PAST.isoformat(),
        "desks": {"abh": 1},
        "days": 3,
        "seed": 7,
        "advise": True,
    }
    r = await h.client.post(f"{BASE}/runs", json=body, headers=lead)
    assert r.status_code == 202, r.text
    run = r.json()
    assert run["status"] == "running" and run["total"] > 6
    result = (await finished(h, lead, run))["result"]
    assert result["past"] and result["date"] == PAST.isoformat()
    actual = result["actual"]
    assert actual["visitors"] == 6
    abh = next(a for a in actual["agencies"] if a["agency"] == "abh")
    assert abh["visitors"] == 4  # the four served; the two still waiting never ended
    assert abh["mean_wait"] > 0
    # The replay and the change: per agency beside the actual day.
    assert {a["agency"] for a in result["baseline"]["agencies"]} >= {"abh"}
    assert result["desks"]["abh"] == 3  # the office's two desks (r112, r113) and one more
    assert result["predicted"]["mean_time"] > 0 and result["baseline"]["mean_time"] > 0
    advice = result["advice"]
    assert advice and advice == sorted(advice, key=lambda a: -a["gain"])
    # Seeded: the same body gives the same figures.
    again = (await h.client.post(f"{BASE}/runs", json=body, headers=lead)).json()
    assert (await finished(h, lead, again))["result"] == result


async def test_bad_bodies_name_the_field(harness: Harness) -> None:
    admin = await harness.login("admin")
    cases = [
        ({"date": "2020-01-01"}, "date"),
        ({"date": TEST_DAY.isoformat(), "desks": {"nobody": 1}}, "desks.nobody"),
        ({"date": TEST_DAY.isoformat(), "closes": "07:00"}, "closes"),
        ({"date": TEST_DAY.isoformat(), "days": 1000}, "days"),
    ]
    for body, field in cases:
        r = await harness.client.post(f"{BASE}/runs", json=body, headers=admin)
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == field, r.text
    assert (await harness.client.get(f"{BASE}/runs/nope", headers=admin)).status_code == 404


async def test_an_upcoming_day_is_planned_with_its_invitees(harness: Harness) -> None:
    h = harness
    admin = await h.login("admin")
    for needs in (["residence"], ["work", "income"]):
        body = {"date": TEST_DAY.isoformat(), "language": "de", "needs": needs}
        r = await h.client.post("/api/v1/admin/centers/lippe/invitations", json=body, headers=admin)
        assert r.status_code == 201, r.text
    days = (await h.client.get(f"{BASE}/days", headers=admin)).json()
    today = next(d for d in days["days"] if d["date"] == TEST_DAY.isoformat())
    assert not today["past"] and today["invitees"] == 2
    run: dict[str, Any] = {"date": TEST_DAY.isoformat(), "days": 2, "advise": False}
    run["walk_ins"] = 0.5
    r = await h.client.post(f"{BASE}/runs", json=run, headers=admin)
    assert r.status_code == 202, r.text
    result = (await finished(h, admin, r.json()))["result"]
    assert not result["past"] and result["actual"] is None and result["invitees"] == 2
    assert result["advice"] == []
    # Half the walk-ins: fewer visitors predicted than the unchanged day.
    assert result["predicted"]["visitors"] < result["baseline"]["visitors"]
    none = {**run, "invitations": "none"}
    r = await h.client.post(f"{BASE}/runs", json=none, headers=admin)
    assert (await finished(h, admin, r.json()))["result"]["invitees"] == 0


async def test_one_run_per_center_at_a_time() -> None:
    runs = Runs()
    release = threading.Event()

    def slow(progress: Callable[[int], None]) -> Any:
        progress(1)
        release.wait(10)
        raise RuntimeError("stopped")

    first = runs.start(1, 3, slow)
    with pytest.raises(Conflict) as refused:
        runs.start(1, 3, slow)
    assert refused.value.code == "planner_busy"
    runs.start(2, 3, slow)  # another center may
    with pytest.raises(Conflict):
        runs.start(3, 3, slow)  # but not a third run on the server's two cores
    release.set()
    await asyncio.gather(*runs.tasks)
    assert runs.get(1, first.id).out().error == "RuntimeError"
    with pytest.raises(NotFound):
        runs.get(2, first.id)  # another center's run is no one's

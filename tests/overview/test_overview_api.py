"""GET /api/v1/centers/{slug}/overview: what an admin or the lead sees of the day."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.conftest import HERFORD_FILE, Harness

pytestmark = pytest.mark.anyio

URL = "/api/v1/centers/lippe/overview"
# What a visitor told the kiosk that is theirs: none of it may reach the overview.
PERSONAL = {"residence_status": "recognised", "municipality": "Kalletal", "age": 34}


async def overview(h: Harness, who: str = "lead1") -> Any:
    r = await h.client.get(URL, headers=await h.login(who))
    assert r.status_code == 200, r.text
    return r.json()


def desk(body: dict[str, Any], code: str) -> dict[str, Any]:
    return next(d for d in body["desks"] if d["code"] == code)


def agency(body: dict[str, Any], code: str) -> dict[str, Any]:
    return next(a for a in body["agencies"] if a["agency"] == code)


def alerts(body: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [a for a in body["alerts"] if a["code"] == code]


async def test_an_idle_desk_beside_a_queue_is_an_alert_until_it_calls(harness: Harness) -> None:
    h = harness
    admin = await h.login("admin")
    assert (await h.desk("r112", "open", admin)).status_code == 200
    quiet = await overview(h)
    assert desk(quiet, "r112")["activity"] == "idle"
    assert alerts(quiet, "desk_idle") == []  # idle with nobody waiting is no problem

    first = await h.check_in(needs=["residence"], **PERSONAL)
    await h.check_in(needs=["residence"])
    h.clock.advance(4)
    body = await overview(h)
    idle = alerts(body, "desk_idle")
    assert [(a["desk"], a["agency"], a["waiting"]) for a in idle] == [("r112", "abh", 2)]
    assert idle[0]["severity"] == "warning" and idle[0]["idle_minutes"] == 4
    abh = agency(body, "abh")
    assert abh["waiting"] == 2 and abh["open_desks"] == 1
    assert abh["longest_wait_minutes"] == 4
    assert abh["wait_min"] is not None and abh["wait_max"] >= abh["wait_min"]

    r = await h.desk("r112", "call-next", admin)
    assert r.status_code == 200, r.text
    h.clock.advance(2)
    body = await overview(h)
    assert alerts(body, "desk_idle") == []
    r112 = desk(body, "r112")
    assert r112["activity"] == "calling"
    assert r112["serving"]["ticket"] == first["ticket"] and r112["serving"]["minutes"] == 2
    assert agency(body, "abh")["waiting"] == 1


async def test_a_paused_desk_and_an_unstaffed_agency(harness: Harness) -> None:
    h = harness
    admin = await h.login("admin")
    await h.check_in(needs=["residence"])
    body = await overview(h)
    # No abh desk open nor paused: the agency is unstaffed.
    unstaffed = alerts(body, "agency_unstaffed")
    assert [(a["agency"], a["waiting"], a["desks_available"]) for a in unstaffed] == [("abh", 1, 2)]
    await h.desk("r112", "open", admin)
    await h.desk("r112", "pause", admin)
    body = await overview(h)
    assert alerts(body, "agency_unstaffed") == []
    paused = alerts(body, "desk_paused")
    assert [(a["desk"], a["severity"]) for a in paused] == [("r112", "warning")]
    await h.desk("r113", "open", admin)
    body = await overview(h)
    # Another abh desk is open (and idle): the pause is only worth a look.
    assert [(a["desk"], a["severity"]) for a in alerts(body, "desk_paused")] == [("r112", "info")]
    assert [a["desk"] for a in alerts(body, "desk_idle")] == ["r113"]


async def test_a_queue_that_outlasts_the_day_asks_for_another_desk(harness: Harness) -> None:
    h = harness
    admin = await h.login("admin")
    await h.desk("r112", "open", admin)
    body = await overview(h)
    closes = body["day"]["closes"]
    assert alerts(body, "queue_past_closing") == []
    # Move to an hour before closing, then queue more than an hour of abh work.
    h.clock.now = datetime.fromisoformat(closes) - timedelta(minutes=60)
    for _ in range(6):
        await h.check_in(needs=["residence"])
    body = await overview(h)
    past = alerts(body, "queue_past_closing")
    assert len(past) == 1, body["alerts"]
    alert = past[0]
    assert alert["agency"] == "abh" and alert["open_desks"] == 1 and alert["waiting"] == 6
    assert alert["work_minutes"] > 60 and alert["clears_at"] > closes
    assert alert["closes"] == closes
    assert alert["desks_needed"] >= 2 and alert["desks_available"] == 1


async def test_visitors_near_their_leave_by_with_open_steps(harness: Harness) -> None:
    h = harness
    # The clock stands at 10:00 local.
    soon = await h.check_in(needs=["residence", "work"], leave_by="10:20")
    await h.check_in(needs=["residence"], leave_by="12:00")  # far off
    body = await overview(h)
    assert [(v["ticket"], v["minutes_left"]) for v in body["leaving_soon"]] == [
        (soon["ticket"], 20)
    ]
    agencies = sorted({s["agency"] for s in soon["steps"]})
    assert len(agencies) == 2 and body["leaving_soon"][0]["open_agencies"] == agencies
    h.clock.advance(25)
    body = await overview(h)
    assert [(v["ticket"], v["minutes_left"]) for v in body["leaving_soon"]] == [
        (soon["ticket"], -5)
    ]
    # Gone (cancelled at the phone): no open steps, no longer listed.
    r = await h.client.post(f"/api/v1/visits/{soon['token']}/cancel")
    assert r.status_code == 200, r.text
    body = await overview(h)
    assert soon["ticket"] not in [v["ticket"] for v in body["leaving_soon"]]


async def test_the_days_counts(harness: Harness) -> None:
    h = harness
    admin = await h.login("admin")
    await h.desk("r112", "open", admin)
    served = await h.check_in(needs=["residence"])
    missing = await h.check_in(needs=["residence"])
    gone = await h.check_in(needs=["residence"])
    r = await h.client.post(f"/api/v1/visits/{gone['token']}/cancel")
    assert r.status_code == 200, r.text
    r = await h.desk("r112", "call-next", admin)
    assert r.json()["ticket"] == served["ticket"], r.text
    assert (await h.desk("r112", "start", admin)).status_code == 200
    r = await h.desk("r112", "finish", admin, resolved=["residence"])
    assert r.status_code == 200 and r.json()["status"] == "done", r.text
    waiting = (await overview(h))["counts"]
    assert (waiting["waiting"], waiting["done"], waiting["no_shows"]) == (1, 1, 0)
    # Two missed calls: a no-show (the first only sends them to the end of the queue).
    for _ in range(2):
        r = await h.desk("r112", "call-next", admin)
        assert r.json()["ticket"] == missing["ticket"], r.text
        assert (await h.desk("r112", "no-show", admin)).status_code == 200
    counts = (await overview(h))["counts"]
    assert counts == {
        "checked_in": 3,
        "done": 2,  # served, and the one who missed both calls
        "waiting": 0,
        "at_desk": 0,
        "no_shows": 1,
        "cancelled": 1,
    }


async def test_a_joint_consultation_shows_on_both_desks(harness: Harness) -> None:
    h = harness
    admin = await h.login("admin")
    await h.desk("r112", "open", admin)
    await h.desk("r116", "open", admin)
    await h.check_in(needs=["residence"])
    await h.desk("r112", "call-next", admin)
    await h.desk("r112", "start", admin)
    r = await h.desk("r112", "joint", admin, agency="aa", desk="r116")
    assert r.status_code in (200, 201), r.text
    request_id = r.json()["id"]
    r = await h.desk("r116", f"joint/{request_id}/accept", admin)
    assert r.status_code == 200, r.text
    body = await overview(h)
    assert desk(body, "r112")["joint_guests"] == ["r116"]
    assert desk(body, "r116")["joint_host"] == "r112"
    assert desk(body, "r116")["activity"] == "serving"


async def test_no_personal_data_in_the_overview(harness: Harness) -> None:
    h = harness
    admin = await h.login("admin")
    await h.desk("r112", "open", admin)
    visit = await h.check_in(needs=["residence"], leave_by="10:15", **PERSONAL)
    await h.check_in(needs=["residence"], **PERSONAL)
    await h.desk("r112", "call-next", admin)
    text = json.dumps(await overview(h))
    for secret in (
        "recognised",
        "Kalletal",
        visit["token"],
        visit["id"],
        '"age"',
        'leave_by": "10:15',
    ):
        assert secret not in text, secret
    assert visit["ticket"] in text


async def test_who_may_read_it(harness: Harness, tmp_path: Any) -> None:
    h = harness
    assert (await h.client.get(URL)).status_code == 401
    for who in ("abh1", "aa1"):
        r = await h.client.get(URL, headers=await h.login(who))
        assert r.status_code == 403 and r.json()["code"] == "forbidden", r.text
    for who in ("lead1", "admin"):
        r = await h.client.get(URL, headers=await h.login(who))
        assert r.status_code == 200
    # Another center's overview is not found for this center's admin and lead.
    r = await h.client.get("/api/v1/centers/herford/overview", headers=await h.login("lead1"))
    assert r.status_code == 404 and r.json()["code"] == "unknown_center"
    assert HERFORD_FILE.exists()


async def test_a_day_without_consultation(harness: Harness) -> None:
    h = harness
    h.clock.advance(60 * 24 * 400)  # far beyond the calendar
    body = await overview(h, "admin")
    assert body["day"] is None and body["alerts"] == []
    assert body["counts"]["checked_in"] == 0

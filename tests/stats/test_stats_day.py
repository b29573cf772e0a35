"""Statistics of a hand-computed day built through the API (SQLite and PostgreSQL).

The day (minutes after 10:00 Berlin on the test day), every figure below worked out by
hand from it:
  0  V1 (de, invited, leave by 12:00, residence) checks in
  5  r112 calls V1 (wait 5), 7 start, 17 finish + refers to career (abh → aa)
 20  V2 (ar, residence) checks in
 25  r116 (aa) calls V1's career step (queued at 17: step wait 8)
 26  r112 calls V2 (wait 6; r112 speaks de, en, ru: no shared language), 30 start
 30  r116 finishes V1 without start (service 5): V1 done, stay 30, leave_by met
 31  r112 asks the Jobcenter to join, 32 r114 accepts (joint, step wait 0)
 40  r114 finishes its step (service 8), 45 r112 finishes V2 (service 15, stay 25)
 50  V3 (de, residence) checks in; 55 r112 calls (wait 5), 57 no-show (back to the queue)
 59  r112 calls V3 again
 60  V4 (en, leave by 12:00, residence) checks in: the long queue; V3's second no-show:
     final (two misses), V3 ends (stay 10); r112 pauses
 70  V5 (de, career) checks in, 80 cancels (stay 10)
150  r112 calls V4 (wait 90), start, 160 finish (service 10, stay 100, leave_by missed)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import TEST_DAY, Harness

pytestmark = pytest.mark.anyio

ABH, AA, JC = "r112", "r116", "r114"


def at(h: Harness, minute: int) -> None:
    start = h.clock.now.replace(hour=10, minute=0, second=0, microsecond=0)
    h.clock.now = start + timedelta(minutes=minute) if minute else start


async def ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


async def build_day(h: Harness) -> dict[str, Any]:
    abh, aa, jc = await h.login("abh1"), await h.login("aa1"), await h.login("jobcenter1")
    at(h, 0)
    v1 = await h.check_in(needs=["residence"], invitation_code="INV-2026-1", leave_by="12:00")
    at(h, 5)
    assert (await ok(await h.desk(ABH, "call-next", abh)))["ticket"] == v1["ticket"]
    at(h, 7)
    await ok(await h.desk(ABH, "start", abh))
    at(h, 17)
    await ok(await h.desk(ABH, "finish", abh, resolved=["residence"], add_needs=["career"]))
    at(h, 20)
    v2 = await h.check_in(needs=["residence"], language="ar")
    at(h, 25)
    assert (await ok(await h.desk(AA, "call-next", aa)))["ticket"] == v1["ticket"]
    at(h, 26)
    assert (await ok(await h.desk(ABH, "call-next", abh)))["ticket"] == v2["ticket"]
    at(h, 30)
    await ok(await h.desk(ABH, "start", abh))
    assert (await ok(await h.desk(AA, "finish", aa, resolved=["career"])))["status"] == "done"
    at(h, 31)
    req = await ok(
        await h.client.post(f"/api/v1/desks/{ABH}/joint", json={"agency": "jobcenter"}, headers=abh)
    )
    at(h, 32)
    joined = await ok(await h.desk(JC, f"joint/{req['id']}/accept", jc))
    need = next(s["need"] for s in joined["steps"] if s["agency"] == "jobcenter")
    at(h, 40)
    await ok(await h.desk(JC, "finish", jc, resolved=[need]))
    at(h, 45)
    assert (await ok(await h.desk(ABH, "finish", abh, resolved=["residence"])))["status"] == "done"
    at(h, 50)
    v3 = await h.check_in(needs=["residence"])
    at(h, 55)
    assert (await ok(await h.desk(ABH, "call-next", abh)))["ticket"] == v3["ticket"]
    at(h, 57)
    await ok(await h.desk(ABH, "no-show", abh))
    at(h, 59)
    assert (await ok(await h.desk(ABH, "call-next", abh)))["ticket"] == v3["ticket"]
    at(h, 60)
    v4 = await h.check_in(needs=["residence"], language="en", leave_by="12:00")
    await ok(await h.desk(ABH, "no-show", abh))  # at 60: V3's second miss ...
    assert (await h.desk(ABH, "pause", abh)).status_code == 200  # ... and a long break
    at(h, 70)
    v5 = await h.check_in(needs=["career"])
    at(h, 80)
    await ok(await h.client.post(f"/api/v1/visits/{v5['token']}/cancel"))
    at(h, 150)
    abh = await h.login("abh1")  # the session lapsed over the long break
    assert (await ok(await h.desk(ABH, "call-next", abh)))["ticket"] == v4["ticket"]
    await ok(await h.desk(ABH, "start", abh))
    at(h, 160)
    await ok(await h.desk(ABH, "finish", abh, resolved=["residence"]))
    return {"joint_need": need}


async def stats(h: Harness, expect: int = 200, **query: str) -> Any:
    admin = await h.login("admin")
    query.setdefault("from", TEST_DAY.isoformat())
    query.setdefault("to", TEST_DAY.isoformat())
    r = await h.client.get("/api/v1/centers/lippe/stats", params=query, headers=admin)
    assert r.status_code == expect, r.text
    return r.json()


def minutes(count: int, mean: float, median: float, p90: float) -> dict[str, Any]:
    return {"count": count, "mean": mean, "median": median, "p90": p90}


async def test_a_hand_computed_day(harness: Harness) -> None:
    h = harness
    built = await build_day(h)
    s = await stats(h)
    t = s["totals"]
    assert t["visitors"] == 5
    assert (t["invited"], t["walk_ins"], t["invited_share"]) == (1, 4, 0.2)
    assert (t["done"], t["cancelled"]) == (4, 1)
    assert (t["steps"], t["no_shows"], t["misses"]) == (7, 1, 2)
    assert (t["leave_by_given"], t["leave_by_met"], t["leave_by_share"]) == (2, 1, 0.5)
    assert (t["referrals"], t["joint_consultations"], t["unshared_language_calls"]) == (1, 1, 1)
    # First waits 5, 6, 5, 90 (V5 was never called): p90 = 6 + 0.7 × (90 − 6).
    assert t["first_wait"] == minutes(4, 26.5, 5.5, 64.8)
    # Step waits 5, 8, 6, 0 (joined), 5, 90: p90 = 8 + 0.5 × 82.
    assert t["step_wait"] == minutes(6, 19.0, 5.5, 49.0)
    # Service 10, 5, 15, 8, 10: p90 = 10 + 0.6 × 5.
    assert t["service"] == minutes(5, 9.6, 10.0, 13.0)
    # Stays 10, 10, 25, 30, 100: p90 = 30 + 0.6 × 70.
    assert t["stay"] == minutes(5, 35.0, 25.0, 72.0)

    assert s["referrals"] == [{"from_agency": "abh", "to_agency": "aa", "count": 1}]
    assert s["joint"] == [{"host_agency": "abh", "agency": "jobcenter", "count": 1}]
    assert s["languages"] == [
        {"language": "de", "visitors": 3, "unshared_language_calls": 0},
        {"language": "ar", "visitors": 1, "unshared_language_calls": 1},
        {"language": "en", "visitors": 1, "unshared_language_calls": 0},
    ]
    assert s["hours"] == [{"hour": 10, "arrivals": 3}, {"hour": 11, "arrivals": 2}]
    agencies = {row["agency"]: row for row in s["agencies"]}
    assert set(agencies) == {"abh", "aa", "jobcenter"}
    abh = agencies["abh"]
    assert (abh["steps"], abh["done"], abh["no_shows"], abh["misses"]) == (4, 3, 1, 2)
    assert (abh["referred_out"], abh["referred_in"]) == (1, 0)
    assert abh["wait"] == minutes(4, 26.5, 5.5, 64.8)
    assert abh["service"] == minutes(3, 11.7, 10.0, 14.0)
    aa = agencies["aa"]
    assert (aa["steps"], aa["done"], aa["referred_in"], aa["referred_out"]) == (2, 1, 1, 0)
    assert aa["wait"] == minutes(1, 8.0, 8.0, 8.0)
    assert agencies["jobcenter"]["service"] == minutes(1, 8.0, 8.0, 8.0)
    needs = {row["need"]: row for row in s["needs"]}
    assert needs["residence"]["steps"] == 4 and needs["career"]["steps"] == 2
    assert needs[built["joint_need"]]["wait"] == minutes(1, 0.0, 0.0, 0.0)
    assert s["days"] == [
        {
            "date": TEST_DAY.isoformat(),
            "visitors": 5,
            "invited": 1,
            "wait_median": 5.5,
            "wait_p90": 64.8,
            "stay_mean": 35.0,
            "no_shows": 1,
            "cancelled": 1,
        }
    ]
    assert s["agency_names"]["abh"]["de"] and s["need_names"]["residence"]["en"]
    assert s["sites"] == [{"site": None, "visitors": 5}]  # all at the center itself
    assert (await stats(h, site="-"))["totals"] == t

    # Filters: the career need (V1 referred, V5 cancelled) and the Employment Agency.
    career = await stats(h, need="career")
    assert career["totals"]["visitors"] == 2 and career["totals"]["steps"] == 2
    assert career["totals"]["step_wait"] == minutes(1, 8.0, 8.0, 8.0)
    aa_only = await stats(h, agency="aa")
    assert aa_only["totals"]["visitors"] == 2
    assert aa_only["referrals"] == s["referrals"]  # the agency is its target
    assert aa_only["joint"] == []
    both = await stats(h, agency="abh", need="career")
    assert both["totals"]["visitors"] == 0 and both["days"] == []


async def test_the_csv_tables_hold_the_same_figures(harness: Harness) -> None:
    h = harness
    await build_day(h)
    admin = await h.login("admin")
    day = TEST_DAY.isoformat()

    async def csv(table: str, **extra: str) -> str:
        r = await h.client.get(
            "/api/v1/centers/lippe/stats.csv",
            params={"table": table, "from": day, "to": day, **extra},
            headers=admin,
        )
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/csv")
        assert f'filename="lippe-{table}-{day}-{day}' in r.headers["content-disposition"]
        return r.text

    assert await csv("referrals") == "from_agency,to_agency,count\r\nabh,aa,1\r\n"
    assert await csv("hours") == "hour,arrivals\r\n10,3\r\n11,2\r\n"
    agencies = (await csv("agencies")).splitlines()
    assert agencies[0] == (
        "agency,steps,done,no_shows,misses,referred_in,wait_count,wait_mean,wait_median,"
        "wait_p90,service_count,service_mean,service_median,service_p90,referred_out"
    )
    assert "abh,4,3,1,2,0,4,26.5,5.5,64.8,3,11.7,10.0,14.0,1" in agencies
    summary = (await csv("summary")).splitlines()
    assert "visitors,5" in summary and "first_wait_p90,64.8" in summary
    assert (await csv("referrals", agency="jobcenter")) == "from_agency,to_agency,count\r\n"
    languages = await csv("languages")
    assert languages.splitlines()[1:] == ["de,3,0", "ar,1,1", "en,1,0"]

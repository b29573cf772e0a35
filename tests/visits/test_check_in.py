"""Check-in: validation, idempotency, tickets, unavailable needs."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from app.journal.models import Event
from app.visits.models import IdempotencyKey, Step, Visit
from tests.conftest import KIOSK, Harness

pytestmark = pytest.mark.anyio

URL = "/api/v1/centers/lippe/visits"
AUTH = {"Authorization": f"Bearer {KIOSK}"}


async def counts(h: Harness) -> tuple[int, int, int, int]:
    async with h.db.read() as s:
        return (
            await s.scalar(select(func.count()).select_from(Visit)),
            await s.scalar(select(func.count()).select_from(Step)),
            await s.scalar(select(func.count()).select_from(Event)),
            await s.scalar(select(func.count()).select_from(IdempotencyKey)),
        )


BAD: list[tuple[Any, str, Any]] = [
    ({"needs": ["work"]}, "language", None),
    ({"language": "de"}, "needs", None),
    ({"language": "de", "needs": []}, "needs", None),
    ({"language": "xx", "needs": ["work"]}, "language", "xx"),
    ({"language": "de", "needs": ["work", "flying"]}, "needs[1]", "flying"),
    ({"language": "de", "needs": "work"}, "needs", None),
    ({"language": "de", "needs": [7]}, "needs[0]", None),
    ({"language": 5, "needs": ["work"]}, "language", None),
    ({"language": "de", "needs": ["work"], "age": "34"}, "age", None),
    ({"language": "de", "needs": ["work"], "age": -1}, "age", None),
    ({"language": "de", "needs": ["work"], "age": 300}, "age", None),
    ({"language": "de", "needs": ["work"], "leave_by": "25:00"}, "leave_by", None),
    ({"language": "de", "needs": ["work"], "leave_by": "2pm"}, "leave_by", None),
    ({"language": "de", "needs": ["work"], "residence_status": "alien"}, "residence_status", None),
    ({"language": "de", "needs": ["work"], "municipality": "Paris"}, "municipality", "Paris"),
    ({"language": "de", "needs": ["work"], "priority": {"vip": True}}, "priority.vip", None),
    ({"language": "de", "needs": ["work"], "priority": "yes"}, "priority", None),
    ({"language": "de", "needs": ["work"], "consent_share": "yes"}, "consent_share", None),
    ({"language": "de", "needs": ["work"], "name": "Amal"}, "name", None),
]


@pytest.mark.parametrize(("body", "field", "value"), BAD)
async def test_bad_check_in_is_a_422_problem_naming_the_field_and_writes_nothing(
    harness: Harness, body: Any, field: str, value: Any
) -> None:
    before = await counts(harness)
    r = await harness.client.post(URL, json=body, headers=AUTH)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["status"] == 422 and problem["title"]
    assert problem["detail"].startswith(field), problem
    if value is not None:
        assert repr(value).strip("'") in problem["detail"]
    assert await counts(harness) == before


@pytest.mark.parametrize(
    ("raw", "ctype"),
    [(b"{not json", "application/json"), (b"[1, 2]", "application/json"), (b"", "text/plain")],
)
async def test_malformed_bodies_are_4xx_problems(harness: Harness, raw: bytes, ctype: str) -> None:
    r = await harness.client.post(URL, content=raw, headers={**AUTH, "content-type": ctype})
    assert 400 <= r.status_code < 500
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "body" in r.json()["detail"]


async def test_authentication_comes_before_the_body(harness: Harness) -> None:
    r = await harness.client.post(URL, content=b"{broken")
    assert r.status_code == 401
    staff = await harness.login("abh1")
    r = await harness.client.post(URL, content=b"{broken", headers=staff)
    assert r.status_code == 403


async def test_unknown_center_is_404_naming_it(harness: Harness) -> None:
    r = await harness.client.post(
        "/api/v1/centers/atlantis/visits", json={"language": "de", "needs": ["work"]}, headers=AUTH
    )
    assert r.status_code in (403, 404)
    r = await harness.client.get("/api/v1/centers/atlantis/today")
    assert r.status_code == 404 and "atlantis" in r.json()["detail"]


async def test_tickets_are_distinct_and_readable_under_concurrency(harness: Harness) -> None:
    bodies = [{"language": "en", "needs": ["counselling"]} for _ in range(30)]
    responses = await asyncio.gather(
        *(harness.client.post(URL, json=b, headers=AUTH) for b in bodies)
    )
    assert all(r.status_code == 201 for r in responses)
    tickets = [r.json()["ticket"] for r in responses]
    assert len(set(tickets)) == 30
    assert sorted(tickets) == [f"A{n:03d}" for n in range(1, 31)]
    tokens = {r.json()["token"] for r in responses}
    assert len(tokens) == 30 and all(len(t) >= 22 for t in tokens)


async def test_fifty_concurrent_retries_with_one_key_make_one_visit(harness: Harness) -> None:
    body = {"language": "ar", "needs": ["residence", "work"], "residence_status": "tolerated"}
    headers = {**AUTH, "Idempotency-Key": "kiosk-foyer-7f3a"}
    responses = await asyncio.gather(
        *(harness.client.post(URL, json=body, headers=headers) for _ in range(50))
    )
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 1 and set(codes) <= {200, 201, 409}
    ids = {r.json()["id"] for r in responses if r.status_code in (200, 201)}
    tokens = {r.json()["token"] for r in responses if r.status_code in (200, 201)}
    assert len(ids) == 1 and len(tokens) == 1
    visits, _, events, keys = await counts(harness)
    assert (visits, events, keys) == (1, 1, 1)


async def test_same_key_with_another_body_is_refused(harness: Harness) -> None:
    headers = {"Idempotency-Key": "k1"}
    first = await harness.check_in(needs=["work"], headers=headers)
    again = await harness.check_in(needs=["work"], headers=headers, expect=200)
    assert again["id"] == first["id"] and again["ticket"] == first["ticket"]
    r = await harness.client.post(
        URL, json={"language": "de", "needs": ["residence"]}, headers={**AUTH, **headers}
    )
    assert r.status_code == 422
    assert "Idempotency-Key" in r.json()["detail"]


async def test_need_of_an_absent_agency_is_unavailable_with_its_next_date(
    harness: Harness,
) -> None:
    from app.centers.models import Center, Day

    async with harness.db.write() as s:
        center = await s.scalar(select(Center).where(Center.slug == "lippe"))
        assert center is not None
        today = await s.scalar(
            select(Day).where(Day.center_id == center.id, Day.date == harness.clock.now.date())
        )
        assert today is not None
        today.agencies = ["abh", "aa", "jobcenter"]
        await s.execute(delete(Day).where(Day.center_id == center.id, Day.date > today.date))
        nxt = today.date.replace(year=today.date.year + 1)
        s.add(Day(center_id=center.id, date=nxt, opens="09:00", closes="13:00", agencies=None))
    r = await harness.client.get("/api/v1/centers/lippe/today")
    needs = {n["code"]: n for n in r.json()["needs"]}
    assert needs["recognition"]["available"] is False
    assert needs["recognition"]["next_date"] == nxt.isoformat()
    assert needs["work"]["available"] is True

    visit = await harness.check_in(language="en", needs=["work", "recognition"])
    assert [s["need"] for s in visit["steps"]] == ["work"]
    assert visit["unavailable"] == [{"need": "recognition", "next_date": nxt.isoformat()}]


async def test_today_lists_labels_in_every_offered_language(harness: Harness) -> None:
    r = await harness.client.get("/api/v1/centers/lippe/today")
    assert r.status_code == 200
    today = r.json()
    assert today["date"] == harness.clock.now.date().isoformat()
    assert today["languages"][0] == "de"
    assert {"abh", "jobcenter", "aa", "tm_mitte", "tm_kreis"} <= set(today["agencies"])
    assert today["agency_names"]["abh"]["de"] == "Ausländerbehörde"
    for need in today["needs"]:
        assert set(today["languages"]) <= set(need["label"])
        assert all(need["label"].values())


async def test_visitor_status_by_token_and_unknown_token(harness: Harness) -> None:
    await harness.desk("r112", "open", await harness.login("abh1"))  # else nobody can say
    visit = await harness.check_in(needs=["residence"])
    r = await harness.client.get(f"/api/v1/visits/{visit['token']}")
    assert r.status_code == 200 and r.json()["ticket"] == visit["ticket"]
    assert isinstance(r.json()["estimated_wait_minutes"], int)
    r = await harness.client.get("/api/v1/visits/not-a-real-token")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_visitor_cancels_and_open_steps_end_cancelled(harness: Harness) -> None:
    visit = await harness.check_in(needs=["residence", "work"])
    r = await harness.client.post(f"/api/v1/visits/{visit['token']}/cancel")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"
    assert {s["status"] for s in r.json()["steps"]} == {"cancelled"}
    again = await harness.client.post(f"/api/v1/visits/{visit['token']}/cancel")
    assert again.status_code == 409


async def test_timestamps_carry_an_offset(harness: Harness) -> None:
    visit = await harness.check_in(needs=["residence"])
    assert visit["checked_in_at"][-6] in "+-"


async def test_estimated_wait_follows_the_queue(harness: Harness) -> None:
    h = harness
    staff = await h.login("anerkennung1")
    desk = (await h.client.get("/api/v1/me/desks", headers=staff)).json()["desks"][0]["code"]
    await h.desk(desk, "open", staff)  # with every desk closed nobody can say (null)
    first = await h.check_in(needs=["recognition"])
    await h.check_in(needs=["recognition"])
    third = await h.check_in(needs=["recognition"])
    assert first["estimated_wait_minutes"] == 0
    before = (await h.client.get(f"/api/v1/visits/{third['token']}")).json()
    assert before["estimated_wait_minutes"] > 0
    assert (await h.desk(desk, "call-next", staff)).json()["id"] == first["id"]
    await h.desk(desk, "start", staff)
    h.clock.advance(15)
    after = (await h.client.get(f"/api/v1/visits/{third['token']}")).json()
    # The same state a quarter of an hour later: the cached figure must not be served.
    assert after["estimated_wait_minutes"] <= before["estimated_wait_minutes"] - 10
    called = (await h.client.get(f"/api/v1/visits/{first['token']}")).json()
    assert called["status"] == "in_service" and called["estimated_wait_minutes"] == 0

"""Consultation days from the browser's API: the config file's rules, live-day care."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from app.centers.models import Center, Day
from app.journal.models import Event
from tests.conftest import TEST_DAY, Harness

pytestmark = pytest.mark.anyio
BASE = "/api/v1/admin/centers/lippe/days"


def day(offset: int) -> str:
    """A date the demo calendar (November and December 2026) leaves free, or a past one."""
    return (TEST_DAY + timedelta(days=offset)).isoformat()


async def configured_events(h: Harness) -> list[dict]:
    async with h.db.read() as session:
        rows = await session.scalars(
            select(Event).where(Event.type == "center.configured").order_by(Event.seq)
        )
        return [e.data for e in rows]


@pytest.mark.parametrize(
    "db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_a_mobile_day_is_added_listed_and_public(harness: Harness) -> None:
    admin = await harness.login("admin")
    body = {
        "date": day(403),
        "opens": "9:30",
        "closes": "12:00",
        "agencies": ["abh", "aa"],
        "site": "Lügde, Rathaus",
        "note": {"de": "Bitte Pass mitbringen.", "en": "Please bring your passport."},
    }
    r = await harness.client.post(BASE, json=body, headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["opens"] == "09:30"  # padded, as the loader stores it
    listed = (await harness.client.get(BASE, headers=admin)).json()
    assert [d["site"] for d in listed["days"] if d["date"] == day(403)] == ["Lügde, Rathaus"]
    public = (await harness.client.get("/api/v1/centers/lippe/days")).json()
    mobile = next(d for d in public["days"] if d["date"] == day(403))
    assert [a["code"] for a in mobile["agencies"]] == ["abh", "aa"]
    assert mobile["agencies"][0]["name"]["de"] == "Ausländerbehörde"
    assert mobile["note"]["en"] == "Please bring your passport." and not mobile["cancelled"]
    events = await configured_events(harness)
    assert events[-1]["codes"] == {"days": [day(403)]} and events[-1]["created"] == {"days": 1}
    # Twice the same date: refused, naming the date.
    again = await harness.client.post(BASE, json=body, headers=admin)
    assert again.status_code == 409 and again.json()["code"] == "day_exists"


async def test_bad_values_are_named_like_the_config_file_names_them(harness: Harness) -> None:
    admin = await harness.login("admin")
    r = await harness.client.post(
        BASE,
        json={"date": day(405), "opens": "25:00", "closes": "08:00", "agencies": ["nope"]},
        headers=admin,
    )
    assert r.status_code == 422
    errors = {e["field"]: e for e in r.json()["errors"]}
    assert errors["opens"]["reason"] == "time"
    assert "is not a time of day HH:MM" in errors["opens"]["message"]
    assert errors["agencies[0]"]["message"] == "unknown agency 'nope'"
    assert errors["agencies[0]"]["reason"] == "unknown_agency"
    r = await harness.client.post(
        BASE, json={"date": day(405), "opens": "12:00", "closes": "09:00"}, headers=admin
    )
    assert r.json()["errors"][0] == {
        "field": "closes",
        "message": "closes 09:00 is not after opens 12:00",
        "reason": "closes_before_opens",
    }
    r = await harness.client.post(
        BASE,
        json={"date": day(405), "opens": "09:00", "closes": "12:00", "note": {"en": "x"}},
        headers=admin,
    )
    assert r.json()["errors"][0]["reason"] == "note_default_language"
    r = await harness.client.post(
        BASE, json={"date": day(-1), "opens": "09:00", "closes": "12:00"}, headers=admin
    )
    assert r.status_code == 422 and r.json()["errors"][0]["reason"] == "past"
    r = await harness.client.post(BASE, json={"date": day(405), "colour": "red"}, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "colour"


async def test_a_cancelled_day_closes_the_kiosk_and_says_so_publicly(harness: Harness) -> None:
    admin = await harness.login("admin")
    assert (await harness.client.get("/api/v1/centers/lippe/today")).status_code == 200
    r = await harness.client.post(f"{BASE}/{TEST_DAY.isoformat()}/cancel", headers=admin)
    assert r.status_code == 200 and r.json()["cancelled"] is True
    today = await harness.client.get("/api/v1/centers/lippe/today")
    assert today.status_code == 404 and today.json()["code"] == "day_closed"
    await harness.check_in(expect=409, needs=["work"])
    public = (await harness.client.get("/api/v1/centers/lippe/days")).json()
    assert public["days"][0]["date"] == TEST_DAY.isoformat() and public["days"][0]["cancelled"]
    r = await harness.client.post(f"{BASE}/{TEST_DAY.isoformat()}/reinstate", headers=admin)
    assert r.status_code == 200 and not r.json()["cancelled"]
    assert (await harness.client.get("/api/v1/centers/lippe/today")).status_code == 200


@pytest.mark.parametrize(
    "db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_today_cannot_drop_an_agency_or_be_cancelled_while_visitors_wait(
    harness: Harness,
) -> None:
    admin = await harness.login("admin")
    visit = await harness.check_in(needs=["residence"])  # waits for abh
    r = await harness.client.put(
        f"{BASE}/{TEST_DAY.isoformat()}",
        json={"opens": "08:00", "closes": "18:00", "agencies": ["aa", "jobcenter"]},
        headers=admin,
    )
    assert r.status_code == 409 and r.json()["code"] == "visitors_waiting"
    assert r.json()["waiting"] == {"abh": [visit["ticket"]]}
    r = await harness.client.post(f"{BASE}/{TEST_DAY.isoformat()}/cancel", headers=admin)
    assert r.status_code == 409 and r.json()["code"] == "visitors_waiting"
    # Keeping abh and changing the hours is fine: screens reload, as after a config load.
    before = len(await configured_events(harness))
    r = await harness.client.put(
        f"{BASE}/{TEST_DAY.isoformat()}",
        json={"opens": "08:00", "closes": "16:00", "site": "Detmold"},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    events = await configured_events(harness)
    assert len(events) == before + 1 and events[-1]["updated"] == {"days": 1}
    today = (await harness.client.get("/api/v1/centers/lippe/today")).json()
    assert today["closes"] == "16:00" and today["site"] == "Detmold"
    # The same values again change nothing and write nothing.
    r = await harness.client.put(
        f"{BASE}/{TEST_DAY.isoformat()}",
        json={"opens": "08:00", "closes": "16:00", "site": "Detmold"},
        headers=admin,
    )
    assert r.status_code == 200 and len(await configured_events(harness)) == before + 1


async def test_past_days_stay_as_they_were(harness: Harness) -> None:
    harness.clock.advance(60 * 24 * 2)  # two days on: the test day is past
    admin = await harness.login("admin")
    listed = (await harness.client.get(BASE, headers=admin)).json()
    past = next(d for d in listed["days"] if d["date"] == TEST_DAY.isoformat())
    assert past["past"] is True
    r = await harness.client.put(
        f"{BASE}/{TEST_DAY.isoformat()}", json={"opens": "08:00", "closes": "12:00"}, headers=admin
    )
    assert r.status_code == 409 and r.json()["code"] == "day_past"
    r = await harness.client.put(f"{BASE}/not-a-date", json={}, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "date"


async def test_a_center_without_a_calendar_is_told_it_is_open_every_day(harness: Harness) -> None:
    async with harness.db.write() as session:
        herford = await session.scalar(select(Center).where(Center.slug == "herford"))
        assert herford is not None
        await session.execute(delete(Day).where(Day.center_id == herford.id))
    r = await harness.client.post(
        "/api/v1/auth/login", json={"username": "herford_admin", "password": "herford-admin-secret"}
    )
    assert r.status_code == 200, r.text
    admin = {"Authorization": f"Bearer {r.json()['access_token']}"}
    harness.client.cookies.clear()
    base = "/api/v1/admin/centers/herford/days"
    assert (await harness.client.get(base, headers=admin)).json()["open_every_day"] is True
    public = (await harness.client.get("/api/v1/centers/herford/days")).json()
    assert public["open_every_day"] is True and public["days"] == []
    # The first day added makes it a calendar: the page warns before (days.js).
    r = await harness.client.post(
        base, json={"date": day(403), "opens": "09:00", "closes": "12:00"}, headers=admin
    )
    assert r.status_code == 201
    assert (await harness.client.get(base, headers=admin)).json()["open_every_day"] is False
    today = await harness.client.get("/api/v1/centers/herford/today")
    assert today.status_code == 404 and today.json()["next_date"] == day(403)


async def test_two_admins_adding_the_same_day_at_once_make_one(harness: Harness) -> None:
    admin = await harness.login("admin")
    body = {"date": day(410), "opens": "09:00", "closes": "12:00"}
    answers = await asyncio.gather(
        *(harness.client.post(BASE, json=body, headers=admin) for _ in range(3))
    )
    assert sorted(a.status_code for a in answers) == [201, 409, 409]
    listed = (await harness.client.get(BASE, headers=admin)).json()["days"]
    assert [d["date"] for d in listed].count(day(410)) == 1

"""Statistics over center-days: local midnight, the autumn clock change, the rollup of
closed days (kept while the log is unchanged, read again when it changed), bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from app.centers.loader import ensure_day
from app.centers.models import Center, Day, DayCounter
from app.stats.models import StatsDay
from tests.conftest import BERLIN, Harness

pytestmark = pytest.mark.anyio

AUTUMN = date(2026, 10, 25)  # 03:00 CEST → 02:00 CET
EVE = AUTUMN - timedelta(days=1)


def utc(day: date, hh: int, mm: int, *, fold: int = 0) -> datetime:
    local = datetime.combine(day, time(hh, mm), tzinfo=BERLIN).replace(fold=fold)
    return local.astimezone(UTC)


async def open_days(h: Harness, *days: date) -> None:
    async with h.db.write() as session:
        center = await session.scalar(select(Center).where(Center.slug == "lippe"))
        assert center is not None
        for day in days:
            await ensure_day(session, center_id=center.id, day=day, opens="00:00", closes="23:59")


async def stats(h: Harness, first: date, last: date, expect: int = 200, **extra: str) -> Any:
    admin = await h.login("admin")
    params = {"from": first.isoformat(), "to": last.isoformat(), **extra}
    r = await h.client.get("/api/v1/centers/lippe/stats", params=params, headers=admin)
    assert r.status_code == expect, r.text
    return r.json()


async def build_night(h: Harness) -> None:
    """A consultation over local midnight into the autumn switch, and one across the
    switch itself: 01:50 CEST to 02:10 CET is 80 minutes, not 20."""
    await open_days(h, EVE, AUTUMN)
    abh = await h.login("abh1")
    h.clock.now = utc(EVE, 23, 40)
    await h.check_in(needs=["residence"])
    h.clock.now = utc(EVE, 23, 45)
    assert (await h.desk("r112", "call-next", abh)).status_code == 200
    h.clock.now = utc(EVE, 23, 50)
    assert (await h.desk("r112", "start", abh)).status_code == 200
    h.clock.now = utc(AUTUMN, 0, 10)  # finished in the new day's log
    r = await h.desk("r112", "finish", abh, resolved=["residence"])
    assert r.status_code == 200 and r.json()["status"] == "done", r.text

    h.clock.now = utc(AUTUMN, 1, 50)  # still summer time
    await h.check_in(needs=["residence"])
    h.clock.now = utc(AUTUMN, 2, 10, fold=1)  # the second 02:10, winter time
    assert h.clock.now - utc(AUTUMN, 1, 50) == timedelta(minutes=80)
    assert (await h.desk("r112", "call-next", abh)).status_code == 200
    assert (await h.desk("r112", "start", abh)).status_code == 200
    h.clock.now += timedelta(minutes=15)
    assert (await h.desk("r112", "finish", abh, resolved=["residence"])).status_code == 200


async def test_midnight_and_the_clock_change(harness: Harness) -> None:
    h = harness
    await build_night(h)
    eve = await stats(h, EVE, EVE)
    # The visit belongs to the day it checked in, its service ended after midnight.
    assert eve["totals"]["visitors"] == 1
    assert eve["totals"]["service"]["mean"] == 20.0
    assert eve["totals"]["stay"]["mean"] == 30.0
    assert eve["hours"] == [{"hour": 23, "arrivals": 1}]
    night = await stats(h, AUTUMN, AUTUMN)
    assert night["totals"]["visitors"] == 1  # not the eve's visitor finishing
    assert night["totals"]["first_wait"]["mean"] == 80.0  # real minutes across the switch
    assert night["totals"]["stay"]["mean"] == 95.0
    assert night["hours"] == [{"hour": 1, "arrivals": 1}]
    both = await stats(h, EVE, AUTUMN)
    assert both["totals"]["visitors"] == 2
    assert [d["date"] for d in both["days"]] == [EVE.isoformat(), AUTUMN.isoformat()]


async def _stored(h: Harness) -> dict[date, StatsDay]:
    async with h.db.read() as session:
        return {row.date: row for row in (await session.scalars(select(StatsDay))).all()}


async def test_closed_days_are_stored_and_read_again_when_their_log_changed(
    harness: Harness,
) -> None:
    h = harness
    await build_night(h)
    # While the eve is yesterday, nothing is stored (today's log may still finish its visits).
    await stats(h, EVE, AUTUMN)
    assert await _stored(h) == {}
    # Three days later both days are closed: stored, and the same figures come back.
    h.clock.now = utc(AUTUMN + timedelta(days=3), 10, 0)
    live = await stats(h, EVE, AUTUMN)
    stored = await _stored(h)
    assert set(stored) == {EVE, AUTUMN}
    assert await stats(h, EVE, AUTUMN) == live

    # A stored day is used as long as the log says nothing new ...
    async with h.db.write() as session:
        await session.execute(
            update(StatsDay).where(StatsDay.date == EVE).values(facts=[])  # a planted lie
        )
    assert (await stats(h, EVE, EVE))["totals"]["visitors"] == 0
    # ... and read from the log again once the day's last seq moved (or the next day's).
    async with h.db.write() as session:
        await session.execute(
            update(DayCounter)
            .where(DayCounter.date == AUTUMN)
            .values(last_seq=DayCounter.last_seq + 1)
        )
    assert (await stats(h, EVE, EVE))["totals"]["visitors"] == 1
    assert (await _stored(h))[EVE].facts != []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-11-02", "to": "2026-11-01"}, "from"),
        ({"from": "2022-01-01", "to": "2026-11-01"}, "from"),
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"agency": "nobody"}, "agency"),
        ({"need": "nothing"}, "need"),
        ({"site": "Atlantis"}, "site"),
    ],
    ids=["from-after-to", "over-three-years", "bad-from", "bad-to", "agency", "need", "site"],
)
async def test_bad_parameters_are_422_naming_the_parameter(
    harness: Harness, query: dict[str, str], field: str
) -> None:
    h = harness
    admin = await h.login("admin")
    for path, extra in (("stats", {}), ("stats.csv", {"table": "days"})):
        r = await h.client.get(
            f"/api/v1/centers/lippe/{path}", params={**query, **extra}, headers=admin
        )
        assert r.status_code == 422, r.text
        body = r.json()
        assert r.headers["content-type"].startswith("application/problem+json")
        # A value the schema refuses is named by where it was (query.from), ours by name.
        named = [e["field"].removeprefix("query.") for e in body["errors"]]
        assert field in named, body


async def test_an_unknown_table_and_another_centers_agency(harness: Harness) -> None:
    h = harness
    admin = await h.login("admin")
    r = await h.client.get(
        "/api/v1/centers/lippe/stats.csv", params={"table": "salaries"}, headers=admin
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "table", r.text
    r = await h.client.get("/api/v1/centers/lippe/stats.csv", headers=admin)
    assert r.status_code == 422 and "table" in r.text
    # Three years exactly are allowed; the other center's admin is refused here.
    ok = await stats(h, date(2023, 11, 2), date(2026, 11, 1))
    assert ok["totals"]["visitors"] == 0
    r = await h.client.get("/api/v1/centers/herford/stats", headers=admin)
    assert r.status_code in (403, 404)


async def test_the_centers_lead_reads_them_desk_staff_do_not(harness: Harness) -> None:
    h = harness
    lead, staff = await h.login("lead1"), await h.login("abh1")
    r = await h.client.get("/api/v1/centers/lippe/stats", headers=lead)
    assert r.status_code == 200 and r.json()["center"] == "lippe"
    r = await h.client.get("/api/v1/centers/lippe/stats.csv?table=summary", headers=lead)
    assert r.status_code == 200 and r.text.startswith("figure,value\r\nvisitors,0")
    assert (await h.client.get("/api/v1/centers/lippe/stats", headers=staff)).status_code == 403


async def test_a_mobile_days_visits_by_site(harness: Harness) -> None:
    h = harness
    await build_night(h)  # the eve at the center, the switch night ...
    async with h.db.write() as session:  # ... and the switch day, a mobile day
        await session.execute(update(Day).where(Day.date == AUTUMN).values(site="Lügde, Rathaus"))
    h.clock.now = utc(AUTUMN, 9, 0)
    await h.check_in(needs=["residence"], language="uk")
    both = await stats(h, EVE, AUTUMN)
    # The night's visitor checked in before the site was set: the log says where it was.
    assert both["sites"] == [
        {"site": None, "visitors": 2},
        {"site": "Lügde, Rathaus", "visitors": 1},
    ]
    assert both["site_names"] == ["Lügde, Rathaus"]
    there = await stats(h, EVE, AUTUMN, site="Lügde, Rathaus")
    assert there["totals"]["visitors"] == 1 and there["languages"][0]["language"] == "uk"
    assert (await stats(h, EVE, AUTUMN, site="-"))["totals"]["visitors"] == 2
    admin = await h.login("admin")
    r = await h.client.get(
        "/api/v1/centers/lippe/stats.csv",
        params={"table": "sites", "from": EVE.isoformat(), "to": AUTUMN.isoformat()},
        headers=admin,
    )
    assert r.text == 'site,visitors\r\n,2\r\n"Lügde, Rathaus",1\r\n'

"""The room in memory (app/room) against the database: after every step of random days
on two workers, after a worker missed everything the other did, and at a hole."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.db import Database
from app.main import create_app
from app.room.projection import Hole, RoomState, stretch
from tests.conftest import Clock, Harness, desks_by_agency
from tests.roomcheck import assert_room_matches, room_differences

pytestmark = pytest.mark.anyio

NEEDS = ["residence", "work", "counselling", "language_course", "case_management", "recognition"]


@asynccontextmanager
async def worker(db_url: str, clock: Clock) -> AsyncIterator[Harness]:
    """Another app on the same database: its own Database, caches and rooms."""
    db = Database(db_url)
    app = create_app(Settings(demo=True, database_url=db_url), database=db)
    app.state.clock = clock
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Harness(client=client, db=db, clock=clock, app=app)
    await db.dispose()


async def _step(
    h: Harness, rng: random.Random, staff: dict[str, str], desks: list[str], tokens: list[str]
) -> str:
    """One random thing a center does; returns what it did (for the failure message)."""
    kind = rng.choice(["check_in", "check_in", "call", "call", "finish", "no_show", "cancel"])
    desk = rng.choice(desks)
    if kind == "check_in":
        visit = await h.check_in(language="en", needs=rng.sample(NEEDS, rng.randint(1, 3)))
        tokens.append(visit["token"])
    elif kind == "call":
        r = await h.desk(desk, "call-next", staff)
        assert r.status_code in (200, 204, 409), r.text
    elif kind == "finish":
        current = (await h.client.get(f"/api/v1/desks/{desk}", headers=staff)).json()["current"]
        if current:
            here = [s["need"] for s in current["steps"] if s.get("desk") == desk]
            body: dict[str, Any] = {"resolved": here[: rng.randint(0, len(here))]}
            if rng.random() < 0.4:
                body["add_needs"] = [rng.choice(NEEDS)]  # a referral
            r = await h.desk(desk, "finish", staff, **body)
            assert r.status_code == 200, r.text
    elif kind == "no_show":
        r = await h.desk(desk, "no-show", staff)
        assert r.status_code in (200, 409), r.text
    elif tokens:
        r = await h.client.post(f"/api/v1/visits/{rng.choice(tokens)}/cancel")
        assert r.status_code in (200, 409), r.text
    h.clock.advance(rng.random() * 3)
    return f"{kind} at {desk}"


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_random_days_on_two_workers_keep_both_rooms_equal_to_the_database(
    harness: Harness, db_url: str, seed: int
) -> None:
    a = harness
    rng = random.Random(seed)
    admin = await a.login("admin")
    desks = [c for codes in (await desks_by_agency(a)).values() for c in codes][:8]
    tokens: list[str] = []
    async with worker(db_url, a.clock) as b:
        for i in range(30):
            h = a if rng.random() < 0.5 else b
            did = await _step(h, rng, admin, desks, tokens)
            for w in (a, b):
                found = await room_differences(w.db, w.clock())
                assert found == [], f"step {i} ({did}), worker {'a' if w is a else 'b'}: {found}"
        for w in (a, b):
            rooms = w.db.caches.rooms.values()
            assert rooms and all(r.state.reloads == 0 for r in rooms)


async def test_a_worker_that_heard_nothing_catches_up_from_the_log(
    harness: Harness, db_url: str
) -> None:
    """Worker b's bus never carries a's events (separate apps: no shared bus on SQLite;
    on PostgreSQL its hints do not matter): b's room reads the log, not the whole room."""
    a = harness
    abh = await a.login("abh1")
    code = (await desks_by_agency(a))["abh"][0]
    async with worker(db_url, a.clock) as b:
        first = await b.check_in(needs=["residence"])
        await assert_room_matches(b.db, b.clock())
        room = b.db.caches.rooms.values()[0]
        before = room.state.seq
        # Everything happens on a while b looks away.
        await a.check_in(needs=["residence"])
        assert (await a.desk(code, "call-next", abh)).json()["id"] == first["id"]
        await a.desk(code, "start", abh)
        await a.desk(code, "finish", abh, resolved=["residence"])
        shown = (await b.client.get(f"/api/v1/visits/{first['token']}")).json()
        assert shown["status"] == "done"
        display = (
            await b.client.get(
                "/api/v1/centers/lippe/display",
                headers={"Authorization": "Bearer demo-display-token-wartebereich"},
            )
        ).json()
        assert first["ticket"] not in display["waiting"] and len(display["waiting"]) == 1
        assert room.state.seq > before and room.state.reloads == 0 and room.catch_ups >= 1
        await assert_room_matches(b.db, b.clock())
        await assert_room_matches(a.db, a.clock())


async def test_decisions_on_one_worker_see_the_others_writes(harness: Harness, db_url: str) -> None:
    """Call-next catches its room up inside the lock: a visitor a called on the other
    worker is never called again by b."""
    a = harness
    staff = await a.login("abh1")
    codes = (await desks_by_agency(a))["abh"]
    async with worker(db_url, a.clock) as b:
        one = await a.check_in(needs=["residence"])
        two = await a.check_in(needs=["residence"])
        assert (await b.desk(codes[0], "call-next", staff)).json()["id"] == one["id"]
        assert (await a.desk(codes[1], "call-next", staff)).json()["id"] == two["id"]
        r = await b.desk(codes[0], "finish", staff, resolved=["residence"])
        assert r.status_code == 200, r.text
        assert (await b.desk(codes[0], "call-next", staff)).status_code == 204
        for w in (a, b):
            await assert_room_matches(w.db, w.clock())


def test_a_stretch_must_continue_the_room() -> None:
    day = date(2026, 12, 2)
    room: RoomState[Any] = RoomState(day=day, seq=4, config="x")
    with pytest.raises(Hole):
        stretch(4, [(5, "visit.called", "v1"), (7, "visit.started", "v1")])
    part = stretch(4, [(5, "visit.checked_in", "v1"), (6, "desk.opened", None)])
    assert part.to == 6 and part.visit_ids == {"v1"}
    with pytest.raises(Hole):
        room.advance(stretch(5, [(6, "desk.opened", None)]), {})
    assert stretch(4, [(5, "center.configured", None)]).whole_room


def test_a_room_keeps_check_in_order_and_drops_who_left() -> None:
    day = date(2026, 12, 2)
    at = datetime(2026, 12, 2, 9, 0)

    class V:
        def __init__(self, id: str, minute: int, status: str = "waiting") -> None:
            self.id, self.status, self.date = id, status, day
            self.checked_in_at = at + timedelta(minutes=minute)

    room: RoomState[Any] = RoomState.load(day, 2, "x", [V("b", 5), V("a", 1)])
    assert [v.id for v in room.active()] == ["a", "b"]
    room.advance(stretch(2, [(3, "visit.checked_in", "c")]), {"c": V("c", 3)})
    assert [v.id for v in room.active()] == ["a", "c", "b"]  # another worker's earlier clock
    room.advance(stretch(3, [(4, "visit.done", "a")]), {"a": V("a", 1, "done")})
    room.advance(stretch(4, [(5, "visits.x", "gone")]), {})
    assert [v.id for v in room.active()] == ["c", "b"] and room.seq == 5

"""Ten desks pressing call-next at once over fifty visitors with several needs."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import pytest
from sqlalchemy import select

from app.journal.models import Event
from app.visits.models import Visit
from tests.conftest import Harness, desks_by_agency
from tests.roomcheck import assert_room_matches

pytestmark = pytest.mark.anyio

NEEDS = ["residence", "work", "counselling", "language_course", "case_management", "recognition"]


async def test_ten_desks_racing_never_share_a_visitor_and_serve_every_step_once(
    harness: Harness,
) -> None:
    h = harness
    rng = random.Random(7)
    desks = await desks_by_agency(h)
    agencies = ["abh", "aa", "beratung", "sprache", "kim", "anerkennung", "jobcenter"]
    pool = [(a, code) for a in agencies for code in desks.get(a, [])][:10]
    assert len(pool) == 10
    admin = await h.login("admin")

    visits = await asyncio.gather(
        *(
            h.check_in(
                language="en",
                needs=rng.sample(NEEDS, rng.randint(2, 4)),
                residence_status="tolerated",
            )
            for _ in range(50)
        )
    )
    expected = Counter(s["agency"] for v in visits for s in v["steps"])
    served: Counter[str] = Counter()
    holding: dict[str, str] = {}  # visit id -> desk, while called or in service

    async def work(desk: str) -> None:
        while True:
            r = await h.desk(desk, "call-next", admin)
            if r.status_code == 204:
                return
            assert r.status_code == 200, r.text
            visit = r.json()
            vid = visit["id"]
            assert vid not in holding, f"{visit['ticket']} handed to {desk} and {holding[vid]}"
            holding[vid] = desk
            here = [s["need"] for s in visit["steps"] if s["status"] == "called"]
            assert here and all(
                s["desk"] == desk for s in visit["steps"] if s["status"] == "called"
            )
            await asyncio.sleep(0)
            assert (await h.desk(desk, "start", admin)).status_code == 200
            del holding[vid]
            r = await h.desk(desk, "finish", admin, resolved=here)
            assert r.status_code == 200, r.text
            # The room in memory equals the database after every step, mid-race.
            await assert_room_matches(h.db, h.clock())
            served.update(s["agency"] for s in visit["steps"] if s["need"] in here)

    # Several rounds: a desk that found nobody may have work again once `before` clears.
    await assert_room_matches(h.db, h.clock())
    for _ in range(6):
        await asyncio.gather(*(work(code) for _, code in pool))
        await assert_room_matches(h.db, h.clock())

    assert served == expected
    async with h.db.read() as s:
        rows = (await s.scalars(select(Visit))).all()
        assert {v.status for v in rows} == {"done"}
        seqs = (await s.scalars(select(Event.seq).order_by(Event.seq))).all()
    assert seqs == list(range(1, len(seqs) + 1))

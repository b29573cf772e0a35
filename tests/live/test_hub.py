"""The hub and the buses in-process: ordering, overflow, redaction, PostgreSQL hints."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from app.centers.models import Center
from app.db import Database
from app.journal.hint import Hint
from app.journal.log import append
from app.journal.models import Event
from app.live.bus import APPLICATION, PostgresBus
from app.live.hub import Hub, Subscriber
from app.live.messages import display_data, outgoing
from tests.conftest import TEST_DAY

pytestmark = pytest.mark.anyio
BERLIN = ZoneInfo("Europe/Berlin")


async def center_id(db: Database) -> int:
    async with db.read() as session:
        found = await session.scalar(select(Center.id).where(Center.slug == "lippe"))
    assert found is not None
    return found


async def write_events(db: Database, cid: int, count: int) -> list[Event]:
    out = []
    for _ in range(count):
        async with db.write(cid) as session:
            out.append(
                await append(
                    session,
                    center_id=cid,
                    day=TEST_DAY,
                    type="desk.paused",
                    at=datetime.now(UTC),
                    data={"desk": "r112"},
                )
            )
    return out


async def drain(sub: Subscriber, count: int, wait: float = 10) -> list[int]:
    seqs: list[int] = []
    async with asyncio.timeout(wait):
        while len(seqs) < count:
            await sub.wait()
            seqs += [out.seq for out in sub.take()]
    return seqs


def test_hints_round_trip_and_reject_garbage() -> None:
    hint = Hint(3, date(2026, 11, 24), 17)
    assert Hint.decode(hint.encode()) == hint
    assert Hint.decode("nonsense") is None


def test_display_data_is_a_whitelist() -> None:
    data: dict[str, Any] = {
        "desk": "r112",
        "room": "Raum 1.12",
        "agency": "abh",
        "note": "private remark",
        "reasons": ["children"],
        "visit": {
            "id": "v1",
            "ticket": "A001",
            "status": "called",
            "language": "ar",
            "steps": [{"need": "residence"}],
            "residence_status": "tolerated",
            "current": {"desk": "r112", "room": "Raum 1.12", "agency": "abh"},
        },
    }
    shown = display_data(data)
    assert shown == {
        "desk": "r112",
        "room": "Raum 1.12",
        "agency": "abh",
        "visit": {
            "ticket": "A001",
            "status": "called",
            "language": "ar",
            "desk": "r112",
            "room": "Raum 1.12",
            "room_labels": None,
            "agency": "abh",
        },
    }


async def test_a_full_queue_drops_only_its_own_socket(harness: Any) -> None:
    db: Database = harness.db
    hub: Hub = harness.app.state.hub
    cid = await center_id(db)
    hub.queue_limit = 5
    async with (
        hub.subscribe(center_id=cid, day=TEST_DAY, tz=BERLIN) as slow,
        hub.subscribe(center_id=cid, day=TEST_DAY, tz=BERLIN) as fast,
    ):
        reader = asyncio.create_task(drain(fast, 20))
        for _ in range(20):
            await write_events(db, cid, 1)
            await asyncio.sleep(0)
        assert len(await reader) == 20
        assert slow.dropped and not slow.items


async def test_screens_move_to_the_new_day_at_local_midnight(harness: Any) -> None:
    """Past the center's midnight a display or desk socket is closed to reconnect into the
    new day (its stale seq brings the new day's snapshot); a phone keeps its visit's day."""
    db: Database = harness.db
    hub: Hub = harness.app.state.hub
    cid = await center_id(db)
    harness.clock.now = datetime.combine(TEST_DAY, time(23, 59), tzinfo=BERLIN)
    async with (
        hub.subscribe(center_id=cid, day=TEST_DAY, tz=BERLIN) as screen,
        hub.subscribe(center_id=cid, day=TEST_DAY, tz=BERLIN, visit_id="v1") as phone,
    ):
        assert hub.end_past_days() == 0 and not screen.dropped
        harness.clock.advance(2)  # 00:01 the next day, in the center's zone
        assert hub.end_past_days() == 1
        assert screen.dropped and not phone.dropped
        assert hub.end_past_days() == 0  # told once


async def test_commits_seen_out_of_order_are_delivered_in_order(harness: Any) -> None:
    db: Database = harness.db
    hub: Hub = harness.app.state.hub
    cid = await center_id(db)
    async with hub.subscribe(center_id=cid, day=TEST_DAY, tz=BERLIN) as sub:
        db.on_events = None  # hold the commits back, then hand them over shuffled
        events = await write_events(db, cid, 5)
        await hub.on_events([events[4], events[1]])
        await hub.on_events([events[0], events[2], events[3]])
        seqs = await drain(sub, 5)
    assert seqs == [e.seq for e in events]
    assert outgoing(events[0], BERLIN).full.startswith('{"seq":')


@pytest.mark.postgres
async def test_postgres_hints_cross_databases_and_survive_a_lost_listener(pg_url: str) -> None:
    here, elsewhere = Database(pg_url), Database(pg_url)  # elsewhere: another process
    bus = PostgresBus(pg_url, probe_seconds=0.2, max_backoff=0.2)
    hub = Hub(here, bus, sweep_seconds=0)  # no sweep: only the bus and its resync
    await hub.start()
    try:
        cid = await center_id(here)
        async with hub.subscribe(center_id=cid, day=TEST_DAY, tz=BERLIN) as sub:
            await write_events(elsewhere, cid, 3)
            first = await drain(sub, 3)
            async with elsewhere.read() as session:
                await session.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE application_name = :name"
                    ),
                    {"name": APPLICATION},
                )
            await asyncio.sleep(0.05)
            await write_events(elsewhere, cid, 4)  # notified while nobody listens
            rest = await drain(sub, 4)
        assert first + rest == list(range(first[0], first[0] + 7))
    finally:
        await hub.stop()
        await here.dispose()
        await elsewhere.dispose()


async def test_a_wake_before_the_wait_is_not_lost() -> None:
    sub = Subscriber(limit=2, visit_id=None)
    sub.wake()  # e.g. a pong queued while the socket was busy sending
    await asyncio.wait_for(sub.wait(), timeout=1)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(sub.wait(), timeout=0.05)  # nothing new since


async def test_the_collector_freezes_settled_sockets_and_thaws_after_many_close() -> None:
    import gc

    from app.live.collector import Collector

    collector = Collector(settle=0.01)
    try:
        for _ in range(100):
            collector.opened()
        await asyncio.sleep(0.1)
        assert collector.frozen_open == 100 and gc.get_freeze_count() > 0
        for _ in range(65):
            collector.closed()
        assert collector.stale and gc.get_freeze_count() == 0
        await asyncio.sleep(0.1)
        assert not collector.stale and collector.frozen_open == 35
    finally:
        collector.stop()
        gc.unfreeze()

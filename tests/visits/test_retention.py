"""Personal data is deleted after the retention period; counts for statistics stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.journal.models import Event
from app.visits.models import IdempotencyKey, Visit
from app.visits.retention import purge
from tests.conftest import Harness, desks_by_agency

pytestmark = pytest.mark.anyio


async def test_purge_anonymises_old_visits_and_keeps_statistics(harness: Harness) -> None:
    h = harness
    visit = await h.check_in(
        needs=["residence"],
        residence_status="tolerated",
        municipality="Lügde",
        age=34,
        invitation_code="INV-7",
        headers={"Idempotency-Key": "k-1"},
    )
    staff = await h.login("abh1")
    code = (await desks_by_agency(h))["abh"][0]
    await h.desk(code, "call-next", staff)
    await h.desk(code, "finish", staff, resolved=["residence"], note="brought passport")
    today, now = h.clock.now.date(), h.clock.now
    tomorrow = today + timedelta(days=1)

    assert await purge(h.db, before=today, now=now) == 0  # today's data is still needed
    assert await purge(h.db, before=tomorrow, now=now) == 1
    assert await purge(h.db, before=tomorrow, now=now) == 0  # idempotent

    async with h.db.read() as s:
        row = await s.scalar(select(Visit))
        assert row is not None
        assert (row.residence_status, row.municipality, row.age, row.invitation_code) == (
            None,
            None,
            None,
            None,
        )
        assert row.ticket == visit["ticket"] and row.status == "done"
        assert await s.scalar(select(IdempotencyKey)) is None
        events = (await s.scalars(select(Event))).all()
    assert len(events) >= 4
    # One visits.purged event, on the center's current day, counts only; none for the
    # purges that found nothing.
    purged = [e for e in events if e.type == "visits.purged"]
    assert len(purged) == 1 and purged[0].seq == max(e.seq for e in events)
    assert purged[0].date == today
    assert purged[0].data == {
        "before": tomorrow.isoformat(),
        "visits": 1,
        "days": {today.isoformat(): 1},
    }
    assert visit["token"] not in str(purged[0].data) and visit["id"] not in str(purged[0].data)
    assert all("Lügde" not in str(e.data) and "passport" not in str(e.data) for e in events)
    r = await h.client.get(f"/api/v1/visits/{visit['token']}")
    assert r.status_code == 404

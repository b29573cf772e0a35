"""The server calls with the routing policy, and learns service minutes from its log."""

from __future__ import annotations

import pytest

from app.centers.context import center_by_slug, load_context
from app.visits import learned
from tests.conftest import Harness, desks_by_agency

pytestmark = pytest.mark.anyio


async def _serve(
    h: Harness, code: str, staff: dict[str, str], minutes: float, *, start: bool
) -> None:
    """One residence visitor called, (maybe) started and finished `minutes` later."""
    await h.check_in(needs=["residence"])
    await h.desk(code, "call-next", staff)
    if start:
        await h.desk(code, "start", staff)
    h.clock.advance(minutes)
    r = await h.desk(code, "finish", staff, resolved=["residence"])
    assert r.status_code == 200


async def _learned(h: Harness, need: str) -> float:
    async with h.db.read() as session:
        center = await center_by_slug(session, "lippe")
        ctx = await load_context(session, center, now=h.clock())
        return (await learned.refresh(session, ctx)).minutes(need)


async def test_short_last_stop_goes_before_a_long_first_come(harness: Harness) -> None:
    h = harness
    code = (await desks_by_agency(h))["abh"][0]
    staff = await h.login("abh1")
    long = await h.check_in(needs=["residence", "work_permit", "opportunity"])
    h.clock.advance(1)
    short = await h.check_in(needs=["work_permit"])
    # Per-agency FIFO would call the first visitor; 45 minutes of work against 10
    # says the short one leaves the waiting room sooner, and nobody has waited long.
    queue = (await h.client.get(f"/api/v1/desks/{code}/queue", headers=staff)).json()
    assert [v["id"] for v in queue] == [short["id"], long["id"]]
    assert any("service left" in reason for reason in queue[0]["reasons"])
    r = await h.desk(code, "call-next", staff)
    assert r.status_code == 200 and r.json()["id"] == short["id"]


async def test_service_minutes_are_learned_from_the_event_log(harness: Harness) -> None:
    h = harness
    code = (await desks_by_agency(h))["abh"][0]
    staff = await h.login("abh1")
    for _ in range(3):
        await _serve(h, code, staff, 45, start=True)
    assert await _learned(h, "residence") == pytest.approx((3 * 15 + 3 * 45) / 6)
    # Someone now waiting behind a 45-minute service hears about it.
    await h.check_in(needs=["residence"])
    await h.desk(code, "call-next", staff)
    await h.desk(code, "start", staff)
    for desk in (await desks_by_agency(h))["abh"][1:]:
        await h.desk(desk, "close", staff)
    waiting = await h.check_in(needs=["residence"])
    assert waiting["estimated_wait_minutes"] >= 25


async def test_services_without_start_are_learned_from_the_call(harness: Harness) -> None:
    """Staff who skip "start": the service runs from the call plus the walk to the desk;
    a missed call is not a service."""
    h = harness
    code = (await desks_by_agency(h))["abh"][0]
    staff = await h.login("abh1")
    for _ in range(3):
        await _serve(h, code, staff, 42, start=False)  # 2 minutes of walking, 40 of consultation
    missed = await h.check_in(needs=["residence"])
    r = await h.desk(code, "call-next", staff)
    assert r.json()["id"] == missed["id"]
    h.clock.advance(5)
    assert (await h.desk(code, "no-show", staff)).status_code == 200
    assert await _learned(h, "residence") == pytest.approx((3 * 15 + 3 * 40) / 6)

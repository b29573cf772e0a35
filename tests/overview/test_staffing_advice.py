"""The live overview's staffing advice: computed from today's room in the background while
a queue runs past closing, never on the request path, at most every two minutes."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from app.overview.compute import Inputs
from app.overview.schemas import StaffingAdvice
from app.planner import live_advice
from tests.conftest import Harness

pytestmark = pytest.mark.anyio

URL = "/api/v1/centers/lippe/overview"


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    live_advice.reset()
    yield
    live_advice.reset()


async def overview(h: Harness) -> Any:
    r = await h.client.get(URL, headers=await h.login("lead1"))
    assert r.status_code == 200, r.text
    return r.json()


def past_closing(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in body["alerts"] if a["code"] == "queue_past_closing"]


async def long_queue(h: Harness) -> str:
    """An hour before closing, more than an hour of immigration work at one desk, and a
    job center desk with one visitor: only the immigration office falls behind."""
    admin = await h.login("admin")
    await h.desk("r112", "open", admin)
    await h.desk("r116", "open", admin)
    closes = (await overview(h))["day"]["closes"]
    h.clock.now = datetime.fromisoformat(closes) - timedelta(minutes=60)
    for _ in range(6):
        await h.check_in(needs=["residence"])
    await h.check_in(needs=["work"])
    return str(closes)


async def settled() -> None:
    """Let the background simulations of this loop finish."""
    for _ in range(200):
        tasks = [e.task for e in live_advice._cache.values() if e.task is not None]
        if all(t.done() for t in tasks):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the staffing advice did not finish in 10 s")


async def test_a_queue_past_closing_gets_staffing_advice(harness: Harness) -> None:
    h = harness
    await long_queue(h)
    first = await overview(h)
    assert [a["agency"] for a in past_closing(first)] == ["abh"]
    await settled()
    body = await overview(h)
    advice = body["staffing"]
    assert advice is not None, body
    assert advice["agency"] == "abh"
    assert advice["gain_minutes"] > 0
    assert advice["mean_time_after"] < advice["mean_time_before"]
    assert datetime.fromisoformat(advice["computed_at"]) == h.clock.now
    assert advice["days"] >= 1


async def test_no_advice_without_the_alert(harness: Harness) -> None:
    h = harness
    admin = await h.login("admin")
    await h.desk("r112", "open", admin)
    for _ in range(2):
        await h.check_in(needs=["residence"])
    body = await overview(h)
    assert past_closing(body) == []
    await settled()
    body = await overview(h)
    assert body["staffing"] is None
    assert live_advice._cache == {}  # nothing was simulated


async def test_the_advice_goes_when_the_alert_goes(harness: Harness) -> None:
    h = harness
    await long_queue(h)
    await overview(h)
    await settled()
    assert (await overview(h))["staffing"] is not None
    admin = await h.login("admin")
    await h.desk("r113", "open", admin)  # the advice taken: the queue ends in time
    body = await overview(h)
    assert past_closing(body) == []
    assert body["staffing"] is None


async def test_the_request_does_not_wait_for_the_simulation(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    release = threading.Event()
    calls: list[datetime] = []
    real = live_advice._advise

    def slow(data: Inputs) -> StaffingAdvice | None:
        calls.append(data.now)
        # Held until the test lets go: the overview must answer meanwhile.
        assert release.wait(10)
        return real(data)

    monkeypatch.setattr(live_advice, "_advise", slow)
    await long_queue(h)
    try:
        first = await asyncio.wait_for(overview(h), 5)
        assert past_closing(first) and first["staffing"] is None  # none yet
        again = await asyncio.wait_for(overview(h), 5)
        assert again["staffing"] is None
        assert len(calls) == 1  # one simulation at a time
    finally:
        release.set()
    await settled()
    later = await overview(h)
    assert later["staffing"] is not None and later["staffing"]["agency"] == "abh"
    assert len(calls) == 1  # within two minutes: the last advice, not a new run

    h.clock.advance(1)
    await overview(h)
    assert len(calls) == 1
    h.clock.advance(1)
    body = await overview(h)
    assert len(calls) == 2  # two minutes on: computed again, the last one shown meanwhile
    assert body["staffing"] is not None
    await settled()
    newer = (await overview(h))["staffing"]
    assert datetime.fromisoformat(newer["computed_at"]) == h.clock.now

"""The calibrated wait range beside every estimate: ticket, phone, queue and display."""

from __future__ import annotations

from typing import Any

import pytest

from app.routing.estimate import wait_range
from tests.conftest import Harness

pytestmark = pytest.mark.anyio


def table(minutes: int | None) -> list[int] | None:
    """What the calibrated table says, as JSON carries it."""
    found = wait_range(minutes)
    return None if found is None else list(found)


def inside(visit: dict[str, Any]) -> bool:
    low, high = visit["estimated_wait_range"]
    return bool(low <= visit["estimated_wait_minutes"] <= high)


async def test_the_range_stands_beside_the_estimate_everywhere(
    harness: Harness, display_headers: Any
) -> None:
    h = harness
    # No desk open: no number, and no range either.
    closed = await h.check_in(needs=["residence"])
    assert closed["estimated_wait_minutes"] is None and closed["estimated_wait_range"] is None
    display = (await h.client.get("/api/v1/centers/lippe/display", headers=display_headers)).json()
    abh = next(a for a in display["agencies"] if a["agency"] == "abh")
    assert abh["estimated_wait_range"] is None

    staff = await h.login("abh1")
    assert (await h.desk("r112", "open", staff)).status_code == 200
    tickets = [await h.check_in(needs=["residence"]) for _ in range(4)]
    last = tickets[-1]
    # The ticket (check-in answer): a real wait, and a range around it, as the table says.
    assert last["estimated_wait_minutes"] > 5, last
    assert last["estimated_wait_range"] == table(last["estimated_wait_minutes"])
    assert inside(last)
    # The phone page reads the same visit.
    phone = (await h.client.get(f"/api/v1/visits/{last['token']}")).json()
    assert phone["estimated_wait_range"] == table(phone["estimated_wait_minutes"])
    assert phone["estimated_wait_range"][1] > phone["estimated_wait_range"][0]
    # The desk's queue carries it too.
    queue = (await h.client.get("/api/v1/desks/r112/queue", headers=staff)).json()
    assert len(queue) == 5, queue
    for entry in queue:
        assert entry["estimated_wait_range"] == table(entry["estimated_wait_minutes"])
    assert any(e["estimated_wait_range"] for e in queue), queue
    # The display: a newcomer's range per agency, the same numbers as wait_min/wait_max.
    display = (await h.client.get("/api/v1/centers/lippe/display", headers=display_headers)).json()
    abh = next(a for a in display["agencies"] if a["agency"] == "abh")
    assert abh["estimated_wait_range"] == [abh["wait_min"], abh["wait_max"]]
    assert abh["wait_max"] > abh["wait_min"] > 0
    # Called: nothing left to wait for.
    called = (await h.desk("r112", "call-next", staff)).json()
    mine = (await h.client.get(f"/api/v1/visits/{closed['token']}")).json()
    assert called["id"] == closed["id"] and mine["estimated_wait_range"] == [0, 0]

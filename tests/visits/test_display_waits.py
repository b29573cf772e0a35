"""The display snapshot's waits per agency: a range the system can know, or none."""

from __future__ import annotations

from typing import Any

import pytest

from app.routing.estimate import wait_range
from app.visits.display import screen_options
from tests.conftest import Harness

pytestmark = pytest.mark.anyio


async def display(h: Harness, headers: dict[str, str]) -> dict[str, Any]:
    r = await h.client.get("/api/v1/centers/lippe/display", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def agency(snapshot: dict[str, Any], code: str) -> dict[str, Any]:
    return next(a for a in snapshot["agencies"] if a["agency"] == code)


async def test_no_open_desk_means_no_number(h: Harness, display_headers: Any) -> None:
    await h.check_in(needs=["residence"])
    abh = agency(await display(h, display_headers), "abh")
    assert abh["waiting"] == 1
    assert abh["open_desks"] == 0
    assert abh["wait_min"] is None and abh["wait_max"] is None
    assert abh["estimated_wait_range"] is None


async def test_queue_times_minutes_over_open_desks(h: Harness, display_headers: Any) -> None:
    staff = await h.login("abh1")
    for _ in range(4):
        await h.check_in(needs=["residence"])
    r = await h.desk("r112", "open", staff)
    assert r.status_code == 200, r.text
    snapshot = await display(h, display_headers)
    abh = agency(snapshot, "abh")
    assert abh["waiting"] == 4 and abh["open_desks"] == 1
    minutes = 4 * 15  # the demo's residence minutes, nothing learned yet
    # The calibrated range around it (docs/routing.md): 35–85 for an hour's queue.
    assert (abh["wait_min"], abh["wait_max"]) == wait_range(minutes) == (35, 85)
    assert abh["estimated_wait_range"] == [abh["wait_min"], abh["wait_max"]]
    # A second open desk halves what lies ahead.
    assert (await h.desk("r113", "open", staff)).status_code == 200
    two = agency(await display(h, display_headers), "abh")
    assert two["open_desks"] == 2 and two["wait_max"] < abh["wait_max"]
    # Nobody waits at an agency with a free desk: 0 to 5 minutes.
    aa = await h.login("aa1")
    assert (await h.desk("r116", "open", aa)).status_code == 200
    free = agency(await display(h, display_headers), "aa")
    assert (free["waiting"], free["wait_min"], free["wait_max"]) == (0, 0, 5)


async def test_screen_options_default_when_unset() -> None:
    options = screen_options(None)
    assert options.agency_names is True
    assert options.announce.speak is True and options.announce.languages == "visitor"


@pytest.fixture
def h(harness: Harness) -> Harness:
    return harness

"""A visitor called or in service at one desk is never handed to another, start to finish."""

from __future__ import annotations

import pytest

from tests.conftest import Harness, desks_by_agency

pytestmark = pytest.mark.anyio


async def test_in_service_at_one_desk_is_not_callable_at_another(harness: Harness) -> None:
    h = harness
    desks = await desks_by_agency(h)
    admin = await h.login("admin")
    visit = await h.check_in(needs=["counselling", "language_course"])
    first, other = desks["beratung"][0], desks["sprache"][0]
    called = await h.desk(first, "call-next", admin)
    assert called.status_code == 200 and called.json()["id"] == visit["id"]
    # Called: the other agency's desk must not take them.
    assert (await h.desk(other, "call-next", admin)).status_code == 204
    started = await h.desk(first, "start", admin)
    assert started.json()["status"] == "in_service"
    # In service: still not, for as long as the consultation runs.
    assert (await h.desk(other, "call-next", admin)).status_code == 204
    h.clock.advance(20)
    assert (await h.desk(other, "call-next", admin)).status_code == 204
    queue = await h.client.get(f"/api/v1/desks/{other}/queue", headers=admin)
    assert queue.status_code == 200 and queue.json() == []
    # Done at the first desk: now the second one calls them.
    finished = await h.desk(first, "finish", admin, resolved=["counselling"])
    assert finished.status_code == 200, finished.text
    after = await h.desk(other, "call-next", admin)
    assert after.status_code == 200 and after.json()["id"] == visit["id"]

"""Desk actions: states, recall, start, finish with referral, no-show, queue order."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from app.journal.models import Event
from tests.conftest import Harness, desks_by_agency

pytestmark = pytest.mark.anyio


async def event_types(h: Harness) -> list[str]:
    async with h.db.read() as s:
        return list((await s.scalars(select(Event.type).order_by(Event.seq))).all())


async def test_desk_states_write_events_and_repeat_presses_change_nothing(
    harness: Harness,
) -> None:
    h = harness
    code = (await desks_by_agency(h))["abh"][0]
    staff = await h.login("abh1")
    r = await h.desk(code, "open", staff)
    assert r.status_code == 200 and r.json()["state"] == "open"
    assert (await h.desk(code, "open", staff)).status_code == 200
    assert (await h.desk(code, "pause", staff)).json()["state"] == "paused"
    assert (await h.desk(code, "close", staff)).json()["state"] == "closed"
    assert await event_types(h) == ["desk.opened", "desk.paused", "desk.closed"]


async def test_staff_may_only_work_at_their_agencys_desks(harness: Harness) -> None:
    h = harness
    desks = await desks_by_agency(h)
    abh = await h.login("abh1")
    assert (await h.desk(desks["aa"][0], "call-next", abh)).status_code == 403
    assert (await h.desk(desks["aa"][0], "call-next", {})).status_code == 401
    assert (await h.desk("nope", "call-next", abh)).status_code == 404
    kiosk = {"Authorization": "Bearer demo-kiosk-token-foyer"}
    assert (await h.desk(desks["abh"][0], "call-next", kiosk)).status_code == 403
    admin = await h.login("admin")
    assert (await h.desk(desks["aa"][0], "call-next", admin)).status_code == 204


async def test_call_recall_start_finish_and_referral(harness: Harness) -> None:
    h = harness
    desks = await desks_by_agency(h)
    staff = await h.login("abh1")
    # With consent: without it, abh's answers would show only abh's own steps (the referred
    # language course is the language school's; tests/visits/test_compartments.py).
    visit = await h.check_in(needs=["residence"], residence_status="recognised", consent_share=True)
    code = desks["abh"][0]
    r = await h.desk(code, "call-next", staff)
    assert r.status_code == 200
    called = r.json()
    assert called["status"] == "called" and called["current"]["desk"] == code
    assert called["current"]["room"]
    # A second call-next while the visitor walks over is refused, naming the ticket.
    busy = await h.desk(code, "call-next", staff)
    assert busy.status_code == 409 and visit["ticket"] in busy.json()["detail"]
    assert (await h.desk(code, "recall", staff)).status_code == 200
    assert (await h.desk(code, "start", staff)).json()["status"] == "in_service"
    r = await h.desk(code, "finish", staff, resolved=["residence"], add_needs=["language_course"])
    assert r.status_code == 200, r.text
    after = r.json()
    assert {s["need"]: s["status"] for s in after["steps"]} == {
        "residence": "done",
        "language_course": "pending",
    }
    assert after["status"] == "waiting"
    types = await event_types(h)
    assert types[-3:] == ["visit.started", "visit.step_done", "visit.referred"]
    assert "visit.recalled" in types


async def test_finish_rejects_needs_the_visitor_does_not_have_here(harness: Harness) -> None:
    h = harness
    code = (await desks_by_agency(h))["abh"][0]
    staff = await h.login("abh1")
    await h.check_in(needs=["residence"])
    await h.desk(code, "call-next", staff)
    r = await h.desk(code, "finish", staff, resolved=["work"])
    assert r.status_code == 422 and "resolved[0]" in r.json()["detail"]
    assert "work" in r.json()["detail"]
    r = await h.desk(code, "finish", staff, add_needs=["teleport"])
    assert r.status_code == 422 and "add_needs[0]" in r.json()["detail"]
    # Nothing was half-applied: the visitor is still at the desk.
    r = await h.desk(code, "finish", staff, resolved=["residence"])
    assert r.status_code == 200 and r.json()["status"] == "done"


async def test_unresolved_needs_go_back_to_pending(harness: Harness) -> None:
    h = harness
    code = (await desks_by_agency(h))["abh"][0]
    staff = await h.login("abh1")
    await h.check_in(needs=["residence", "work_permit"])
    await h.desk(code, "call-next", staff)
    r = await h.desk(code, "finish", staff, resolved=["residence"])
    steps = {s["need"]: s["status"] for s in r.json()["steps"]}
    assert steps == {"residence": "done", "work_permit": "pending"}


async def test_no_show_requeues_once_then_ends_the_step(harness: Harness) -> None:
    h = harness
    code = (await desks_by_agency(h))["abh"][0]
    staff = await h.login("abh1")
    first = await h.check_in(needs=["residence"])
    h.clock.advance(1)
    second = await h.check_in(needs=["residence"])
    assert (await h.desk(code, "call-next", staff)).json()["id"] == first["id"]
    h.clock.advance(2)
    r = await h.desk(code, "no-show", staff)
    assert r.status_code == 200 and r.json()["steps"][0]["status"] == "pending"
    # Back at the end of the queue: the next call is the other visitor...
    assert (await h.desk(code, "call-next", staff)).json()["id"] == second["id"]
    await h.desk(code, "finish", staff, resolved=["residence"])
    # ...and the one who missed the call is callable again at once.
    assert (await h.desk(code, "call-next", staff)).json()["id"] == first["id"]
    r = await h.desk(code, "no-show", staff)
    assert r.json()["steps"][0]["status"] == "no_show"
    assert r.json()["status"] == "done"
    assert (await h.desk(code, "call-next", staff)).status_code == 204


async def test_a_visitor_is_never_called_to_two_desks(harness: Harness) -> None:
    h = harness
    desks = await desks_by_agency(h)
    admin = await h.login("admin")
    await h.check_in(needs=["counselling", "language_course"])
    a, b = await asyncio.gather(
        h.desk(desks["beratung"][0], "call-next", admin),
        h.desk(desks["sprache"][0], "call-next", admin),
    )
    assert sorted([a.status_code, b.status_code]) == [200, 204]


async def test_queue_lists_callable_visitors_in_call_order(harness: Harness) -> None:
    h = harness
    code = (await desks_by_agency(h))["abh"][0]
    staff = await h.login("abh1")
    early = await h.check_in(needs=["residence"])
    h.clock.advance(5)
    family = await h.check_in(needs=["residence"], priority={"children": True})
    h.clock.advance(5)
    late = await h.check_in(needs=["residence"])
    await h.check_in(needs=["counselling"])  # another agency: not in this queue
    r = await h.client.get(f"/api/v1/desks/{code}/queue", headers=staff)
    assert r.status_code == 200
    order = [v["id"] for v in r.json()]
    assert order == [family["id"], early["id"], late["id"]]
    assert r.json()[0]["reasons"]
    called = (await h.desk(code, "call-next", staff)).json()
    assert called["id"] == order[0]

"""Agencies working together at the desk: joint consultations, holds, referral reasons,
case conference and shared note (docs/api.md §6)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from app.desks.timers import run_due
from app.journal.models import Event
from tests.conftest import DISPLAY, Harness

pytestmark = pytest.mark.anyio

ABH, ABH2 = "r112", "r113"  # immigration office
JC, JC2 = "r114", "r115"  # Jobcenter
BERATUNG = "r204"  # migration counselling


async def events(h: Harness) -> list[Event]:
    async with h.db.read() as s:
        return list((await s.scalars(select(Event).order_by(Event.seq))).all())


async def serve(h: Harness, desk: str, staff: dict[str, str]) -> dict[str, Any]:
    """Call the next visitor to the desk and start: the visit as the desk sees it."""
    r = await h.desk(desk, "call-next", staff)
    assert r.status_code == 200, r.text
    r = await h.desk(desk, "start", staff)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def queue(h: Harness, desk: str, staff: dict[str, str]) -> list[dict[str, Any]]:
    r = await h.client.get(f"/api/v1/desks/{desk}/queue", headers=staff)
    assert r.status_code == 200, r.text
    return list(r.json())


async def ask(h: Harness, staff: dict[str, str], **body: Any) -> Any:
    return await h.client.post(f"/api/v1/desks/{ABH}/joint", json=body, headers=staff)


async def test_joint_consultation_from_request_to_each_desk_finishing(harness: Harness) -> None:
    h = harness
    abh, jc = await h.login("abh1"), await h.login("jobcenter1")
    visit = await h.check_in(needs=["residence"])
    await serve(h, ABH, abh)

    r = await ask(h, abh, agency="jobcenter", reason="Arbeitsaufnahme klären")
    assert r.status_code == 201, r.text
    req = r.json()
    assert req["status"] == "requested" and req["host_room"] and req["ticket"] == visit["ticket"]
    # Every Jobcenter desk sees the request; the immigration office's other desk does not.
    seen = await h.client.get(f"/api/v1/desks/{JC2}/joint", headers=jc)
    assert [j["id"] for j in seen.json()] == [req["id"]]
    assert seen.json()[0]["reason"] == "Arbeitsaufnahme klären"

    r = await h.desk(JC, f"joint/{req['id']}/accept", jc)
    assert r.status_code == 200, r.text
    joined = r.json()
    step = next(s for s in joined["steps"] if s["agency"] == "jobcenter")
    assert step["status"] == "in_service" and step["joint_host"] == ABH
    assert step["source"] == "joint"  # the visitor had no Jobcenter need before
    # The visitor, the phone and the display are told the host's room.
    assert joined["current"]["desk"] == ABH and joined["current"]["joint_with"] == ["jobcenter"]
    phone = (await h.client.get(f"/api/v1/visits/{visit['token']}")).json()
    assert phone["current"]["desk"] == ABH and phone["status"] == "in_service"
    display = (
        await h.client.get(
            "/api/v1/centers/lippe/display", headers={"Authorization": f"Bearer {DISPLAY}"}
        )
    ).json()
    assert [(c["ticket"], c["desk"]) for c in display["calls"]] == [(visit["ticket"], ABH)]

    # The joined desk is busy; nobody else may call the visitor meanwhile.
    r = await h.desk(JC, "call-next", jc)
    assert r.status_code == 409 and r.json()["code"] == "desk_busy"
    await h.check_in(needs=["residence"])
    r = await h.desk(ABH2, "call-next", abh)
    assert r.status_code == 200 and r.json()["ticket"] != visit["ticket"]

    # Each desk finishes its own step: the joined desk leaves, the host ends the visit.
    r = await h.desk(JC, "finish", jc, resolved=[step["need"]])
    assert r.status_code == 200 and r.json()["status"] == "in_service"
    assert (await h.desk(JC, "call-next", jc)).status_code == 204  # free again
    r = await h.desk(ABH, "finish", abh, resolved=["residence"])
    assert r.json()["status"] == "done"
    types = [e.type for e in await events(h)]
    assert (
        types.index("joint.requested") < types.index("joint.accepted") < types.index("joint.left")
    )
    # The reason is free text about the visitor: it stays out of the event log.
    assert not any("Arbeitsaufnahme" in str(e.data) for e in await events(h))


async def test_the_host_finishing_first_ends_the_joint_consultation(harness: Harness) -> None:
    h = harness
    abh, jc = await h.login("abh1"), await h.login("jobcenter1")
    await h.check_in(needs=["residence"])
    await serve(h, ABH, abh)
    req = (await ask(h, abh, agency="jobcenter", desk=JC)).json()
    # A specific desk was asked: another desk of the agency may not answer.
    r = await h.desk(JC2, f"joint/{req['id']}/accept", jc)
    assert r.status_code == 409 and r.json()["code"] == "joint_not_yours"
    assert (await h.desk(JC, f"joint/{req['id']}/accept", jc)).status_code == 200
    r = await h.desk(ABH, "finish", abh, resolved=["residence"])
    assert r.json()["status"] == "done"
    assert all(s["status"] == "done" for s in r.json()["steps"])
    last = (await events(h))[-3:]
    assert [e.type for e in last] == ["joint.left", "visit.step_done", "visit.done"]
    assert last[0].data["request"]["status"] == "ended"
    assert (await h.desk(JC, "call-next", jc)).status_code == 204


async def test_declined_withdrawn_and_lapsed_requests(harness: Harness) -> None:
    h = harness
    abh, jc = await h.login("abh1"), await h.login("jobcenter1")
    await h.check_in(needs=["residence"])
    await serve(h, ABH, abh)
    first = (await ask(h, abh, agency="jobcenter")).json()
    r = await h.desk(JC, f"joint/{first['id']}/decline", jc)
    assert r.status_code == 200 and r.json()["status"] == "declined"
    r = await h.desk(JC2, f"joint/{first['id']}/accept", jc)
    assert r.status_code == 409 and r.json()["code"] == "joint_closed"

    second = (await ask(h, abh, agency="jobcenter")).json()
    r = await h.desk(ABH, f"joint/{second['id']}/withdraw", abh)
    assert r.json()["status"] == "withdrawn"

    third = (await ask(h, abh, agency="jobcenter")).json()
    h.clock.advance(3)  # past the default 120 seconds
    assert await run_due(h.db, now=h.clock()) == 1
    assert (await events(h))[-1].type == "joint.lapsed"
    r = await h.desk(JC, f"joint/{third['id']}/accept", jc)
    assert r.status_code == 409 and r.json()["code"] == "joint_closed"
    assert (await h.client.get(f"/api/v1/desks/{JC}/joint", headers=jc)).json() == []
    assert await run_due(h.db, now=h.clock()) == 0  # nothing left to do


async def test_two_desks_accepting_at_once_exactly_one_joins(harness: Harness) -> None:
    h = harness
    abh, jc = await h.login("abh1"), await h.login("jobcenter1")
    await h.check_in(needs=["residence"])
    await serve(h, ABH, abh)
    req = (await ask(h, abh, agency="jobcenter")).json()
    answers = await asyncio.gather(
        h.desk(JC, f"joint/{req['id']}/accept", jc), h.desk(JC2, f"joint/{req['id']}/accept", jc)
    )
    assert sorted(r.status_code for r in answers) == [200, 409]
    loser = next(r for r in answers if r.status_code == 409)
    assert loser.json()["code"] == "joint_taken"
    accepted = [e for e in await events(h) if e.type == "joint.accepted"]
    assert len(accepted) == 1


async def test_bad_joint_requests_name_the_problem(harness: Harness) -> None:
    h = harness
    abh = await h.login("abh1")
    await h.check_in(needs=["residence"])
    r = await ask(h, abh, agency="jobcenter")
    assert r.status_code == 409 and r.json()["code"] == "no_visitor"
    await h.desk(ABH, "call-next", abh)
    r = await ask(h, abh, agency="jobcenter")  # called, not yet in service
    assert r.status_code == 409 and r.json()["code"] == "no_visitor"
    await h.desk(ABH, "start", abh)
    r = await ask(h, abh, agency="nowhere")
    assert r.status_code == 422 and r.json()["errors"][0]["value"] == "nowhere"
    r = await ask(h, abh, agency="jobcenter", desk="r116")  # an employment agency desk
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "desk"
    r = await ask(h, abh, agency="abh")
    assert r.status_code == 409 and r.json()["code"] == "same_agency"
    assert (await ask(h, abh, agency="jobcenter")).status_code == 201
    r = await ask(h, abh, agency="jobcenter")
    assert r.status_code == 409 and r.json()["code"] == "joint_pending"


async def test_a_joined_desk_may_leave_and_its_step_waits_again(harness: Harness) -> None:
    h = harness
    abh, jc = await h.login("abh1"), await h.login("jobcenter1")
    visit = await h.check_in(needs=["residence", "income"], residence_status="recognised")
    await serve(h, ABH, abh)
    req = (await ask(h, abh, agency="jobcenter")).json()
    joined = (await h.desk(JC, f"joint/{req['id']}/accept", jc)).json()
    income = next(s for s in joined["steps"] if s["need"] == "income")
    assert income["status"] == "in_service" and income["source"] == "checkin"
    r = await h.desk(JC, "leave", jc)
    assert r.status_code == 200
    income = next(s for s in r.json()["steps"] if s["need"] == "income")
    assert income["status"] == "pending" and income["joint_host"] is None
    r = await h.desk(JC, "leave", jc)
    assert r.status_code == 409  # nobody left to leave
    await h.desk(ABH, "finish", abh, resolved=["residence"])
    r = await h.desk(JC, "call-next", jc)
    assert r.status_code == 200 and r.json()["ticket"] == visit["ticket"]


async def test_a_held_step_keeps_its_place_and_is_called_once_released(harness: Harness) -> None:
    h = harness
    abh = await h.login("abh1")
    first = await h.check_in(needs=["residence"], language="ar")
    h.clock.advance(5)
    await h.desk(ABH, "call-next", abh)
    r = await h.desk(ABH, "hold", abh, reason="documents", note="Bitte Reisepass mitbringen")
    assert r.status_code == 200, r.text
    held = r.json()
    assert held["status"] == "waiting" and held["current"] is None
    assert held["steps"][0]["held_reason"] == "documents"
    # The visitor's phone says what to bring.
    phone = (await h.client.get(f"/api/v1/visits/{first['token']}")).json()
    assert phone["steps"][0]["held_note"] == "Bitte Reisepass mitbringen"

    second = await h.check_in(needs=["residence"])
    entries = await queue(h, ABH, abh)
    assert [(e["ticket"], e["callable"]) for e in entries] == [
        (second["ticket"], True),
        (first["ticket"], False),
    ]
    assert entries[1]["held"]["reason"] == "documents"
    r = await h.desk(ABH, "call-next", abh)
    assert r.json()["ticket"] == second["ticket"]  # the held visitor is skipped
    await h.desk(ABH, "finish", abh, resolved=["residence"])

    third = await h.check_in(needs=["residence"])
    r = await h.desk(ABH, "release", abh, visit_id=first["id"])
    assert r.status_code == 200
    r = await h.desk(ABH, "release", abh, visit_id=first["id"])
    assert r.status_code == 409 and r.json()["code"] == "not_held"
    # Released, the first visitor is ahead of the newer one: the hold kept the place.
    r = await h.desk(ABH, "call-next", abh)
    assert r.json()["ticket"] == first["ticket"] and third["ticket"] != first["ticket"]
    types = [e.type for e in await events(h)]
    assert "visit.held" in types and "visit.released" in types
    assert not any("Reisepass" in str(e.data) for e in await events(h))


async def test_a_hold_until_a_time_ends_by_itself(harness: Harness) -> None:
    h = harness
    abh = await h.login("abh1")
    visit = await h.check_in(needs=["residence"])
    await h.desk(ABH, "call-next", abh)
    r = await h.desk(ABH, "hold", abh, reason="interpreter", until="10:30")
    assert r.status_code == 200, r.text
    assert (await h.desk(ABH, "call-next", abh)).status_code == 204
    r = await h.desk(ABH, "hold", abh, reason="documents", until="11:00")
    assert r.status_code == 409  # no visitor at the desk any more
    h.clock.advance(31)
    # call-next ends holds that are due before it decides (the timer may not have run).
    r = await h.desk(ABH, "call-next", abh)
    assert r.status_code == 200 and r.json()["ticket"] == visit["ticket"]
    assert [e for e in await events(h) if e.type == "visit.released"]


async def test_bad_holds_are_refused(harness: Harness) -> None:
    h = harness
    abh = await h.login("abh1")
    await h.check_in(needs=["residence"])
    await h.desk(ABH, "call-next", abh)
    r = await h.desk(ABH, "hold", abh, reason="holiday")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = await h.desk(ABH, "hold", abh, reason="documents", until="09:00")
    assert r.status_code == 422 and "passed" in r.json()["detail"]
    r = await h.desk(ABH, "hold", abh, reason="documents", until="25:00")
    assert r.status_code == 422


async def test_a_referral_carries_its_reason_to_the_receiving_desk(harness: Harness) -> None:
    h = harness
    abh, beratung = await h.login("abh1"), await h.login("beratung1")
    visit = await h.check_in(needs=["residence"])
    await serve(h, ABH, abh)
    r = await h.desk(
        ABH,
        "finish",
        abh,
        resolved=["residence"],
        add_needs=["counselling"],
        refer_reason="Wohnungssuche, Familie mit drei Kindern",
    )
    assert r.status_code == 200, r.text
    entries = await queue(h, BERATUNG, beratung)
    assert entries[0]["ticket"] == visit["ticket"]
    assert entries[0]["referral"] == {
        "by_agency": "abh",
        "by_desk": ABH,
        "reason": "Wohnungssuche, Familie mit drei Kindern",
    }
    referred = [e for e in await events(h) if e.type == "visit.referred"]
    assert referred[0].data["from_agency"] == "abh"
    assert "Wohnungssuche" not in str(referred[0].data)


async def test_refer_during_the_consultation_keeps_the_visitor_at_the_desk(
    harness: Harness,
) -> None:
    h = harness
    abh = await h.login("abh1")
    # With consent, so the referring desk may see the other agency's new step.
    await h.check_in(needs=["residence"], consent_share=True)
    await serve(h, ABH, abh)
    r = await h.desk(ABH, "refer", abh, needs=["language_course"], reason="B1-Kurs gesucht")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "in_service" and body["current"]["desk"] == ABH
    assert [s["need"] for s in body["steps"]] == ["residence", "language_course"]
    r = await h.desk(ABH, "refer", abh, needs=["nothing"])
    assert r.status_code == 422 and r.json()["errors"][0]["value"] == "nothing"


async def test_case_conference_and_a_shared_note_only_with_consent(harness: Harness) -> None:
    h = harness
    abh, beratung = await h.login("abh1"), await h.login("beratung1")
    shy = await h.check_in(needs=["residence"], consent_share=False)
    open_ = await h.check_in(needs=["residence"], consent_share=True)
    base = f"/api/v1/desks/{ABH}/visits"
    r = await h.client.post(f"{base}/{shy['id']}/case-conference", json={"on": True}, headers=abh)
    assert r.status_code == 200
    r = await h.client.put(f"{base}/{shy['id']}/shared-note", json={"note": "x"}, headers=abh)
    assert r.status_code == 409 and r.json()["code"] == "no_consent"
    r = await h.client.put(
        f"{base}/{open_['id']}/shared-note", json={"note": "Fall mit Jobcenter"}, headers=abh
    )
    assert r.status_code == 204
    # An agency with no step in the visit is not involved.
    r = await h.client.post(
        f"/api/v1/desks/{BERATUNG}/visits/{open_['id']}/case-conference",
        json={"on": True},
        headers=beratung,
    )
    assert r.status_code == 403 and r.json()["code"] == "not_involved"
    types = [e.type for e in await events(h)]
    assert types.count("visit.case_conference") == 1 and types.count("visit.note_shared") == 1
    assert not any("Fall mit Jobcenter" in str(e.data) for e in await events(h))


async def test_the_referral_matrix_follows_from_the_events(harness: Harness) -> None:
    h = harness
    abh, admin = await h.login("abh1"), await h.login("admin")
    for _ in range(2):
        await h.check_in(needs=["residence"])
        await serve(h, ABH, abh)
        await h.desk(ABH, "finish", abh, resolved=["residence"], add_needs=["counselling"])
    r = await h.client.get("/api/v1/centers/lippe/referrals", headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["referrals"] == [{"from_agency": "abh", "to_agency": "beratung", "count": 2}]
    assert (await h.client.get("/api/v1/centers/lippe/referrals", headers=abh)).status_code == 403
    r = await h.client.get("/api/v1/centers/lippe/referrals?date=2020-01-01", headers=admin)
    assert r.json() == {"date": "2020-01-01", "referrals": []}

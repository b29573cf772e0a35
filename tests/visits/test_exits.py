"""Every way a visit ends (or a step of it), each checked where it shows: the desk, the
desk's queue, the visitor's phone (GET /api/v1/visits/{token}) and the waiting-room display.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from app.centers.models import Day
from app.desks.models import JointRequest
from app.visits.models import IdempotencyKey, Step, Visit
from app.visits.retention import PURGED, purge
from tests.conftest import DISPLAY, TEST_DAY, Harness

pytestmark = pytest.mark.anyio

ABH, ABH2 = "r112", "r113"  # immigration office
JC = "r114"  # Jobcenter
SPRACHE = "r206"  # language school
ANERKENNUNG_ABSENT = [
    "abh",
    "jobcenter",
    "aa",
    "kim",
    "tm_mitte",
    "tm_kreis",
    "beratung",
    "sprache",
]


@dataclass
class Seen:
    phone: dict[str, Any]
    desk_current: str | None
    desk_state: str
    queue: list[str]
    calls: list[tuple[str, str]]
    waiting: list[str]


async def seen(h: Harness, visit: dict[str, Any], desk: str, staff: dict[str, str]) -> Seen:
    phone = await h.client.get(f"/api/v1/visits/{visit['token']}")
    assert phone.status_code == 200, phone.text
    status = await h.client.get(f"/api/v1/desks/{desk}", headers=staff)
    assert status.status_code == 200, status.text
    queue = await h.client.get(f"/api/v1/desks/{desk}/queue", headers=staff)
    assert queue.status_code == 200, queue.text
    display = await h.client.get(
        "/api/v1/centers/lippe/display", headers={"Authorization": f"Bearer {DISPLAY}"}
    )
    assert display.status_code == 200, display.text
    current = status.json()["current"]
    return Seen(
        phone=phone.json(),
        desk_current=current["id"] if current else None,
        desk_state=status.json()["state"],
        queue=[q["id"] for q in queue.json()],
        calls=[(c["ticket"], c["desk"]) for c in display.json()["calls"]],
        waiting=list(display.json()["waiting"]),
    )


def gone(s: Seen, visit: dict[str, Any], *, status: str) -> None:
    """The visit has left every screen: the desk is free, nobody lists it any more."""
    assert s.phone["status"] == status
    assert s.phone["current"] is None
    assert s.desk_current is None
    assert visit["id"] not in s.queue
    assert visit["ticket"] not in [t for t, _ in s.calls]
    assert visit["ticket"] not in s.waiting


async def staff_and_visit(h: Harness, **body: Any) -> tuple[dict[str, str], dict[str, Any]]:
    body.setdefault("needs", ["residence"])
    body.setdefault("residence_status", "recognised")
    return await h.login("abh1"), await h.check_in(**body)


async def call(h: Harness, desk: str, staff: dict[str, str], visit: dict[str, Any]) -> None:
    r = await h.desk(desk, "call-next", staff)
    assert r.status_code == 200 and r.json()["id"] == visit["id"], r.text


async def cancel(h: Harness, visit: dict[str, Any], **kw: Any) -> dict[str, Any]:
    r = await h.client.post(f"/api/v1/visits/{visit['token']}/cancel", **kw)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_cancel_while_called_frees_the_desk(harness: Harness) -> None:
    h = harness
    staff, visit = await staff_and_visit(h)
    await call(h, ABH, staff, visit)
    before = await seen(h, visit, ABH, staff)
    assert before.desk_current == visit["id"] and (visit["ticket"], ABH) in before.calls
    out = await cancel(h, visit)
    assert [s["status"] for s in out["steps"]] == ["cancelled"]
    gone(await seen(h, visit, ABH, staff), visit, status="cancelled")
    # Free: the desk calls the next visitor at once, no desk_busy.
    other = await h.check_in(needs=["residence"])
    await call(h, ABH, staff, other)
    # And a second cancel says the visit has ended.
    r = await h.client.post(f"/api/v1/visits/{visit['token']}/cancel")
    assert r.status_code == 409 and r.json()["code"] == "visit_ended", r.text


async def test_cancel_while_in_service_frees_the_desk(harness: Harness) -> None:
    h = harness
    staff, visit = await staff_and_visit(h, needs=["residence", "work"])
    await call(h, ABH, staff, visit)
    assert (await h.desk(ABH, "start", staff)).status_code == 200
    out = await cancel(h, visit)
    assert {s["status"] for s in out["steps"]} == {"cancelled"}
    gone(await seen(h, visit, ABH, staff), visit, status="cancelled")
    # Nobody left for the other agency either, and finish at the freed desk says so.
    jc = await h.login("jobcenter1")
    assert (await h.desk(JC, "call-next", jc)).status_code == 204
    r = await h.desk(ABH, "finish", staff, resolved=["residence"])
    assert r.status_code == 409 and r.json()["code"] == "no_visitor", r.text


async def test_staff_cancel_of_a_waiting_visitor(harness: Harness) -> None:
    h = harness
    staff, visit = await staff_and_visit(h)
    assert visit["id"] in (await seen(h, visit, ABH, staff)).queue
    await cancel(h, visit, headers=staff, json={"reason": "left the building"})
    gone(await seen(h, visit, ABH, staff), visit, status="cancelled")
    assert (await h.desk(ABH, "call-next", staff)).status_code == 204


async def test_cancel_from_the_phone_page_as_it_sends_it(harness: Harness) -> None:
    h = harness
    staff, visit = await staff_and_visit(h)
    await call(h, ABH, staff, visit)
    # visit/visit.js: POST without a body and without credentials, JSON content type.
    r = await h.client.post(
        f"/api/v1/visits/{visit['token']}/cancel",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    assert r.status_code == 200, r.text
    gone(await seen(h, visit, ABH, staff), visit, status="cancelled")


async def test_closing_a_desk_that_still_has_a_visitor_is_refused(harness: Harness) -> None:
    h = harness
    staff, visit = await staff_and_visit(h)
    await call(h, ABH, staff, visit)
    for step in ("called", "in_service"):
        r = await h.desk(ABH, "close", staff)
        assert r.status_code == 409 and r.json()["code"] == "desk_busy", (step, r.text)
        s = await seen(h, visit, ABH, staff)
        assert s.desk_current == visit["id"] and s.desk_state == "open"
        assert s.phone["current"]["desk"] == ABH and s.phone["status"] == step
        await h.desk(ABH, "start", staff)
    assert (await h.desk(ABH, "finish", staff, resolved=["residence"])).status_code == 200
    r = await h.desk(ABH, "close", staff)
    assert r.status_code == 200 and r.json()["state"] == "closed", r.text
    gone(await seen(h, visit, ABH, staff), visit, status="done")


async def test_final_no_show_with_other_steps_pending(harness: Harness) -> None:
    h = harness
    staff, visit = await staff_and_visit(h, needs=["residence", "work"])
    await call(h, ABH, staff, visit)
    first = await h.desk(ABH, "no-show", staff)
    assert first.status_code == 200, first.text
    s = await seen(h, visit, ABH, staff)
    assert s.desk_current is None and s.queue == [visit["id"]]  # back, callable at once
    assert s.phone["status"] == "waiting" and visit["ticket"] in s.waiting
    await call(h, ABH, staff, visit)
    assert (await h.desk(ABH, "no-show", staff)).status_code == 200
    s = await seen(h, visit, ABH, staff)
    steps = {st["need"]: st["status"] for st in s.phone["steps"]}
    assert steps == {"residence": "no_show", "work": "pending"}
    # Not over: the work step is theirs still, and callable now that residence ended.
    assert s.phone["status"] == "waiting" and s.desk_current is None and s.queue == []
    assert visit["ticket"] in s.waiting and s.calls == []
    jc = await h.login("jobcenter1")
    await call(h, JC, jc, visit)
    assert (await h.desk(JC, "finish", jc, resolved=["work"])).status_code == 200
    gone(await seen(h, visit, JC, jc), visit, status="done")


async def test_referral_to_an_agency_absent_today_as_the_last_step(harness: Harness) -> None:
    h = harness
    async with h.db.write() as session:
        await session.execute(
            update(Day).where(Day.date == TEST_DAY).values(agencies=ANERKENNUNG_ABSENT)
        )
    staff, visit = await staff_and_visit(h, consent_share=True)
    await call(h, ABH, staff, visit)
    r = await h.desk(ABH, "finish", staff, resolved=["residence"], add_needs=["recognition"])
    assert r.status_code == 200, r.text
    s = await seen(h, visit, ABH, staff)
    gone(s, visit, status="done")  # nothing left today: the visit is over ...
    [entry] = s.phone["unavailable"]  # ... and the phone says when recognition is served
    assert entry["need"] == "recognition" and entry["next_date"] > TEST_DAY.isoformat()


async def test_cancel_during_a_joint_consultation_frees_both_desks(harness: Harness) -> None:
    h = harness
    staff, visit = await staff_and_visit(h)
    jc = await h.login("jobcenter1")
    await call(h, ABH, staff, visit)
    assert (await h.desk(ABH, "start", staff)).status_code == 200
    r = await h.client.post(
        f"/api/v1/desks/{ABH}/joint", json={"agency": "jobcenter"}, headers=staff
    )
    assert r.status_code == 201, r.text
    req = r.json()
    assert (await h.desk(JC, f"joint/{req['id']}/accept", jc)).status_code == 200
    assert (await seen(h, visit, JC, jc)).desk_current == visit["id"]

    out = await cancel(h, visit)
    assert {s["status"] for s in out["steps"]} == {"cancelled"}
    gone(await seen(h, visit, ABH, staff), visit, status="cancelled")
    gone(await seen(h, visit, JC, jc), visit, status="cancelled")
    # Both desks are free: each calls its next visitor.
    nxt = await h.check_in(needs=["residence", "work"], residence_status="recognised")
    await call(h, ABH, staff, nxt)
    other = await h.check_in(needs=["work"], residence_status="recognised")
    await call(h, JC, jc, other)


async def test_hold_then_cancel(harness: Harness) -> None:
    h = harness
    staff, visit = await staff_and_visit(h)
    await call(h, ABH, staff, visit)
    r = await h.desk(ABH, "hold", staff, reason="documents", note="Pass mitbringen")
    assert r.status_code == 200, r.text
    s = await seen(h, visit, ABH, staff)
    assert s.desk_current is None and s.queue == [visit["id"]]  # listed, not callable
    assert s.phone["steps"][0]["held_reason"] == "documents"
    assert (await h.desk(ABH, "call-next", staff)).status_code == 204
    out = await cancel(h, visit)
    assert [st["status"] for st in out["steps"]] == ["cancelled"]
    gone(await seen(h, visit, ABH, staff), visit, status="cancelled")
    r = await h.desk(ABH, "release", staff, visit_id=visit["id"])
    assert r.status_code in (404, 409), r.text  # nothing held any more
    assert (await seen(h, visit, ABH, staff)).queue == []


async def test_cancel_during_a_joint_consultation_ends_the_request(harness: Harness) -> None:
    h = harness
    staff, visit = await staff_and_visit(h)
    jc = await h.login("jobcenter1")
    await call(h, ABH, staff, visit)
    assert (await h.desk(ABH, "start", staff)).status_code == 200
    r = await h.client.post(
        f"/api/v1/desks/{ABH}/joint", json={"agency": "jobcenter"}, headers=staff
    )
    assert (await h.desk(JC, f"joint/{r.json()['id']}/accept", jc)).status_code == 200
    await cancel(h, visit)
    async with h.db.read() as session:
        joint = await session.get(JointRequest, r.json()["id"])
        assert joint is not None
        assert joint.status == "ended", joint.status


# The purge: every personal field it promises to erase (app/visits/retention.py).

VISITOR_ANSWERS = {
    "residence_status": "tolerated",
    "municipality": "Lügde",
    "age": 34,
    "leave_by": "14:30",
    "consent_share": True,
    "invitation_code": "INV-7",
}


async def purged_day(h: Harness) -> tuple[dict[str, Any], int]:
    """A visit with every personal field filled, a joint request, a hold, a referral with
    a reason, a shared note and staff notes; then the purge of that day."""
    staff = await h.login("abh1")
    jc = await h.login("jobcenter1")
    visit = await h.check_in(
        needs=["residence"], headers={"Idempotency-Key": "purge-key"}, **VISITOR_ANSWERS
    )
    await call(h, ABH, staff, visit)
    assert (await h.desk(ABH, "start", staff)).status_code == 200
    r = await h.client.put(
        f"/api/v1/desks/{ABH}/visits/{visit['id']}/shared-note",
        json={"note": "Familie Muster, drei Kinder"},
        headers=staff,
    )
    assert r.status_code in (200, 204), r.text
    r = await h.client.post(
        f"/api/v1/desks/{ABH}/joint",
        json={"agency": "jobcenter", "reason": "Arbeitsvertrag von Frau Muster"},
        headers=staff,
    )
    assert r.status_code == 201, r.text
    assert (await h.desk(JC, f"joint/{r.json()['id']}/accept", jc)).status_code == 200
    assert (await h.desk(JC, "finish", jc, resolved=[], note="jc note")).status_code == 200
    r = await h.desk(
        ABH,
        "finish",
        staff,
        resolved=["residence"],
        add_needs=["language_course"],
        refer_reason="spricht kaum Deutsch",
        note="brought passport",
    )
    assert r.status_code == 200, r.text
    # The language school puts them on hold: the note stays with the held step.
    sprache = await h.login("sprache1")
    await call(h, SPRACHE, sprache, visit)
    r = await h.desk(SPRACHE, "hold", sprache, reason="documents", note="Pass mitbringen")
    assert r.status_code == 200, r.text
    h.clock.advance(60 * 24)
    return visit, await purge(h.db, before=TEST_DAY + timedelta(days=1), now=h.clock())


async def test_purge_erases_the_visitors_answers(harness: Harness) -> None:
    h = harness
    visit, count = await purged_day(harness)
    assert count == 1
    async with h.db.read() as s:
        row = await s.scalar(select(Visit).where(Visit.id == visit["id"]))
        assert row is not None
        assert row.token.startswith(PURGED) and visit["token"] not in row.token
        for field in VISITOR_ANSWERS:
            assert getattr(row, field) in (None, False), field
        assert await s.scalar(select(IdempotencyKey)) is None
        notes = (await s.scalars(select(Step.note).where(Step.visit_id == visit["id"]))).all()
        assert set(notes) == {None}
    assert (await h.client.get(f"/api/v1/visits/{visit['token']}")).status_code == 404


async def test_purge_erases_the_staff_free_text(harness: Harness) -> None:
    h = harness
    visit, _ = await purged_day(harness)
    async with h.db.read() as s:
        row = await s.scalar(select(Visit).where(Visit.id == visit["id"]))
        assert row is not None
        left = {"shared_note": row.shared_note}
        steps = (await s.scalars(select(Step).where(Step.visit_id == visit["id"]))).all()
        left["held_note"] = next((st.held_note for st in steps if st.held_note), None)
        left["referral_reason"] = next(
            (st.referral_reason for st in steps if st.referral_reason), None
        )
        reasons = (
            await s.scalars(select(JointRequest.reason).where(JointRequest.visit_id == visit["id"]))
        ).all()
        left["joint_reason"] = next((r for r in reasons if r), None)
    assert left == dict.fromkeys(left), left

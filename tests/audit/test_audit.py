"""The audit log: every read of a visitor's personal data and every change, with who,
when, which desk and which visit; admins view and export it; its own retention."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.audit.service import purge
from tests.conftest import Harness

pytestmark = pytest.mark.anyio

ANSWERS = {"residence_status": "tolerated", "municipality": "Lügde", "age": 34}


async def entries(h: Harness) -> list[AuditEntry]:
    async with h.db.read() as session:
        return list((await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all())


async def test_each_read_of_personal_fields_is_recorded(harness: Harness) -> None:
    h = harness
    shared = await h.check_in(needs=["residence"], consent_share=True, **ANSWERS)
    private = await h.check_in(needs=["residence"], consent_share=False, **ANSWERS)
    abh = await h.login("abh1")
    for _ in range(2):  # each read, not each visitor once
        assert (await h.client.get("/api/v1/desks/r112/queue", headers=abh)).status_code == 200
    reads = [e for e in await entries(h) if e.action == "read"]
    # The consenting visitor's answers were shown twice; the other's never were.
    assert [e.visit_id for e in reads] == [shared["id"], shared["id"]]
    first = reads[0]
    assert (first.actor, first.role, first.agency, first.desk) == ("abh1", "staff", "abh", "r112")
    assert first.ticket == shared["ticket"]
    assert first.fields == ["residence_status", "municipality", "age"]
    assert first.at == h.clock.now
    # The card is recorded whatever it shows, and names fields, never values.
    r = await h.client.get(f"/api/v1/desks/r112/visits/{private['id']}", headers=abh)
    assert r.status_code == 200
    card = (await entries(h))[-1]
    assert (card.action, card.visit_id, card.fields) == ("card", private["id"], [])
    assert "tolerated" not in str([(e.fields, e.ticket, e.actor) for e in await entries(h)])


async def test_a_desk_action_records_who_changed_the_visit_and_what_it_showed(
    harness: Harness,
) -> None:
    h = harness
    visit = await h.check_in(needs=["residence"], consent_share=True, **ANSWERS)
    abh = await h.login("abh1")
    assert (await h.desk("r112", "call-next", abh)).status_code == 200
    change, read = (await entries(h))[-2:]
    assert (change.action, change.actor, change.desk, change.visit_id) == (
        "change",
        "abh1",
        "r112",
        visit["id"],
    )
    assert "visit.called" in change.fields
    assert read.action == "read" and read.visit_id == visit["id"]


async def test_admins_view_filter_and_export_and_the_export_is_audited(harness: Harness) -> None:
    h = harness
    visit = await h.check_in(needs=["residence"], consent_share=True, **ANSWERS)
    abh = await h.login("abh1")
    await h.client.get(f"/api/v1/desks/r112/visits/{visit['id']}", headers=abh)
    await h.client.get("/api/v1/desks/r112/queue", headers=abh)
    admin = await h.login("admin")
    assert (await h.client.get("/api/v1/centers/lippe/audit", headers=abh)).status_code == 403
    page = (
        await h.client.get("/api/v1/centers/lippe/audit", params={"action": "card"}, headers=admin)
    ).json()
    assert page["total"] == 1 and page["entries"][0]["visit_id"] == visit["id"]
    day = h.clock.now.date().isoformat()
    page = (
        await h.client.get(
            "/api/v1/centers/lippe/audit",
            params={"from": day, "to": day, "actor": "abh1"},
            headers=admin,
        )
    ).json()
    assert page["total"] == 2 and page["entries"][0]["action"] == "read"  # newest first
    bad = await h.client.get(
        "/api/v1/centers/lippe/audit", params={"from": day, "to": "2000-01-01"}, headers=admin
    )
    assert bad.status_code == 422
    export = await h.client.get(
        "/api/v1/centers/lippe/audit.csv", params={"visit_id": visit["id"]}, headers=admin
    )
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows: list[dict[str, Any]] = list(csv.DictReader(io.StringIO(export.text)))
    assert {r["action"] for r in rows} == {"card", "read"} and rows[0]["actor"] == "abh1"
    last = (await entries(h))[-1]
    assert (last.action, last.actor, last.role, last.visit_id) == (
        "export",
        "admin",
        "admin",
        visit["id"],
    )
    assert last.fields == [f"visit_id={visit['id']}"]


async def test_the_audit_log_has_its_own_retention(harness: Harness) -> None:
    h = harness
    visit = await h.check_in(needs=["residence"])
    abh = await h.login("abh1")
    await h.client.get(f"/api/v1/desks/r112/visits/{visit['id']}", headers=abh)
    assert await purge(h.db, before=h.clock.now) == 0
    assert await purge(h.db, before=h.clock.now + timedelta(seconds=1)) == 1
    assert await entries(h) == []


async def test_the_visit_purge_drops_what_staff_wrote_but_the_audit_log_stays(
    harness: Harness,
) -> None:
    from sqlalchemy import update

    from app.visits.models import Step, Visit
    from app.visits.retention import purge as purge_visits

    h = harness
    visit = await h.check_in(needs=["residence"], consent_share=True)
    abh = await h.login("abh1")
    await h.client.get(f"/api/v1/desks/r112/visits/{visit['id']}", headers=abh)
    async with h.db.write() as session:
        await session.execute(
            update(Visit).where(Visit.id == visit["id"]).values(shared_note="Absprache ABH/AA")
        )
        await session.execute(
            update(Step)
            .where(Step.visit_id == visit["id"])
            .values(note="n", held_note="Pass mitbringen", referral_reason="r")
        )
    tomorrow = h.clock.now.date() + timedelta(days=1)
    assert await purge_visits(h.db, before=tomorrow, now=h.clock.now) == 1
    async with h.db.read() as session:
        row = await session.get(Visit, visit["id"])
        assert row is not None and row.shared_note is None
        steps = (await session.scalars(select(Step).where(Step.visit_id == visit["id"]))).all()
        assert {(s.note, s.held_note, s.referral_reason) for s in steps} == {(None, None, None)}
    assert [e.action for e in await entries(h)] == ["card"]

"""Devices paired once and revoked at once; staff passwords reset and accounts disabled."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.journal.models import Event
from tests.conftest import KIOSK, Harness

pytestmark = pytest.mark.anyio
BASE = "/api/v1/admin/centers/lippe"


def code_of(created: dict) -> str:
    return created["pairing"]["url"].split("#code=", 1)[1]


async def test_a_kiosk_pairs_once_and_its_token_is_never_shown_again(harness: Harness) -> None:
    admin = await harness.login("admin")
    r = await harness.client.post(
        f"{BASE}/devices", json={"name": "kiosk-luegde", "kind": "kiosk"}, headers=admin
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["device"]["pairing_pending"] is True
    assert created["pairing"]["qr_svg"].startswith("data:image/svg+xml")
    code = code_of(created)
    r = await harness.client.post("/api/v1/devices/pair", json={"code": code})
    assert r.status_code == 200, r.text
    paired = r.json()
    assert paired["kind"] == "kiosk" and paired["start"] == "/kiosk/?center=lippe"
    token = {"Authorization": f"Bearer {paired['token']}"}
    await harness.check_in(headers=token, needs=["work"])
    # The code is spent: a second device (or a replay) gets nothing.
    again = await harness.client.post("/api/v1/devices/pair", json={"code": code})
    assert again.status_code == 401 and again.json()["code"] == "pairing_invalid"
    listed = (await harness.client.get(f"{BASE}/devices", headers=admin)).json()
    mine = next(d for d in listed if d["name"] == "kiosk-luegde")
    assert mine["pairing_pending"] is False
    # Neither the token nor the code is in the list, the events or the audit log.
    async with harness.db.read() as session:
        events = [e.data for e in await session.scalars(select(Event))]
        audit = [e.fields for e in await session.scalars(select(AuditEntry))]
    for text in (str(listed), str(events), str(audit)):
        assert paired["token"] not in text and code not in text
    assert ["devices.kiosk-luegde.created", "kind"] in audit


async def test_a_revoked_kiosk_is_refused_at_once(harness: Harness) -> None:
    admin = await harness.login("admin")
    kiosk = {"Authorization": f"Bearer {KIOSK}"}
    await harness.check_in(headers=kiosk, needs=["work"])
    r = await harness.client.delete(f"{BASE}/devices/kiosk-foyer", headers=admin)
    assert r.status_code == 204
    r = await harness.client.post(
        "/api/v1/centers/lippe/visits", json={"language": "de", "needs": ["work"]}, headers=kiosk
    )
    assert r.status_code == 401
    gone = await harness.client.delete(f"{BASE}/devices/kiosk-foyer", headers=admin)
    assert gone.status_code == 404 and gone.json()["code"] == "unknown_device"


async def test_device_names_follow_the_config_file(harness: Harness) -> None:
    admin = await harness.login("admin")
    r = await harness.client.post(
        f"{BASE}/devices", json={"name": "Kiosk Foyer!", "kind": "kiosk"}, headers=admin
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "name"
    r = await harness.client.post(
        f"{BASE}/devices", json={"name": "tv", "kind": "toaster"}, headers=admin
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kind"
    r = await harness.client.post(
        f"{BASE}/devices", json={"name": "kiosk-foyer", "kind": "kiosk"}, headers=admin
    )
    assert r.status_code == 409 and r.json()["code"] == "device_exists"


async def test_a_password_reset_ends_sessions_and_the_generated_one_works(
    harness: Harness,
) -> None:
    admin = await harness.login("admin")
    staff = await harness.login("abh1")
    r = await harness.client.post(f"{BASE}/users/abh1/password", json={}, headers=admin)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["sessions_ended"] == 1 and len(body["password"]) == 19
    assert (await harness.client.get("/api/v1/auth/me", headers=staff)).status_code == 401
    await harness.login("abh1", body["password"])
    short = await harness.client.post(
        f"{BASE}/users/abh1/password", json={"password": "short"}, headers=admin
    )
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "password"
    r = await harness.client.post(
        f"{BASE}/users/abh1/password", json={"password": "a-long-new-secret"}, headers=admin
    )
    assert r.json()["password"] is None
    await harness.login("abh1", "a-long-new-secret")


async def test_staff_are_created_by_the_config_files_rules_and_disabled(
    harness: Harness,
) -> None:
    admin = await harness.login("admin")
    bad = await harness.client.post(
        f"{BASE}/users", json={"username": "abh2", "role": "staff"}, headers=admin
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "agency"
    taken = await harness.client.post(
        f"{BASE}/users", json={"username": "aa1", "role": "staff", "agency": "aa"}, headers=admin
    )
    assert taken.status_code == 409 and taken.json()["code"] == "user_exists"
    r = await harness.client.post(
        f"{BASE}/users", json={"username": "abh2", "role": "staff", "agency": "abh"}, headers=admin
    )
    assert r.status_code == 201, r.text
    password = r.json()["password"]
    await harness.login("abh2", password)
    r = await harness.client.post(f"{BASE}/users/abh2/disable", headers=admin)
    assert r.status_code == 200 and r.json()["sessions_ended"] == 1
    refused = await harness.client.post(
        "/api/v1/auth/login", json={"username": "abh2", "password": password}
    )
    assert refused.status_code == 401
    users = (await harness.client.get(f"{BASE}/users", headers=admin)).json()["users"]
    assert next(u for u in users if u["username"] == "abh2")["enabled"] is False
    own = await harness.client.post(f"{BASE}/users/admin/disable", headers=admin)
    assert own.status_code == 409 and own.json()["code"] == "own_account"
    # Another center's user is not this admin's to touch.
    other = await harness.client.post(f"{BASE}/users/herford_abh1/disable", headers=admin)
    assert other.status_code == 404


async def test_a_pairing_code_raced_by_two_devices_pairs_one(harness: Harness) -> None:
    admin = await harness.login("admin")
    r = await harness.client.post(
        f"{BASE}/devices", json={"name": "tv-2", "kind": "display"}, headers=admin
    )
    code = code_of(r.json())
    answers = await asyncio.gather(
        *(harness.client.post("/api/v1/devices/pair", json={"code": code}) for _ in range(4))
    )
    assert sorted(a.status_code for a in answers) == [200, 401, 401, 401]


async def test_configuration_changes_are_in_the_audit_log_by_name_only(harness: Harness) -> None:
    admin = await harness.login("admin")
    await harness.client.post(
        f"{BASE}/devices", json={"name": "tv-3", "kind": "display"}, headers=admin
    )
    r = await harness.client.post(f"{BASE}/users/aa1/password", json={}, headers=admin)
    password = r.json()["password"]
    r = await harness.client.get("/api/v1/centers/lippe/audit?action=config", headers=admin)
    assert r.status_code == 200, r.text
    entries = r.json()["entries"]
    assert [e["fields"][0] for e in entries[:2]] == [
        "users.aa1.password_reset",
        "devices.tv-3.created",
    ]
    assert all(e["actor"] == "admin" and e["action"] == "config" for e in entries[:2])
    assert password not in r.text


async def test_an_expired_or_guessed_pairing_code_opens_nothing(harness: Harness) -> None:
    admin = await harness.login("admin")
    r = await harness.client.post(
        f"{BASE}/devices", json={"name": "tv-4", "kind": "display"}, headers=admin
    )
    code = code_of(r.json())
    guessed = await harness.client.post("/api/v1/devices/pair", json={"code": "x" * 43})
    assert guessed.status_code == 401 and guessed.json()["code"] == "pairing_invalid"
    empty = await harness.client.post("/api/v1/devices/pair", json={"code": ""})
    assert empty.status_code == 422
    harness.clock.advance(24 * 60 + 1)  # the link lasts a day
    late = await harness.client.post("/api/v1/devices/pair", json={"code": code})
    assert late.status_code == 401 and late.json()["code"] == "pairing_invalid"

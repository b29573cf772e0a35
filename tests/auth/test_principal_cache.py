"""Callers resolved a moment ago (app/auth/principal_cache.py): a repeat request reads no
user, device or session row, and every change to them takes effect on the next request."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, update

from app.auth.models import StaffToken, User
from app.auth.principal import Principal
from app.auth.principal_cache import PrincipalCache
from app.kinds import PrincipalKind
from tests.conftest import KIOSK, Harness
from tests.sqlcount import count_statements

pytestmark = pytest.mark.anyio

AUTH_TABLES = ("users", "staff_tokens", "devices")


async def me(h: Harness, headers: dict[str, str]) -> tuple[int, str]:
    r = await h.client.get("/api/v1/auth/me", headers=headers)
    return r.status_code, r.json().get("code", "") if r.status_code != 200 else ""


async def test_a_repeat_request_reads_no_user_device_or_session_row(harness: Harness) -> None:
    h = harness
    staff = await h.login("abh1")
    kiosk = {"Authorization": f"Bearer {KIOSK}"}
    for headers in (staff, kiosk):
        assert (await me(h, headers))[0] == 200
        with count_statements(h.db.engine) as sql:
            assert (await me(h, headers))[0] == 200
        assert [t for table in AUTH_TABLES for t in sql.touching(table)] == []


async def test_logout_right_after_a_request_ends_the_session_at_once(harness: Harness) -> None:
    h = harness
    staff = await h.login("abh1")
    assert await me(h, staff) == (200, "")
    r = await h.client.post("/api/v1/auth/logout", headers=staff)
    assert r.status_code == 204
    assert await me(h, staff) == (401, "not_authenticated")


async def test_a_change_written_outside_the_routes_counts_at_once(harness: Harness) -> None:
    h = harness
    staff = await h.login("abh1")
    assert await me(h, staff) == (200, "")
    async with h.db.write() as session:
        await session.execute(update(User).where(User.username == "abh1").values(role="lead"))
    r = await h.client.get("/api/v1/auth/me", headers=staff)
    assert r.status_code == 200 and r.json()["role"] == "lead", r.text
    async with h.db.write() as session:
        await session.execute(delete(StaffToken))
    assert await me(h, staff) == (401, "not_authenticated")


async def test_a_change_during_a_lookup_keeps_the_lookup_out_of_the_cache() -> None:
    cache = PrincipalCache()
    caller = Principal(kind=PrincipalKind.KIOSK, center_id=1, name="kiosk", device_id=1)
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    started = cache.generation
    cache.forget_all()  # a logout commits while the lookup reads the old row
    cache.put("d", caller, generation=started, active_at=None, expires_at=None)
    assert cache.get("d", now=now, idle=None) is None
    cache.put("d", caller, generation=cache.generation, active_at=None, expires_at=None)
    assert cache.get("d", now=now, idle=None) == cache.get("d", now=now, idle=None)
    assert cache.get("d", now=now, idle=None) is not None

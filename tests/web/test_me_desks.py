"""GET /api/v1/me/desks: the desks a signed-in staff member may work at."""

from __future__ import annotations

import pytest

from app.web.routes import include
from tests.conftest import DISPLAY, KIOSK, Harness

pytestmark = pytest.mark.anyio


async def test_staff_see_their_agencys_desks_and_admins_all(harness: Harness) -> None:
    include(harness.app)
    count = len(harness.app.router.routes)
    include(harness.app)  # idempotent: a second include adds nothing
    assert len(harness.app.router.routes) == count

    staff = await harness.login("abh1")
    r = await harness.client.get("/api/v1/me/desks", headers=staff)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["center"] == {"slug": "lippe", "name": "Welcome-Center Kreis Lippe"}
    assert [d["code"] for d in body["desks"]] == ["r112", "r113"]
    assert body["desks"][0]["room"] == "Raum 1.12"
    assert body["desks"][0]["agency"] == "abh"

    admin = await harness.login("admin")
    r = await harness.client.get("/api/v1/me/desks", headers=admin)
    assert len(r.json()["desks"]) == 12


@pytest.mark.parametrize("token", [KIOSK, DISPLAY, None])
async def test_devices_and_anonymous_callers_get_no_desk_list(
    harness: Harness, token: str | None
) -> None:
    include(harness.app)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    r = await harness.client.get("/api/v1/me/desks", headers=headers)
    assert r.status_code == (403 if token else 401)
    assert r.headers["content-type"].startswith("application/problem+json")

"""Who may do what: every route against every kind of caller."""

from __future__ import annotations

import pytest

from app.centers.loader import load_config_file
from tests.auth.matrix import (
    CALLERS,
    CREDENTIAL_ROUTES,
    HTTP,
    LEAD,
    LEAD_SOCKETS,
    SOCKETS,
    app_routes,
    lead_expects,
)
from tests.conftest import DISPLAY, KIOSK, Harness

pytestmark = pytest.mark.anyio


async def headers_for(h: Harness, caller: str) -> dict[str, str]:
    if caller == "anonymous":
        return {}
    if caller == "kiosk":
        return {"Authorization": f"Bearer {KIOSK}"}
    if caller == "display":
        return {"Authorization": f"Bearer {DISPLAY}"}
    return await h.login(caller)


def test_every_route_and_socket_has_a_row() -> None:
    """A new endpoint without a row in the matrix fails here, before it ships unchecked."""
    covered = {(m, template) for m, template, _, _ in HTTP}
    covered |= {("WS", template) for template, _, _ in SOCKETS}
    covered |= set(CREDENTIAL_ROUTES)
    missing = app_routes() - covered
    assert not missing, f"routes without a row in tests/auth/matrix.py: {sorted(missing)}"
    stale = covered - app_routes()
    assert not stale, f"rows for routes that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize(
    ("method", "path", "expected"), [(m, path, expected) for m, _, path, expected in HTTP]
)
async def test_authorisation_matrix(
    harness: Harness, method: str, path: str, expected: tuple[int, ...]
) -> None:
    body = {"language": "de", "needs": ["counselling"]} if path.endswith("/visits") else None
    for caller, status in zip(CALLERS, expected, strict=True):
        headers = await headers_for(harness, caller)
        r = await harness.client.request(method, path, json=body, headers=headers)
        assert r.status_code == status, f"{caller} {method} {path}: {r.status_code} {r.text}"
        if status >= 400:
            assert r.headers["content-type"].startswith("application/problem+json")
            assert r.json()["status"] == status


@pytest.mark.parametrize(
    ("method", "template", "path", "expected"),
    [(m, template, path, expected) for m, template, path, expected in HTTP],
)
async def test_authorisation_matrix_for_the_lead(
    harness: Harness, method: str, template: str, path: str, expected: tuple[int, ...]
) -> None:
    """The read-only lead, by LEAD in tests/auth/matrix.py: listed routes as listed, every
    other one as for anonymous where that is public, else 403."""
    body = {"language": "de", "needs": ["counselling"]} if path.endswith("/visits") else None
    status = lead_expects(method, template, expected)
    headers = await harness.login("lead1")
    r = await harness.client.request(method, path, json=body, headers=headers)
    assert r.status_code == status, f"lead1 {method} {path}: {r.status_code} {r.text}"
    if status >= 400:
        assert r.headers["content-type"].startswith("application/problem+json")


def test_the_leads_lines_name_real_rows() -> None:
    rows = {(m, template) for m, template, _, _ in HTTP}
    assert not set(LEAD) - rows, "LEAD lines for routes without a row"
    assert not set(LEAD_SOCKETS) - {template for template, _, _ in SOCKETS}


async def test_a_wrong_or_expired_token_is_401(harness: Harness) -> None:
    r = await harness.client.get(
        "/api/v1/centers/lippe/display", headers={"Authorization": "Bearer nonsense"}
    )
    assert r.status_code == 401
    staff = await harness.login("abh1")
    harness.clock.advance(60 * 13)  # staff tokens last 12 hours
    r = await harness.client.post("/api/v1/desks/r112/open", headers=staff)
    assert r.status_code == 401


async def test_login_with_a_wrong_password_is_401_and_says_nothing_more(harness: Harness) -> None:
    for user in ("abh1", "nobody"):
        r = await harness.client.post(
            "/api/v1/auth/login", json={"username": user, "password": "wrong"}
        )
        assert r.status_code == 401
        assert r.json()["detail"] == "wrong username or password"
    r = await harness.client.post("/api/v1/auth/login", json={"username": "abh1"})
    assert r.status_code == 422 and r.json()["detail"].startswith("password")


async def test_login_returns_the_contracts_shape(harness: Harness) -> None:
    r = await harness.client.post(
        "/api/v1/auth/login", json={"username": "abh1", "password": "demo-abh"}
    )
    body = r.json()
    assert body["token_type"] == "bearer" and len(body["access_token"]) >= 32
    assert body["user"] == {"username": "abh1", "role": "staff", "agency": "abh"}


async def test_devices_and_staff_of_another_center_are_refused(harness: Harness, tmp_path) -> None:
    other = tmp_path / "herford.yaml"
    other.write_text(
        """
center: {slug: herford, name: Welcome-Center Herford, timezone: Europe/Berlin, languages: [de]}
agencies:
  - {code: abh, name: {de: Ausländerbehörde}}
needs:
  - {code: residence, label: {de: Aufenthalt}, minutes: 15, served_by: [{agency: abh}]}
desks:
  - {code: hf1, room: {de: "Raum 1"}, agency: abh}
users:
  - {username: hf-abh, role: staff, agency: abh, password: "herford-password"}
devices:
  - {name: kiosk-hf, kind: kiosk, token: "herford-kiosk-token-1234"}
""",
        encoding="utf-8",
    )
    await load_config_file(harness.db, other)
    hf_kiosk = {"Authorization": "Bearer herford-kiosk-token-1234"}
    r = await harness.client.post(
        "/api/v1/centers/lippe/visits", json={"language": "de", "needs": ["work"]}, headers=hf_kiosk
    )
    assert r.status_code == 403
    # A center without a calendar is open every day.
    r = await harness.client.post(
        "/api/v1/centers/herford/visits",
        json={"language": "de", "needs": ["residence"]},
        headers=hf_kiosk,
    )
    assert r.status_code == 201, r.text
    hf_staff = await harness.login("hf-abh", "herford-password")
    assert (await harness.desk("r112", "open", hf_staff)).status_code == 403
    assert (await harness.desk("hf1", "call-next", hf_staff)).status_code == 200


async def test_unknown_routes_and_methods_are_problems(harness: Harness) -> None:
    r = await harness.client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    r = await harness.client.delete("/api/v1/centers/lippe/today")
    assert r.status_code == 405 and r.json()["status"] == 405
    assert r.headers["allow"] == "GET"


async def test_openapi_document_is_served(harness: Harness) -> None:
    r = await harness.client.get("/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/v1/centers/{slug}/visits" in paths
    assert "/api/v1/desks/{code}/call-next" in paths
    check_in = paths["/api/v1/centers/{slug}/visits"]["post"]
    assert "requestBody" in check_in
    # Body schemas are inlined: a `#/$defs/...` reference would not resolve in OpenAPI.
    assert "$defs" not in r.text
    assert "application/problem+json" in check_in["responses"]["422"]["content"]


async def test_password_guessing_is_throttled_per_username(harness: Harness) -> None:
    for _ in range(10):
        r = await harness.client.post(
            "/api/v1/auth/login", json={"username": "aa1", "password": "guess"}
        )
        assert r.status_code == 401
    r = await harness.client.post(
        "/api/v1/auth/login", json={"username": "aa1", "password": "demo-aa"}
    )
    assert r.status_code == 429
    assert r.json()["retry_after"] > 0 and "try again" in r.json()["detail"]
    # Other staff can still sign in.
    await harness.login("abh1")

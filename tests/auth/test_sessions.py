"""Staff sessions (OWASP ASVS 5.0 level 2): a new session id per sign-in, cookie flags,
CSRF on cookie-authenticated changes, inactivity timeout, absolute lifetime, logout,
the caller's sessions, an administrator ending a user's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.auth.models import StaffToken
from app.auth.security import csrf_token, hash_token
from app.centers.loader import load_config_file
from app.cli import DEMO_FILE
from tests.conftest import Harness

pytestmark = pytest.mark.anyio

LOGIN = "/api/v1/auth/login"
PASSWORDS = {"abh1": "demo-abh", "aa1": "demo-aa", "admin": "demo-admin"}


async def sign_in(client: httpx.AsyncClient, user: str = "abh1", **headers: str) -> Any:
    r = await client.post(
        LOGIN, json={"username": user, "password": PASSWORDS[user]}, headers=headers
    )
    assert r.status_code == 200, r.text
    return r


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """Each Set-Cookie header by cookie name, lower-cased."""
    out = {}
    for header in response.headers.get_list("set-cookie"):
        out[header.split("=", 1)[0]] = header.lower()
    return out


async def status(h: Harness, token: str, **headers: str) -> tuple[int, str]:
    r = await h.client.get("/api/v1/auth/me", headers={**bearer(token), **headers})
    return r.status_code, r.json().get("code", "") if r.status_code != 200 else ""


# ---------------------------------------------------------------- session ids ----------


async def test_every_sign_in_is_a_new_session_and_ends_the_one_the_browser_had(
    harness: Harness,
) -> None:
    h = harness
    first = (await sign_in(h.client)).json()
    cookie_before = h.client.cookies["wc_session"]
    second = (await sign_in(h.client)).json()  # the same browser signs in again
    assert first["access_token"] != second["access_token"]
    assert first["csrf_token"] != second["csrf_token"]
    assert h.client.cookies["wc_session"] != cookie_before
    h.client.cookies.clear()
    assert await status(h, first["access_token"]) == (401, "not_authenticated")
    assert await status(h, second["access_token"]) == (200, "")
    # A bearer token sent with the sign-in ends too (a script re-authenticating).
    third = (await sign_in(h.client, Authorization=f"Bearer {second['access_token']}")).json()
    h.client.cookies.clear()
    assert await status(h, second["access_token"]) == (401, "not_authenticated")
    assert await status(h, third["access_token"]) == (200, "")
    # Another browser's session of the same user is not touched.
    other = (await sign_in(h.client)).json()
    h.client.cookies.clear()
    assert await status(h, third["access_token"]) == (200, "")
    assert await status(h, other["access_token"]) == (200, "")


async def test_a_privilege_change_ends_the_users_sessions(harness: Harness, tmp_path: Path) -> None:
    h = harness
    token = (await sign_in(h.client)).json()["access_token"]
    h.client.cookies.clear()
    promoted = tmp_path / "lippe.yaml"
    text = DEMO_FILE.read_text(encoding="utf-8")
    old = "{username: abh1, role: staff, agency: abh, password: demo-abh}"
    assert old in text
    promoted.write_text(text.replace(old, "{username: abh1, role: admin, password: demo-abh}"))
    await load_config_file(h.db, promoted)
    assert await status(h, token) == (401, "not_authenticated")
    r = await sign_in(h.client)
    assert r.json()["user"]["role"] == "admin"  # a new session with the new role


# ---------------------------------------------------------------- cookies --------------


async def test_the_cookies_are_httponly_samesite_strict_and_not_secure_over_http(
    harness: Harness,
) -> None:
    r = await sign_in(harness.client)
    cookies = set_cookies(r)
    assert set(cookies) == {"wc_session", "wc_csrf"}
    session, csrf = cookies["wc_session"], cookies["wc_csrf"]
    for header in (session, csrf):
        assert "samesite=strict" in header and "path=/" in header
        assert "max-age=43200" in header  # the absolute lifetime, 12 hours
        assert "secure" not in header.replace("samesite", "")
    assert "httponly" in session
    assert "httponly" not in csrf  # a page reads it to send it back
    assert r.json()["csrf_token"] == harness.client.cookies["wc_csrf"]
    assert r.json()["idle_timeout"] == 3600 and r.json()["expires_in"] == 43200


async def test_over_https_the_cookies_are_secure_host_prefixed_and_the_plain_ones_ignored(
    harness: Harness,
) -> None:
    h = harness
    transport = httpx.ASGITransport(app=h.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://test") as client:
        r = await sign_in(client)
        cookies = set_cookies(r)
        assert set(cookies) == {"__Host-wc_session", "__Host-wc_csrf"}
        for header in cookies.values():
            assert "; secure" in header and "path=/" in header and "domain" not in header
        session = client.cookies["__Host-wc_session"]
        r = await client.get("/api/v1/auth/me")
        assert r.status_code == 200
        # A plain cookie (one plain HTTP or a sibling host could have set) does not count.
        client.cookies.clear()
        r = await client.get("/api/v1/auth/me", headers={"Cookie": f"wc_session={session}"})
        assert r.status_code == 401


async def test_a_https_public_url_makes_the_cookies_secure_even_behind_an_untrusted_proxy(
    harness: Harness,
) -> None:
    # The app sees http (the proxy's X-Forwarded-Proto not trusted), but the site is https.
    harness.app.state.settings.public_url = "https://welcome.example"
    cookies = set_cookies(await sign_in(harness.client))
    assert set(cookies) == {"__Host-wc_session", "__Host-wc_csrf"}
    assert all("; secure" in header for header in cookies.values())


# ---------------------------------------------------------------- CSRF -----------------


async def test_a_cookie_authenticated_change_needs_the_csrf_token(harness: Harness) -> None:
    h = harness
    body = (await sign_in(h.client)).json()
    open_desk = "/api/v1/desks/r112/open"
    # The browser sends the cookie by itself: a forged request has nothing else.
    r = await h.client.post(open_desk)
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "csrf_failed"
    assert r.headers["content-type"].startswith("application/problem+json")
    r = await h.client.post(open_desk, headers={"X-CSRF-Token": "guessed"})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    # The token of another session does not fit this one.
    other = csrf_token("another-session-token", h.app.state.settings.signing_key)
    r = await h.client.post(open_desk, headers={"X-CSRF-Token": other})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    # With the session's token (from the login answer, or read from the cookie) it works.
    r = await h.client.post(open_desk, headers={"X-CSRF-Token": body["csrf_token"]})
    assert r.status_code == 200, r.text
    r = await h.client.post(
        "/api/v1/desks/r112/pause", headers={"X-CSRF-Token": h.client.cookies["wc_csrf"]}
    )
    assert r.status_code == 200, r.text
    # Reading needs no token: a cross-site page cannot read the answer.
    assert (await h.client.get("/api/v1/desks/r112")).status_code == 200
    # A bearer token is no ambient credential: no CSRF token needed.
    token = body["access_token"]
    h.client.cookies.clear()
    r = await h.client.post("/api/v1/desks/r112/open", headers=bearer(token))
    assert r.status_code == 200, r.text


async def test_logout_by_cookie_needs_the_csrf_token_too(harness: Harness) -> None:
    h = harness
    body = (await sign_in(h.client)).json()
    r = await h.client.post("/api/v1/auth/logout")
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    assert (await h.client.get("/api/v1/auth/me")).status_code == 200  # still signed in
    r = await h.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": body["csrf_token"]})
    assert r.status_code == 204
    cookies = set_cookies(r)
    assert set(cookies) == {"wc_session", "wc_csrf"}
    assert all("max-age=0" in header for header in cookies.values())  # both cleared
    h.client.cookies.clear()
    assert await status(h, body["access_token"]) == (401, "not_authenticated")


async def test_another_site_cannot_sign_a_browser_in(harness: Harness) -> None:
    h = harness
    creds = {"username": "abh1", "password": "demo-abh"}
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://test.evil.example"},
    ):
        r = await h.client.post(LOGIN, json=creds, headers=headers)
        assert r.status_code == 403, headers
        assert r.json()["code"] == "csrf_failed"
        assert "set-cookie" not in r.headers
    # The page itself (same host, or an allowed origin), and scripts without Origin.
    for headers in (
        {"Origin": "http://test", "Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://127.0.0.1:8000"},
        {},
    ):
        r = await h.client.post(LOGIN, json=creds, headers=headers)
        assert r.status_code == 200, (headers, r.text)


# ---------------------------------------------------------------- lifetime -------------


async def last_seen(h: Harness, token: str) -> Any:
    async with h.db.read() as session:
        return await session.scalar(
            select(StaffToken.last_seen_at).where(StaffToken.token_hash == hash_token(token))
        )


async def test_an_idle_session_ends_and_activity_keeps_it_alive(harness: Harness) -> None:
    h = harness
    token = (await sign_in(h.client)).json()["access_token"]
    h.client.cookies.clear()
    for _ in range(3):  # 3 x 59 minutes: longer than the idle time, but never idle that long
        h.clock.advance(59)
        assert await status(h, token) == (200, "")
    h.clock.advance(60)
    assert await status(h, token) == (401, "session_expired")
    r = await h.desk("r112", "open", bearer(token))
    assert r.status_code == 401 and r.json()["code"] == "session_expired"
    assert r.headers["www-authenticate"] == "Bearer"


async def test_a_pages_own_polling_does_not_keep_a_session_alive(harness: Harness) -> None:
    h = harness
    token = (await sign_in(h.client)).json()["access_token"]
    h.client.cookies.clear()
    for _ in range(5):
        h.clock.advance(11)
        assert await status(h, token, **{"X-Background": "1"}) == (200, "")
    h.clock.advance(6)  # 61 minutes after the sign-in, the last activity
    assert await status(h, token, **{"X-Background": "1"}) == (401, "session_expired")


async def test_activity_is_recorded_at_most_once_a_minute(harness: Harness) -> None:
    h = harness
    token = (await sign_in(h.client)).json()["access_token"]
    h.client.cookies.clear()
    signed_in = await last_seen(h, token)
    assert signed_in == h.clock()
    h.clock.advance(0.5)
    await status(h, token)
    assert await last_seen(h, token) == signed_in  # no write for this request
    h.clock.advance(0.5)
    await status(h, token)
    assert await last_seen(h, token) == h.clock()


async def test_a_session_ends_at_its_absolute_lifetime_however_active(harness: Harness) -> None:
    h = harness
    token = (await sign_in(h.client)).json()["access_token"]
    h.client.cookies.clear()
    for _ in range(14):  # 14 x 50 minutes = 11 h 40 min, active all along
        h.clock.advance(50)
        assert await status(h, token) == (200, "")
    h.clock.advance(21)  # 12 h 1 min
    assert await status(h, token) == (401, "session_expired")


async def test_an_ended_cookie_session_says_so_too(harness: Harness) -> None:
    h = harness
    await sign_in(h.client)
    h.clock.advance(61)
    r = await h.client.get("/api/v1/auth/me")
    assert r.status_code == 401 and r.json()["code"] == "session_expired"


# ---------------------------------------------------------------- sessions -------------


async def test_staff_see_their_own_sessions_without_tokens(harness: Harness) -> None:
    h = harness
    first = (await sign_in(h.client)).json()
    h.client.cookies.clear()
    h.clock.advance(5)
    second = (await sign_in(h.client)).json()
    h.client.cookies.clear()
    await sign_in(h.client, "aa1")  # someone else's
    h.client.cookies.clear()
    r = await h.client.get("/api/v1/auth/sessions", headers=bearer(second["access_token"]))
    assert r.status_code == 200, r.text
    sessions = r.json()
    assert len(sessions) == 2
    assert [s["current"] for s in sessions] == [False, True]
    for token in (first["access_token"], second["access_token"]):
        assert token not in r.text and hash_token(token) not in r.text
    assert set(sessions[0]) == {
        "id",
        "created_at",
        "last_active_at",
        "expires_at",
        "absolute_expires_at",
        "current",
    }
    # An idle session is no longer listed.
    h.clock.advance(58)
    r = await h.client.get("/api/v1/auth/sessions", headers=bearer(second["access_token"]))
    assert [s["current"] for s in r.json()] == [True]


async def test_logout_ends_the_session_server_side(harness: Harness) -> None:
    h = harness
    token = (await sign_in(h.client)).json()["access_token"]
    h.client.cookies.clear()
    r = await h.client.post("/api/v1/auth/logout", headers=bearer(token))
    assert r.status_code == 204
    assert await last_seen(h, token) is None  # the row is gone, not just the cookie
    assert await status(h, token) == (401, "not_authenticated")


async def test_an_admin_ends_a_users_sessions_and_staff_cannot(harness: Harness) -> None:
    h = harness
    tokens = []
    for _ in range(2):
        tokens.append((await sign_in(h.client)).json()["access_token"])
        h.client.cookies.clear()
    aa1 = (await sign_in(h.client, "aa1")).json()["access_token"]
    h.client.cookies.clear()  # another browser (a sign-in here would end aa1's session)
    admin = (await sign_in(h.client, "admin")).json()
    h.client.cookies.clear()
    end = "/api/v1/admin/users/abh1/end-sessions"
    r = await h.client.post(end, headers=bearer(aa1))
    assert r.status_code == 403
    assert all([await status(h, t) == (200, "") for t in tokens])
    r = await h.client.post(end, headers=bearer(admin["access_token"]))
    assert r.status_code == 200, r.text
    assert r.json() == {"username": "abh1", "ended": 2}
    for t in tokens:
        assert await status(h, t) == (401, "not_authenticated")
    assert await status(h, aa1) == (200, "")
    r = await h.client.post(
        "/api/v1/admin/users/nobody/end-sessions", headers=bearer(admin["access_token"])
    )
    assert r.status_code == 404 and r.json()["code"] == "unknown_user"
    # By cookie, an administrator's change needs the CSRF token like any other.
    h.client.cookies.set("wc_session", _cookie_of(h, admin["access_token"]))
    r = await h.client.post("/api/v1/admin/users/aa1/end-sessions")
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    r = await h.client.post(
        "/api/v1/admin/users/aa1/end-sessions", headers={"X-CSRF-Token": admin["csrf_token"]}
    )
    assert r.status_code == 200 and r.json()["ended"] == 1
    h.client.cookies.clear()


async def test_an_admin_cannot_end_sessions_of_another_centers_user(
    harness: Harness, tmp_path: Path
) -> None:
    h = harness
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
  - {username: hf-admin, role: admin, password: "herford-admin-pw"}
""",
        encoding="utf-8",
    )
    await load_config_file(h.db, other)
    hf = await h.login("hf-abh", "herford-password")
    lippe_admin = await h.login("admin")
    r = await h.client.post("/api/v1/admin/users/hf-abh/end-sessions", headers=lippe_admin)
    assert r.status_code == 404  # as if there were no such user
    assert (await h.client.get("/api/v1/auth/me", headers=hf)).status_code == 200
    hf_admin = await h.login("hf-admin", "herford-admin-pw")
    r = await h.client.post("/api/v1/admin/users/hf-abh/end-sessions", headers=hf_admin)
    assert r.status_code == 200 and r.json()["ended"] == 1
    assert (await h.client.get("/api/v1/auth/me", headers=hf)).status_code == 401


def _cookie_of(h: Harness, token: str) -> str:
    from app.auth.security import sign_session

    return sign_session(token, h.app.state.settings.signing_key)

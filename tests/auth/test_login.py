"""Login off the event loop and outside the write lock, the signed session cookie,
throttling with Retry-After."""

from __future__ import annotations

import threading

import anyio
import pytest
from anyio import to_thread
from pydantic import ValidationError

from app.auth import service
from app.auth.principal import SESSION_COOKIE
from app.auth.security import new_token, sign_session, unsign_session, verify_password
from app.config import Settings
from tests.conftest import Harness

pytestmark = pytest.mark.anyio


async def test_a_login_does_not_block_writes_while_it_verifies(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    staff = await h.login("abh1")
    verifying, release = threading.Event(), threading.Event()

    def held_verify(password_hash: str | None, password: str) -> bool:
        # Holds the verification open until the test has written: deterministic, no timing.
        verifying.set()
        assert release.wait(10), "the test never released the verification"
        return verify_password(password_hash, password)

    monkeypatch.setattr(service, "verify_password", held_verify)
    async with anyio.create_task_group() as tg:
        results: list[int] = []

        async def log_in() -> None:
            r = await h.client.post(
                "/api/v1/auth/login", json={"username": "aa1", "password": "demo-aa"}
            )
            results.append(r.status_code)

        tg.start_soon(log_in)
        # If the hash were verified on the loop, this wait would never get its turn.
        assert await to_thread.run_sync(verifying.wait, 10)
        try:
            with anyio.fail_after(10):  # only breaks a deadlock; the write needs milliseconds
                # A center's write (desk state) and a write outside any center both go through.
                r = await h.desk("r112", "open", staff)
                assert r.status_code == 200, r.text
                async with h.db.write() as session:
                    await session.connection()
            assert not release.is_set() and results == []  # still verifying meanwhile
        finally:
            release.set()
    assert results == [200]


async def test_a_password_changed_during_verification_issues_no_token(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import update

    from app.auth.models import User

    h = harness

    def verify_then_change(password_hash: str | None, password: str) -> bool:
        ok = verify_password(password_hash, password)
        anyio.from_thread.run(change_password)
        return ok

    async def change_password() -> None:
        async with h.db.write() as session:
            await session.execute(
                update(User).where(User.username == "aa1").values(password_hash="$argon2id$new")
            )

    monkeypatch.setattr(service, "verify_password", verify_then_change)
    r = await h.client.post("/api/v1/auth/login", json={"username": "aa1", "password": "demo-aa"})
    assert r.status_code == 401


async def test_too_many_failed_logins_get_429_with_retry_after(harness: Harness) -> None:
    for _ in range(10):
        r = await harness.client.post(
            "/api/v1/auth/login", json={"username": "aa1", "password": "guess"}
        )
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == "Bearer"
    r = await harness.client.post(
        "/api/v1/auth/login", json={"username": "aa1", "password": "demo-aa"}
    )
    assert r.status_code == 429
    body = r.json()
    assert body["code"] == "too_many_requests"
    assert int(r.headers["retry-after"]) == body["retry_after"] > 0


async def test_the_session_cookie_is_signed_with_the_secret_key(harness: Harness) -> None:
    h = harness
    r = await h.client.post("/api/v1/auth/login", json={"username": "abh1", "password": "demo-aa"})
    assert r.status_code == 401
    r = await h.client.post("/api/v1/auth/login", json={"username": "abh1", "password": "demo-abh"})
    token = r.json()["access_token"]
    cookie = h.client.cookies[SESSION_COOKIE]
    h.client.cookies.clear()
    assert cookie != token and cookie.startswith(token + ".")
    assert unsign_session(cookie, h.app.state.settings.signing_key) == token

    async def me(value: str) -> int:
        r = await h.client.get("/api/v1/auth/me", headers={"Cookie": f"{SESSION_COOKIE}={value}"})
        return r.status_code

    assert await me(cookie) == 200
    mac = cookie.rsplit(".", 1)[1]
    tampered = mac[:-1] + ("A" if mac[-1] != "A" else "B")
    assert await me(f"{token}.{tampered}") == 401  # altered signature
    assert await me(token) == 401  # the bare token, unsigned
    assert await me(f"{new_token()}.{mac}") == 401  # another token under this signature
    assert await me(sign_session(token, b"another server's key")) == 401
    r = await h.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200  # bearer tokens are not cookies: no signature needed


def test_the_signing_key_is_the_secret_key_outside_demo_mode() -> None:
    key = "k" * 32
    assert Settings(secret_key=key).signing_key == key.encode()
    assert Settings(demo=True).signing_key  # demo mode signs with a fixed, public key
    with pytest.raises(ValidationError):
        Settings(secret_key="")
    assert unsign_session(sign_session("t0k3n", b"one"), b"two") is None
    assert unsign_session("", b"one") is None and unsign_session("no-dot", b"one") is None

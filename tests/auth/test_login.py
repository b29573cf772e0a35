"""Login off the event loop and outside the write lock; throttling with Retry-After."""

from __future__ import annotations

import threading

import anyio
import pytest
from anyio import to_thread

from app.auth import service
from app.auth.security import verify_password
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

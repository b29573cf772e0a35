"""Throttling that holds: counted before the password check, per account and client,
known-good addresses never locked out by others' guesses, X-Forwarded-For only from
trusted proxies, check-ins per kiosk device. Every 429 has Retry-After."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from app.auth import service
from app.auth.throttle import LoginThrottle
from app.config import Settings
from app.db import Database
from app.main import create_app
from app.ops.ratelimit import SlidingWindow
from tests.conftest import HERFORD_KIOSK, KIOSK, Clock

pytestmark = pytest.mark.anyio
LOGIN = "/api/v1/auth/login"
CHECK_IN = "/api/v1/centers/lippe/visits"


@pytest.fixture
async def client(
    sqlite_url: str, clock: Clock, request: pytest.FixtureRequest
) -> AsyncIterator[Any]:
    """The app with the settings the test is parametrised with (`extra`)."""
    extra = getattr(request, "param", {})
    settings = Settings(demo=True, database_url=sqlite_url, timer_seconds=0, **extra)
    db = Database(sqlite_url)
    app = create_app(settings, database=db)
    app.state.clock = clock  # the template's open day, whatever the wall clock says
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("10.0.0.9", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            yield c
    await db.dispose()


@pytest.fixture(autouse=True)
def quick_wrong_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 (tenths of a second each on a busy machine) only for the demo passwords:
    what is tested here is the counting, and hundreds of guesses would take minutes."""
    real = service.verify_password

    def verify(stored: str | None, password: str) -> bool:
        return password.startswith("demo-") and real(stored, password)

    monkeypatch.setattr(service, "verify_password", verify)


def settings(**extra: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("client", [extra], indirect=True)


def retry_after(r: httpx.Response) -> int:
    assert r.status_code == 429, r.text
    assert r.headers["content-type"] == "application/problem+json"
    seconds = int(r.headers["retry-after"])
    assert seconds == r.json()["retry_after"] > 0
    return seconds


async def attempt(c: Any, password: str, via: str | None = None, user: str = "abh1") -> Any:
    headers = {"X-Forwarded-For": via} if via else {}
    return await c.post(LOGIN, json={"username": user, "password": password}, headers=headers)


async def test_100_concurrent_wrong_passwords_are_counted_before_they_are_checked(
    client: Any,
) -> None:
    answers = await asyncio.gather(*(attempt(client, f"guess{i}") for i in range(100)))
    counts = Counter(r.status_code for r in answers)
    assert counts == {401: 10, 429: 90}, counts
    for r in answers:
        if r.status_code == 429:
            assert 800 < retry_after(r) <= 900  # the 15-minute window
    # The right password from the same computer waits too: it is no different a request.
    retry_after(await attempt(client, "demo-abh"))


async def test_100_concurrent_wrong_phone_codes_are_counted_before_they_are_checked(
    client: Any,
) -> None:
    codes = [f"A{n:03d}-ABCDE" for n in range(100)]
    answers = await asyncio.gather(
        *(client.post("/api/v1/visits/by-code", json={"code": code}) for code in codes)
    )
    counts = Counter(r.status_code for r in answers)
    assert counts == {404: 20, 429: 80}, counts
    for r in answers:
        if r.status_code == 429:
            retry_after(r)


@settings(trusted_proxies="10.0.0.9")
async def test_guessing_from_elsewhere_never_locks_a_clerk_out_at_a_known_address(
    client: Any,
) -> None:
    desk_pc = "192.168.5.20"
    assert (await attempt(client, "demo-abh", via=desk_pc)).status_code == 200
    # 50 wrong passwords for the account from 10 addresses (5 each, under the pair limit).
    for n in range(50):
        assert (await attempt(client, "x", via=f"203.0.113.{n % 10}")).status_code == 401
    # The account is now locked for addresses it never signed in from ...
    seconds = retry_after(await attempt(client, "demo-abh", via="198.51.100.7"))
    assert "this account" in (await attempt(client, "x", via="198.51.100.8")).json()["detail"]
    assert 800 < seconds <= 900
    # ... but the clerk at their own desk PC signs in as usual.
    assert (await attempt(client, "demo-abh", via=desk_pc)).status_code == 200


@settings(trusted_proxies="10.0.0.9")
async def test_mistyping_locks_only_that_account_at_that_computer(client: Any) -> None:
    for _ in range(10):
        assert (await attempt(client, "typo", via="192.168.5.21")).status_code == 401
    r = await attempt(client, "demo-abh", via="192.168.5.21")
    retry_after(r)
    assert "this account from this computer" in r.json()["detail"]
    # The same computer for another account, the account from another computer: fine.
    assert (await attempt(client, "demo-aa", via="192.168.5.21", user="aa1")).status_code == 200
    assert (await attempt(client, "demo-abh", via="192.168.5.22")).status_code == 200


@settings(trusted_proxies="10.0.0.9")
async def test_one_address_spraying_many_accounts_is_stopped(client: Any) -> None:
    for n in range(50):
        r = await attempt(client, "x", via="203.0.113.50", user=f"user{n}")
        assert r.status_code == 401
    r = await attempt(client, "demo-abh", via="203.0.113.50")
    retry_after(r)
    assert "this computer" in r.json()["detail"]


async def test_x_forwarded_for_is_ignored_without_trusted_proxies(client: Any) -> None:
    for n in range(10):
        assert (await attempt(client, "x", via=f"203.0.113.{n}")).status_code == 401
    # Every guess counted for the real peer (10.0.0.9), whatever the header said.
    retry_after(await attempt(client, "demo-abh", via="203.0.113.99"))


@settings(trusted_proxies="10.0.0.0/8")
async def test_a_trusted_proxy_network_hands_on_the_client_address(client: Any) -> None:
    for _ in range(10):
        assert (await attempt(client, "x", via="203.0.113.1")).status_code == 401
    retry_after(await attempt(client, "x", via="203.0.113.1"))
    # A forged first entry does not help: the right-most untrusted address is the client.
    retry_after(await attempt(client, "x", via="1.2.3.4, 203.0.113.1"))
    assert (await attempt(client, "demo-abh", via="203.0.113.2")).status_code == 200


def test_sliding_window_frees_places_as_they_age() -> None:
    now = [0.0]
    window = SlidingWindow("3/10 seconds", clock=lambda: now[0])
    assert [window.reserve("k") for _ in range(3)] == [0, 0, 0]
    assert window.reserve("k") == 10
    now[0] = 4
    window.give_back("k")  # the latest place
    assert window.reserve("k") == 0
    assert window.reserve("k") == 6  # the first place frees at 10
    now[0] = 10.5
    assert window.reserve("k") == 0


def test_a_successful_sign_in_gives_its_places_back() -> None:
    now = [0.0]
    throttle = LoginThrottle("2/minute", "3/minute", "5/minute", clock=lambda: now[0])
    for _ in range(10):  # an office signing in all morning from one address
        throttle.succeeded(throttle.begin(username="abh1", client="a"))
    first = throttle.begin(username="abh1", client="a")
    throttle.begin(username="abh1", client="a")
    with pytest.raises(Exception, match="this account from this computer"):
        throttle.begin(username="abh1", client="a")
    throttle.abandon(first)  # e.g. the database was away: no guess was judged
    throttle.begin(username="abh1", client="a")


@settings(kiosk_checkins="3/minute")
async def test_check_ins_are_limited_per_kiosk_device(client: Any) -> None:
    body = {"language": "ar", "needs": ["residence"]}
    kiosk = {"Authorization": f"Bearer {KIOSK}"}
    for n in range(3):
        r = await client.post(CHECK_IN, json=body, headers={**kiosk, "Idempotency-Key": f"k{n}"})
        assert r.status_code == 201, r.text
    r = await client.post(CHECK_IN, json=body, headers={**kiosk, "Idempotency-Key": "k3"})
    assert 55 <= retry_after(r) <= 60
    assert r.json()["code"] == "kiosk_limit"
    # A retry of an admitted check-in is not a new one: the same visit, 200.
    r = await client.post(CHECK_IN, json=body, headers={**kiosk, "Idempotency-Key": "k1"})
    assert r.status_code == 200, r.text
    # Another kiosk (here: of another center) has its own count.
    other = {"Authorization": f"Bearer {HERFORD_KIOSK}"}
    r = await client.post(
        "/api/v1/centers/herford/visits",
        json={"language": "de", "needs": ["residence"]},
        headers=other,
    )
    assert r.status_code == 201, r.text

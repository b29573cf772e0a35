"""One migrated database with the demo center per test session, copied for each test.

Each test gets its own SQLite file (a copy of the migrated template), the real app
with its lifespan, and httpx against it over ASGI. The app's clock is a test clock.

The core API suites (PG_SUITES) run twice: on SQLite and on a private PostgreSQL
cluster, where each test gets `CREATE DATABASE t_x TEMPLATE template_migrated`.
Without PostgreSQL binaries those variants skip, except in CI (CI=true), which fails.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from app.cli import DEMO_FILE
from app.config import Settings
from app.db import Database
from app.main import create_app
from app.migrate import upgrade
from bench.pgcluster import PgCluster, pg_bin

BERLIN = ZoneInfo("Europe/Berlin")
KIOSK = "demo-kiosk-token-foyer"
DISPLAY = "demo-display-token-wartebereich"
TEST_DAY = datetime.now(BERLIN).date()
TESTS = Path(__file__).resolve().parent
# A second center in every test database, with agency and need codes overlapping the
# demo center's (tests/test_two_centers_isolated.py): nothing may ever mix them.
HERFORD_FILE = TESTS / "fixtures" / "herford.yaml"
HERFORD_KIOSK = "herford-kiosk-token-eingang"
HERFORD_DISPLAY = "herford-display-token-flur"
# Run on SQLite and PostgreSQL; everything else on SQLite only (keeps the suite quick).
PG_SUITES = ("test_story.py", "visits", "desks", "stats")
PG_TEMPLATE = "template_migrated"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_url" not in metafunc.fixturenames:
        return
    relative = Path(metafunc.definition.path).resolve().relative_to(TESTS)
    if relative.parts[0] in PG_SUITES:
        metafunc.parametrize(
            "db_url",
            ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
            indirect=True,
        )


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Clock:
    """The app's notion of now; tests move it forward."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


async def _prepare(url: str, day: date) -> None:
    from sqlalchemy import select

    from app.centers.loader import ensure_day, load_config_file
    from app.centers.models import Center

    db = Database(url)
    try:
        await load_config_file(db, DEMO_FILE)
        await load_config_file(db, HERFORD_FILE)
        async with db.write() as session:
            for slug in ("lippe", "herford"):
                center = await session.scalar(select(Center).where(Center.slug == slug))
                assert center is not None
                await ensure_day(session, center_id=center.id, day=day)
    finally:
        await db.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "welcome.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    asyncio.run(_prepare(url, TEST_DAY))
    return path


@pytest.fixture
def sqlite_url(template_db: Path, tmp_path: Path) -> str:
    path = tmp_path / "welcome.db"
    shutil.copy(template_db, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    if pg_bin() is None:
        message = "no PostgreSQL server binaries (`make system-deps` installs them)"
        if in_ci():
            pytest.fail(f"CI must run the PostgreSQL tests: {message}")
        pytest.skip(message)
    cluster = PgCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg_template(pg_cluster: PgCluster) -> str:
    asyncio.run(pg_cluster.create_database(PG_TEMPLATE))
    url = pg_cluster.url(PG_TEMPLATE)
    upgrade(url)
    asyncio.run(_prepare(url, TEST_DAY))
    return PG_TEMPLATE


@pytest.fixture
def pg_url(pg_cluster: PgCluster, pg_template: str) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    asyncio.run(pg_cluster.create_database(name, template=pg_template))
    yield pg_cluster.url(name)
    asyncio.run(pg_cluster.drop_database(name))


@pytest.fixture
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh prepared database: SQLite unless parametrised with "postgres"."""
    kind = getattr(request, "param", "sqlite")
    return request.getfixturevalue("pg_url" if kind == "postgres" else "sqlite_url")


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.combine(TEST_DAY, time(10, 0), tzinfo=BERLIN))


@dataclass
class Harness:
    client: httpx.AsyncClient
    db: Database
    clock: Clock
    app: Any

    async def login(self, username: str, password: str | None = None) -> dict[str, str]:
        password = password or (
            "demo-admin" if username == "admin" else f"demo-{username.removesuffix('1')}"
        )
        r = await self.client.post(
            "/api/v1/auth/login", json={"username": username, "password": password}
        )
        assert r.status_code == 200, r.text
        self.client.cookies.clear()  # tests authenticate explicitly, by bearer token
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    async def check_in(self, expect: int = 201, headers: Any = None, **body: Any) -> Any:
        body.setdefault("language", "de")
        r = await self.client.post(
            "/api/v1/centers/lippe/visits",
            json=body,
            headers={"Authorization": f"Bearer {KIOSK}", **(headers or {})},
        )
        assert r.status_code == expect, r.text
        return r.json()

    def clear_caches(self) -> None:
        """Forget what the app derived (learned minutes, estimates): it is read again."""
        self.app.state.caches.clear()

    async def desk(self, code: str, action: str, headers: dict[str, str], **body: Any) -> Any:
        return await self.client.post(
            f"/api/v1/desks/{code}/{action}", json=body or None, headers=headers
        )


@pytest.fixture
async def harness(db_url: str, clock: Clock) -> AsyncIterator[Harness]:
    settings = Settings(demo=True, database_url=db_url)
    db = Database(db_url)
    app = create_app(settings, database=db)
    app.state.clock = clock
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Harness(client=client, db=db, clock=clock, app=app)
    await db.dispose()


@pytest.fixture
def kiosk_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {KIOSK}"}


@pytest.fixture
def display_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {DISPLAY}"}


async def desks_by_agency(h: Harness) -> dict[str, list[str]]:
    r = await h.client.get(
        "/api/v1/centers/lippe/display", headers={"Authorization": f"Bearer {DISPLAY}"}
    )
    assert r.status_code == 200, r.text
    out: dict[str, list[str]] = {}
    for desk in r.json()["desks"]:
        out.setdefault(desk["agency"], []).append(desk["code"])
    return out

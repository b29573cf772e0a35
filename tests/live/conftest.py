"""A real server per test module on a copy of the migrated template, and a client for it."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.live.live import LiveServer


@pytest.fixture(scope="module")
def server(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path = tmp_path_factory.mktemp("live") / "welcome.db"
    shutil.copy(template_db, path)
    srv = LiveServer(f"sqlite+aiosqlite:///{path}").start()
    yield srv
    srv.stop()


@pytest.fixture
async def client(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.http, timeout=30) as c:
        yield c

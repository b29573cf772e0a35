"""Browser tests: `welcome-center serve` in a subprocess, driven by Debian's Chromium.

Each test gets its own server on a free 127.0.0.1 port, with a copy of the session's
migrated demo database (tests/conftest.py `template_db`: demo center, today open). The
server is the production command itself (app/cli.py `serve`), so the pages talk to the
socket protocol production runs (cli.WS_OPTIONS: app/live/protocol.py, no deflate).

A test that needs another configuration parametrizes `server_config` with a center
file's text: `welcome-center load-config` loads it into the copy before the server
starts. `Server.load_config` loads one while the server runs, as an operator would.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
KIOSK_TOKEN = "demo-kiosk-token-foyer"
DISPLAY_TOKEN = "demo-display-token-wartebereich"

# The production command line, run with this interpreter (the venv's `welcome-center`).
CLI = [sys.executable, "-m", "app.cli"]
# The same `serve` as a `python -c` script taking the port (tests that restart the server
# themselves, as test_display_sound.py does, use it).
SERVER = """
import sys
from app.cli import app
app(["serve", "--host", "127.0.0.1", "--port", sys.argv[1]])
"""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists() or os.environ.get("CI") == "true":
        return  # in CI a missing browser fails the tests instead of skipping them
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (install Debian's chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    kiosk_token: str = KIOSK_TOKEN
    display_token: str = DISPLAY_TOKEN
    env: dict[str, str] = field(default_factory=dict)
    workdir: Path | None = None

    def load_config(self, text: str) -> str:
        """`welcome-center load-config` with this server's database: the running server
        sees the change on its next request (and its screens through the event log)."""
        assert self.workdir is not None
        return load_config(text, self.env, self.workdir)

    def api(
        self, method: str, path: str, body: Any = None, token: str | None = None
    ) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as err:
            raw = err.read()
            return err.code, json.loads(raw) if raw else None

    def login(self, username: str, password: str) -> str:
        status, body = self.api(
            "POST", "/api/v1/auth/login", {"username": username, "password": password}
        )
        assert status == 200, body
        return body["access_token"]

    def check_in(self, **body: Any) -> dict[str, Any]:
        body.setdefault("language", "de")
        status, visit = self.api("POST", "/api/v1/centers/lippe/visits", body, KIOSK_TOKEN)
        assert status == 201, visit
        return visit

    def display(self) -> dict[str, Any]:
        status, body = self.api("GET", "/api/v1/centers/lippe/display", token=DISPLAY_TOKEN)
        assert status == 200, body
        return body


@pytest.fixture
def server_env() -> dict[str, str]:
    """Extra WELCOME_* settings for the test server; a test module overrides this fixture."""
    return {}


@pytest.fixture
def server_config() -> str | None:
    """A center file (YAML text) to load before the server starts; None keeps the demo."""
    return None


def load_config(text: str, env: dict[str, str], workdir: Path) -> str:
    path = workdir / "center.yaml"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [*CLI, "load-config", str(path)], cwd=ROOT, env=env, capture_output=True, timeout=60
    )
    out = (done.stdout + done.stderr).decode()
    assert done.returncode == 0, f"load-config failed:\n{out}"
    return out


@pytest.fixture
def server(
    template_db: Path, tmp_path: Path, server_env: dict[str, str], server_config: str | None
) -> Iterator[Server]:
    db = tmp_path / "welcome.db"
    shutil.copy(template_db, db)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "WELCOME_DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "WELCOME_SECRET_KEY": "browser-tests-only-secret-0123456789",
        "WELCOME_ALLOWED_ORIGINS": base,
        "WELCOME_PUBLIC_URL": base,
        **server_env,
    }
    if server_config is not None:
        load_config(server_config, env, tmp_path)
    log = (tmp_path / "server.log").open("wb")
    command = [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    server = Server(base, process, env=env, workdir=tmp_path)
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            log.close()
            pytest.fail("server exited:\n" + (tmp_path / "server.log").read_text())
        try:
            if server.api("GET", "/readyz")[0] == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("server did not start:\n" + (tmp_path / "server.log").read_text())
        time.sleep(0.1)
    try:
        yield server
    finally:
        # The server's process, which a restart test may have replaced: never leak one.
        process = server.process
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium()


def chromium(*extra_args: str) -> Iterator[Any]:
    """Debian's Chromium through Playwright, for a module's tests (never a downloaded one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *extra_args]
        )
        try:
            yield browser
        finally:
            browser.close()


def fresh_page(browser: Any, width: int, height: int) -> Iterator[Any]:
    """A page in its own context; the test fails if the page threw a JavaScript error."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="de-DE")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    yield from fresh_page(browser, 1280, 900)

"""Fuzzing the HTTP API from its OpenAPI document: no input, from any role, is a 5xx.

Schemathesis generates requests for every operation of `/openapi.json` of a real
`welcome-center serve` (SQLite; PostgreSQL too), each sent as every role: anonymous,
kiosk, display, staff, admin, with valid tokens. Path parameters are either one of the
demo center's real codes (so requests get past the lookups into the handlers) or
whatever the schema allows. Bounded: EXAMPLES per operation, no shrinking (a failure
is reported with its request as found), so a run stays well under two minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from bench.liveserver import LiveServer
from tests.conftest import DISPLAY, KIOSK
from tests.ops.today import open_today

pytestmark = pytest.mark.slow
EXAMPLES = 5
RAW_EXAMPLES = 3
# Ending the callers' own sessions would turn the rest of the run into 401s.
ANONYMOUS_ONLY = ("/api/v1/auth/logout", "/end-sessions")


def tokens(base: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {"anonymous": {}}
    out["kiosk"] = {"Authorization": f"Bearer {KIOSK}"}
    out["display"] = {"Authorization": f"Bearer {DISPLAY}"}
    for role, user, password in (("staff", "abh1", "demo-abh"), ("admin", "admin", "demo-admin")):
        r = httpx.post(f"{base}/api/v1/auth/login", json={"username": user, "password": password})
        assert r.status_code == 200, r.text
        out[role] = {"Authorization": f"Bearer {r.json()['access_token']}"}
    return out


def known_codes(base: str, headers: dict[str, str]) -> dict[str, list[str]]:
    display = httpx.get(f"{base}/api/v1/centers/lippe/display", headers=headers).json()
    today = httpx.get(f"{base}/api/v1/centers/lippe/today").json()
    return {
        "slug": ["lippe", "herford"],
        "code": [d["code"] for d in display["desks"]],
        "need": [n["code"] for n in today["needs"]],
        "language": today["languages"],
    }


def with_codes(doc: dict[str, Any], codes: dict[str, list[str]]) -> dict[str, Any]:
    """Path parameters (slug, code) are the demo center's real codes, and body fields
    (language, need lists) may be, so generated requests get past the lookups into the
    handlers (the raw pass sends anything the schema allows)."""
    for methods in doc["paths"].values():
        for op in methods.values():
            for param in op.get("parameters", []):
                values = codes.get(param["name"]) if param.get("in") == "path" else None
                if values:
                    param["schema"] = {"enum": values}
            for media in op.get("requestBody", {}).get("content", {}).values():
                _real_values(media.get("schema", {}), codes)
    return doc


def _real_values(schema: dict[str, Any], codes: dict[str, list[str]]) -> None:
    for name, prop in schema.get("properties", {}).items():
        if name == "language":
            schema["properties"][name] = {"anyOf": [{"enum": codes["language"]}, prop]}
        elif name in ("needs", "add_needs", "resolved") and "items" in prop:
            prop["items"] = {"anyOf": [{"enum": codes["need"]}, prop["items"]]}


def fuzz(base: str) -> list[str]:
    """Two passes: real codes in the paths, every role, EXAMPLES each (the handlers);
    anything in the paths, anonymous and admin, RAW_EXAMPLES each (the doors)."""
    roles = tokens(base)
    raw = httpx.get(f"{base}/openapi.json").json()
    real = with_codes(copy.deepcopy(raw), known_codes(base, roles["display"]))
    failures, seen = _fuzz(base, real, roles, EXAMPLES)
    # The run reached the handlers, not only the doors: successes and refusals alike.
    assert seen[2] > 20 and seen[4] > 200, seen
    doors = {name: roles[name] for name in ("anonymous", "admin")}
    more, seen_raw = _fuzz(base, raw, doors, RAW_EXAMPLES)
    print(f"fuzz: responses by class {dict(seen)} (real codes), {dict(seen_raw)} (raw)")
    return failures + more


def _fuzz(
    base: str, doc: dict[str, Any], roles: dict[str, dict[str, str]], examples: int
) -> tuple[list[str], Counter[int]]:
    schema = schemathesis.openapi.from_dict(doc)

    def callers_of(path: str) -> list[str]:
        return ["anonymous"] if path.endswith(ANONYMOUS_ONLY) else list(roles)

    session = requests.Session()
    failures: list[str] = []
    seen: Counter[int] = Counter()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: report as found
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            for caller in callers_of(case.path):
                response = case.call(base_url=base, session=session, headers=roles[caller])
                status = response.status_code
                seen[status // 100] += 1
                if status >= 500:
                    failures.append(f"{caller} {case.method} {case.formatted_path}: {status}")
                    return

        with contextlib.suppress(Unsatisfiable):
            run()
    assert operations > 40, operations
    return failures, seen


def served(url: str, workers: int = 1) -> LiveServer:
    return LiveServer(url, workers=workers, quiet=True, WELCOME_KIOSK_CHECKINS="100000/minute")


@pytest.fixture
def sqlite_server(template_db: Path, tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "welcome.db"
    shutil.copy(template_db, path)
    url = f"sqlite+aiosqlite:///{path}"
    asyncio.run(open_today(url))
    server = served(url).start()
    try:
        yield server.http
    finally:
        server.stop()


def test_no_request_from_any_role_is_a_server_error_on_sqlite(sqlite_server: str) -> None:
    failures = fuzz(sqlite_server)
    assert not failures, "\n".join(failures)


@pytest.mark.postgres
def test_no_request_from_any_role_is_a_server_error_on_postgresql(pg_url: str) -> None:
    asyncio.run(open_today(pg_url))
    server = served(pg_url).start()
    try:
        failures = fuzz(server.http)
    finally:
        server.stop()
    assert not failures, "\n".join(failures)

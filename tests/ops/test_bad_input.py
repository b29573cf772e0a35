"""Bad input is a 4xx naming the problem, never a 5xx (SQLite and PostgreSQL).

Each case once caused a 500 (issue 11): JSON nested 1,000 deep (RecursionError),
integers of 4,300+ digits (ValueError), NUL bytes and lone surrogates (PostgreSQL
refuses them, asyncpg cannot encode them), unbounded bodies and lists.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from app.ops.jsoninput import MAX_DEPTH
from tests.conftest import KIOSK, Harness

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.parametrize(
        "db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
    ),
]
K = {"Authorization": f"Bearer {KIOSK}"}
CHECK_IN = "/api/v1/centers/lippe/visits"


def problem(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert body["code"] == code, body
    return body


def field_of(r: httpx.Response) -> str:
    body = problem(r, 422, "invalid")
    field: str = body["errors"][0]["field"]
    return field


async def post_raw(h: Harness, path: str, raw: bytes, headers: dict[str, str] | None = None) -> Any:
    head = {"Content-Type": "application/json", **(headers or {})}
    return await h.client.post(path, content=raw, headers=head)


async def staff_desk(h: Harness) -> tuple[dict[str, str], str]:
    staff = await h.login("abh1")
    r = await h.desk("r112", "open", staff)
    assert r.status_code == 200, r.text
    await h.check_in(needs=["residence"])
    assert (await h.desk("r112", "call-next", staff)).status_code == 200
    assert (await h.desk("r112", "start", staff)).status_code == 200
    return staff, "/api/v1/desks/r112/finish"


def deep(levels: int) -> bytes:
    return b'{"language": ' + b"[" * levels + b"]" * levels + b"}"


async def test_deep_json_is_a_422_on_every_body_route(harness: Harness) -> None:
    staff, finish = await staff_desk(harness)
    visit = await harness.check_in(needs=["residence"])
    for path, headers in [
        ("/api/v1/auth/login", {}),
        (CHECK_IN, K),
        (f"/api/v1/visits/{visit['token']}/cancel", {}),
        (finish, staff),
    ]:
        r = await post_raw(harness, path, deep(1000), headers)
        assert field_of(r) == "body", path
        assert "nested 1001 levels" in r.json()["detail"]
    # Within the limit the body is read as usual (here: a wrong type, named).
    r = await post_raw(harness, CHECK_IN, deep(MAX_DEPTH - 1), K)
    assert field_of(r) == "language"


async def test_huge_integers_are_a_422(harness: Harness) -> None:
    digits = b"9" * 5000
    r = await post_raw(
        harness, "/api/v1/auth/login", b'{"username": "a", "password": ' + digits + b"}"
    )
    assert field_of(r) == "body"
    assert "5000 digits" in r.json()["detail"]
    r = await post_raw(
        harness, CHECK_IN, b'{"language": "de", "needs": ["work"], "age": -' + digits + b"}", K
    )
    assert field_of(r) == "body"


@pytest.mark.parametrize("bad", ["\x00", "\ud800"])
async def test_nul_and_lone_surrogates_are_refused_naming_the_field(
    harness: Harness, bad: str
) -> None:
    staff, finish = await staff_desk(harness)
    cases: list[tuple[str, dict[str, Any], dict[str, str], str]] = [
        ("/api/v1/auth/login", {"username": f"abh{bad}1", "password": "x"}, {}, "username"),
        (
            CHECK_IN,
            {"language": "de", "needs": ["work"], "municipality": f"Det{bad}"},
            K,
            "municipality",
        ),
        (
            CHECK_IN,
            {"language": "de", "needs": ["work"], "invitation_code": f"I{bad}"},
            K,
            "invitation_code",
        ),
        (CHECK_IN, {"language": "de", "needs": ["work", f"x{bad}"]}, K, "needs[1]"),
        (finish, {"note": f"n{bad}"}, staff, "note"),
        ("/api/v1/visits/phone-link", {"token": f"t{bad}"}, {}, "token"),
        ("/api/v1/visits/by-code", {"code": f"A001-{bad}"}, {}, "code"),
    ]
    for path, body, headers, field in cases:
        # json.dumps writes \u0000 and \ud800 as escapes: what a client sends on the wire.
        r = await post_raw(harness, path, json.dumps(body).encode(), headers)
        assert field_of(r) == field, (path, r.text)
    visit = await harness.check_in(needs=["residence"])
    cancel = f"/api/v1/visits/{visit['token']}/cancel"
    r = await post_raw(harness, cancel, json.dumps({"reason": f"r{bad}"}).encode())
    assert field_of(r) == "reason"


async def test_path_and_query_parameters_are_checked_before_the_database(
    harness: Harness,
) -> None:
    staff = await harness.login("abh1")
    r = await harness.client.get("/api/v1/visits/ab%00cd")
    assert field_of(r) == "token"
    r = await harness.client.get("/api/v1/centers/lip%00pe/today")
    assert field_of(r) == "slug"
    r = await harness.client.post("/api/v1/desks/r1%0012/open", headers=staff)
    assert field_of(r) == "code"
    r = await harness.client.get("/api/v1/visits/" + "a" * 5000)
    assert field_of(r) == "token"
    admin = await harness.login("admin")
    r = await harness.client.get("/api/v1/centers/lippe/audit?ticket=A%0001", headers=admin)
    assert field_of(r) == "ticket"
    # Ids are 64-bit in the database: a longer number once overflowed the driver (500).
    huge = "9" * 30
    r = await harness.client.post(f"/api/v1/desks/r112/joint/{huge}/accept", headers=staff)
    assert field_of(r) == "request_id"
    r = await harness.client.get(f"/api/v1/centers/lippe/audit?offset={huge}", headers=admin)
    assert field_of(r) == "offset"
    # An unknown but clean value still reaches the route: 404 as before.
    assert (await harness.client.get("/api/v1/visits/abcd")).status_code == 404


async def test_bodies_over_the_limit_are_413_before_they_are_read(harness: Harness) -> None:
    limit = harness.app.state.settings.max_body_bytes
    big = b'{"username": "' + b"a" * limit + b'", "password": "x"}'
    r = await post_raw(harness, "/api/v1/auth/login", big)  # anonymous, with Content-Length
    body = problem(r, 413, "body_too_large")
    assert body["limit"] == limit

    async def chunks() -> Any:
        yield b'{"language": "de", "needs": ['
        for _ in range(limit // 10):
            yield b'"residence",'
        yield b'"work"]}'

    r = await harness.client.post(CHECK_IN, content=chunks(), headers=K)  # chunked
    problem(r, 413, "body_too_large")
    # An administrator's invitation list may be larger (2 MiB): here it meets the
    # authentication check (anonymous), not the limit.
    csv = b"language,needs\n" + b"de,residence\n" * (limit // 8)
    upload = "/api/v1/admin/centers/lippe/invitations/upload"
    r = await harness.client.post(upload, content=csv, headers={"Content-Type": "text/csv"})
    assert r.status_code == 401, r.text


async def test_lists_and_strings_have_bounds(harness: Harness) -> None:
    staff, finish = await staff_desk(harness)
    r = await harness.client.post(
        CHECK_IN, json={"language": "de", "needs": ["work"] * 33}, headers=K
    )
    assert field_of(r) == "needs"
    r = await harness.client.post(finish, json={"add_needs": ["work"] * 33}, headers=staff)
    assert field_of(r) == "add_needs"
    r = await harness.client.post(finish, json={"note": "n" * 2001}, headers=staff)
    assert field_of(r) == "note"
    r = await harness.client.post(
        "/api/v1/auth/login", json={"username": "u" * 65, "password": "x"}
    )
    assert field_of(r) == "username"


def _unbounded(schema: Any, where: str) -> list[str]:
    out: list[str] = []
    if isinstance(schema, dict):
        kind = schema.get("type")
        bounded = {"maxLength", "enum", "pattern"} & schema.keys()
        if kind == "string" and not bounded and schema.get("format") not in ("date", "date-time"):
            out.append(where)
        if kind == "array" and "maxItems" not in schema:
            out.append(where)
        for key, value in schema.items():
            out += _unbounded(value, f"{where}.{key}")
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            out += _unbounded(value, f"{where}[{i}]")
    return out


async def test_every_request_body_field_is_bounded(harness: Harness) -> None:
    doc = (await harness.client.get("/openapi.json")).json()
    missing: list[str] = []
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            content = op.get("requestBody", {}).get("content", {})
            # Raw bodies (a CSV upload) are bounded by the body limit as a whole.
            media = content.get("application/json", {})
            missing += _unbounded(media.get("schema", {}), f"{method.upper()} {path}")
    assert not missing, missing

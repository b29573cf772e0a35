"""The desk socket signs in with the staff page's session cookie, from an allowed Origin
only (a handshake carries no CSRF token; docs/api.md §7). A real server."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect


def open_desk(base: str, code: str, **headers: str) -> str:
    url = base.replace("http", "ws", 1) + f"/ws/desks/{code}"
    with connect(url, additional_headers=headers, open_timeout=10) as ws:
        return str(ws.recv(timeout=10))


def refused(base: str, code: str, **headers: str) -> int:
    with pytest.raises(InvalidStatus) as info:
        open_desk(base, code, **headers)
    return info.value.response.status_code


def test_the_desk_socket_takes_the_session_cookie(served: tuple[str, Path]) -> None:
    base, _ = served
    with httpx.Client(base_url=base, timeout=10) as client:
        r = client.post("/api/v1/auth/login", json={"username": "abh1", "password": "demo-abh"})
        assert r.status_code == 200, r.text
        session = client.cookies["wc_session"]
    cookie = f"wc_session={session}"

    message = json.loads(open_desk(base, "r112", Origin=base, Cookie=cookie))
    assert message["type"] == "snapshot" and message["data"]["desk"]["code"] == "r112"

    # The same checks as a bearer token: another agency's desk is refused.
    assert refused(base, "r114", Origin=base, Cookie=cookie) == 403
    # A page of another site rides on the cookie: refused at the handshake.
    assert refused(base, "r112", Origin="http://evil.example", Cookie=cookie) == 403
    # An altered signature counts as no cookie: the socket waits for a token, gets none.
    token, _, signature = session.rpartition(".")
    forged = f"wc_session={token}.{signature[::-1]}"
    url = base.replace("http", "ws", 1) + "/ws/desks/r112"
    headers = {"Origin": base, "Cookie": forged}
    with connect(url, additional_headers=headers, open_timeout=10) as ws:
        ws.send(json.dumps({"token": "not-a-token"}))
        with pytest.raises(Exception) as closed:
            ws.recv(timeout=10)
        assert getattr(closed.value, "rcvd", None) is not None
        assert closed.value.rcvd.code == 1008  # type: ignore[attr-defined]
    # Without Origin (not a browser) the cookie does not count either.
    with connect(url, additional_headers={"Cookie": cookie}, open_timeout=10) as ws:
        with pytest.raises(Exception) as closed:
            ws.recv(timeout=10)  # no first message: refused after the wait
        assert closed.value.rcvd.code == 1008  # type: ignore[attr-defined]

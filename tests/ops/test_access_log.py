"""No token in the server's logs: `welcome-center serve` masks uvicorn's access log and
WebSocket lines (app/ops/logmask.py). A real server, its stderr captured."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from websockets.sync.client import connect

from app.ops.logmask import mask
from tests.conftest import DISPLAY, KIOSK


def test_the_mask() -> None:
    assert mask("GET /api/v1/visits/Ab-_9/cancel") == "GET /api/v1/visits/***/cancel"
    assert mask("/api/v1/visits/phone-link") == "/api/v1/visits/phone-link"
    assert mask("/api/v1/visits/by-code") == "/api/v1/visits/by-code"
    assert mask("/ws/visits/Ab9?token=x") == "/ws/visits/***?token=***"
    assert mask("/display/?center=l&token=d&desk=r1") == "/display/?center=l&token=***&desk=r1"
    assert mask("/visit/?c=lippe&t=Ab9") == "/visit/?c=lippe&t=***"


def test_no_token_reaches_the_log(served: tuple[str, Path]) -> None:
    base, log = served
    ws = base.replace("http", "ws", 1)
    origin = {"Origin": base}
    with httpx.Client(base_url=base, timeout=10) as client:
        r = client.post(
            "/api/v1/centers/lippe/visits",
            json={"language": "de", "needs": ["residence"]},
            headers={"Authorization": f"Bearer {KIOSK}"},
        )
        assert r.status_code == 201, r.text
        visit = r.json()["token"]
        assert client.get(f"/api/v1/visits/{visit}").status_code == 200
        r = client.post("/api/v1/auth/login", json={"username": "abh1", "password": "demo-abh"})
        assert r.status_code == 200, r.text
        staff = r.json()["access_token"]
        client.cookies.clear()
        # Device setup addresses and the phone page's older link form.
        assert client.get(f"/kiosk/?center=lippe&token={KIOSK}").status_code == 200
        assert client.get(f"/display/?center=lippe&token={DISPLAY}").status_code == 200
        assert client.get(f"/visit/?c=lippe&t={visit}").status_code == 200
    sockets = (
        f"{ws}/ws/visits/{visit}",
        f"{ws}/ws/centers/lippe/display?token={DISPLAY}",
        f"{ws}/ws/desks/r112?token={staff}",
    )
    for url in sockets:
        with connect(url, additional_headers=origin, open_timeout=10) as socket:
            assert '"snapshot"' in str(socket.recv(timeout=10))
    time.sleep(0.5)  # the last lines reach the file

    text = log.read_text()
    for token in (visit, KIOSK, DISPLAY, staff):
        assert token not in text, f"a token in the log:\n{text}"
    # The lines are there, masked.
    assert '"path": "/api/v1/visits/***"' in text, text
    assert "/ws/visits/***" in text and "/ws/centers/lippe/display?token=***" in text, text
    assert "/display/?center=lippe&token=***" in text, text

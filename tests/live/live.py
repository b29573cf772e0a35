"""A real server in a subprocess, and a few client helpers, for the live-update tests."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import websockets

from bench.liveserver import ORIGIN, LiveServer, free_port

__all__ = ["DISPLAY", "KIOSK", "ORIGIN", "LiveServer", "check_in", "connect", "free_port", "login"]

KIOSK = "demo-kiosk-token-foyer"
DISPLAY = "demo-display-token-wartebereich"


async def recv(ws: Any, wait: float = 10) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout=wait))


async def connect(url: str, **kwargs: Any) -> Any:
    return await websockets.connect(url, open_timeout=10, **kwargs)


async def login(client: httpx.AsyncClient, username: str) -> str:
    password = "demo-admin" if username == "admin" else f"demo-{username.removesuffix('1')}"
    r = await client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


async def check_in(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    body.setdefault("language", "de")
    body.setdefault("needs", ["residence"])
    r = await client.post(
        "/api/v1/centers/lippe/visits", json=body, headers={"Authorization": f"Bearer {KIOSK}"}
    )
    assert r.status_code == 201, r.text
    return r.json()

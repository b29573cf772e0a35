"""The browser tests' server is `welcome-center serve` itself, with production's sockets.

app/cli.py WS_OPTIONS: uvicorn's sans-I/O protocol (app/live/protocol.py), no
per-message-deflate, 64 KiB messages at most. A server built another way (uvicorn's
defaults) negotiates deflate and takes a megabyte: these checks would fail.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from app.cli import WS_OPTIONS


def display_socket(server: Any) -> Any:
    url = server.base.replace("http://", "ws://")
    return connect(
        f"{url}/ws/centers/lippe/display?token={server.display_token}",
        origin=server.base,
        open_timeout=10,
        compression="deflate",  # offered, as browsers do
    )


def test_the_server_is_the_serve_command(server: Any) -> None:
    assert list(server.process.args[-6:]) == [
        "app.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        server.base.rsplit(":", 1)[1],
    ]


def test_sockets_run_without_deflate_and_snapshot_first(server: Any) -> None:
    assert WS_OPTIONS["ws_per_message_deflate"] is False
    with display_socket(server) as ws:
        assert ws.response.headers.get("Sec-WebSocket-Extensions") is None  # deflate declined
        first = json.loads(ws.recv(timeout=10))
        assert first["type"] == "snapshot"


def test_a_message_over_64_kib_closes_the_socket(server: Any) -> None:
    assert WS_OPTIONS["ws_max_size"] == 64 * 1024
    with display_socket(server) as ws:
        ws.recv(timeout=10)  # the snapshot
        ws.send("x" * (64 * 1024 + 1))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # too big

"""Over-long WebSocket handshake requests get an answer and a close, not silence.

websockets' parser refuses a request line over 8 KiB and stops reading; uvicorn's
protocol then neither answered nor closed (issue 11: 100 such connections still open
after 150 s). app/live/protocol.py answers 414 and closes.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.liveserver import LiveServer
from tests.ops.today import open_today

pytestmark = pytest.mark.slow


@pytest.fixture
def port(template_db: Path, tmp_path: Path) -> Iterator[int]:
    path = tmp_path / "welcome.db"
    shutil.copy(template_db, path)
    url = f"sqlite+aiosqlite:///{path}"
    asyncio.run(open_today(url))
    server = LiveServer(url, quiet=True).start()
    try:
        yield server.port
    finally:
        server.stop()


def handshake(port: int, length: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    path = "/ws/centers/lippe/display?token=" + "a" * length
    sock.sendall(
        f"GET {path} HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    return sock


def answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (a timeout fails the test)."""
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    sock.close()
    return data


def test_over_long_handshake_paths_are_answered_and_closed(port: int) -> None:
    sockets = [handshake(port, 9000 + n * 500) for n in range(100)]
    for sock in sockets:
        assert answer(sock).startswith(b"HTTP/1.1 414 ")
    # A handshake of ordinary length is still judged on its token as before.
    assert answer(handshake(port, 20)).startswith(b"HTTP/1.1 403 ")

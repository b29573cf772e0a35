"""uvicorn's sans-I/O `websockets` protocol, lighter per open socket (cli.WS_OPTIONS).

Selected by import string (`ws="app.live.protocol:SocketProtocol"`); the wire
behaviour is uvicorn's own, unchanged. Three things a socket no longer carries for
the hours it stays open (measured with tracemalloc over 1,000 display sockets):

- the handshake request and response (header objects, ~4.5 KiB): uvicorn keeps both
  for the life of the connection but reads the response only to send the accept, and
  the request never again (the ASGI scope has its own copy of the headers). The
  request's headers are emptied too, once uvicorn has built the scope and the
  response from them: websockets' parser keeps the Request object it produced
  alive as a local of its (suspended) parse generator for as long as the socket is open;
- asyncio.Queue for the ASGI receive channel (three deques, ~2.5 KiB): a list and a
  future made only while the application waits;
- asyncio.Event for write flow control (a deque, ~0.8 KiB): a flag and a future made
  only while a send waits for the transport to drain.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import SecurityError
from websockets.http11 import Request


class Inbox:
    """What uvicorn's protocol uses of asyncio.Queue: put_nowait, get, empty."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> Any:
        while not self._items:
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            finally:
                if self._waiter is waiter:
                    self._waiter = None
        return self._items.pop(0)

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)


class Flag:
    """What uvicorn's protocol uses of asyncio.Event: set, clear, is_set, wait."""

    __slots__ = ("_set", "_waiters")

    def __init__(self, value: bool = False) -> None:
        self._set = value
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> None:
        if self._set:
            return
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)


class SocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = Inbox()  # type: ignore[assignment]
        self.writable = Flag(True)  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self.handshake_initiated and self.conn.handshake_exc is not None:
            # websockets refused the handshake request itself (e.g. a request line over
            # 8 KiB) and only stopped reading: without an answer and a close the client
            # and this connection would wait for ever (issue 11: 100 left hanging).
            self.transport.write(refusal(self.conn.handshake_exc))
            self.transport.close()

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        # uvicorn has built the scope (with its own copy of the headers) and the
        # response from it: nothing reads the request again.
        event.headers.clear()
        self.__dict__.pop("request", None)

    async def send(self, message: Any) -> None:
        await super().send(message)
        if self.handshake_complete and "response" in self.__dict__:
            del self.response  # accepted or refused: sent, and never read again


def refusal(exc: BaseException) -> bytes:
    """A plain HTTP answer to a handshake request websockets could not parse."""
    too_long = isinstance(exc, SecurityError) or isinstance(exc.__cause__, SecurityError)
    status = "414 URI Too Long" if too_long else "400 Bad Request"
    return f"HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n".encode()

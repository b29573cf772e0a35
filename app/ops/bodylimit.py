"""Request bodies end at WELCOME_MAX_BODY_BYTES: 413 problem+json, nothing read beyond it.

A declared Content-Length over the limit is answered before a byte of the body is read;
a body without one (chunked) is counted as it arrives and the reading handler gets
BodyTooLarge, an HTTPException, so FastAPI's body parsing passes it on unchanged and the
app's handler renders it (a 4xx: the connection stays open).
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROBLEM = "application/problem+json"
CODE = "body_too_large"


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body exceeds {limit} bytes")
        self.limit = limit


def too_large_body(limit: int) -> dict[str, object]:
    return {
        "type": "about:blank",
        "status": 413,
        "title": "Content too large",
        "detail": f"the request body exceeds {limit} bytes",
        "code": CODE,
        "limit": limit,
    }


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.larger = larger or {}  # path suffix -> its own limit (uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit = next((n for end, n in self.larger.items() if path.endswith(end)), self.limit)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(send, limit)
            return
        seen = 0

        async def counting() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counting, send)

    async def _refuse(self, send: Send, limit: int) -> None:
        body = json.dumps(too_large_body(limit)).encode()
        headers = [(b"content-type", PROBLEM.encode()), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None

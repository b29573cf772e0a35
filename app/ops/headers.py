"""Security headers on every HTTP response (a pure ASGI middleware).

WelcomeApp wraps its whole HTTP stack in it (app/main.py), so error responses carry
the headers too; WebSocket scopes never reach it (they pass through untouched anyway).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The pages (kiosk, visit, display, staff, the start page) and every other response.
# Everything from the app's own origin; no inline script anywhere.
PAGE_CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",  # `<link rel="icon" href="data:,">`: no favicon request
        # No inline style either: the kiosk's pictograms take their image from icons.css
        # by data-icon (scripts may still set element.style, which CSP does not govern).
        "style-src 'self'",
        "script-src 'self'",
        "connect-src 'self' ws: wss:",  # the live sockets (same host; 'self' alone
        # does not cover ws: in every browser)
        "media-src 'self' blob:",  # the display's spoken call
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# /docs and /redoc (app/ops/docs.py): Swagger UI and ReDoc, served locally, style their
# elements inline (React style attributes; ReDoc's styled-components write <style>
# elements) and ReDoc runs its search in a worker made from a blob. Still no script from
# anywhere but the app and no inline script.
DOCS_CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self' 'unsafe-inline'",
        "script-src 'self'",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
DOCS_PATHS = ("/docs", "/redoc")
HSTS = "max-age=31536000"  # a year; no includeSubDomains: the district's other hosts
COMMON = (
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),  # a page's address can carry a device token
    ("x-frame-options", "DENY"),  # frame-ancestors for browsers without CSP level 2
)


def headers_for(path: str, https: bool) -> list[tuple[str, str]]:
    docs = path in DOCS_PATHS or path.startswith("/docs/")
    out = [*COMMON, ("content-security-policy", DOCS_CSP if docs else PAGE_CSP)]
    if https:
        out.append(("strict-transport-security", HSTS))
    return out


class SecurityHeaders:
    """Adds the headers a response does not set itself; `Cache-Control: no-store` on
    /api/ responses (tokens and personal data travel there) unless a route chose its own
    caching (announce.wav: a public sound, cached for replays)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        extra = headers_for(path, scope.get("scheme") == "https")
        if path.startswith("/api/"):
            extra.append(("cache-control", "no-store"))

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra:
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, sending)

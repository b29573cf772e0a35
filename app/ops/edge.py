"""What every HTTP request passes first: the real client address, then the body limit.

`X-Forwarded-For` and `X-Forwarded-Proto` count only from a peer listed in
WELCOME_TRUSTED_PROXIES (addresses or networks; empty: never), uvicorn's own
ProxyHeadersMiddleware doing the parsing (the right-most address not a trusted proxy is
the client). It runs inside the app rather than in uvicorn (`serve` turns uvicorn's off),
so the same rule holds however the app is served, and the sign-in throttle
(app/auth/throttle.py) and HSTS (app/ops/headers.py) see the same client.
"""

from __future__ import annotations

from starlette.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.config import Settings
from app.ops.bodylimit import BodyLimit


def trusted_proxies(settings: Settings) -> list[str]:
    return [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]


# Administrators' file uploads (an invitation list as CSV: a day's invitees, a few
# hundred bytes each) may be larger than any other body.
UPLOADS = ("/invitations/upload",)
UPLOAD_BYTES = 2 * 1024 * 1024


def edge(app: ASGIApp, settings: Settings) -> ASGIApp:
    uploads = {suffix: max(UPLOAD_BYTES, settings.max_body_bytes) for suffix in UPLOADS}
    inner: ASGIApp = BodyLimit(app, settings.max_body_bytes, uploads)
    proxies = trusted_proxies(settings)
    if proxies:
        inner = ProxyHeadersMiddleware(inner, trusted_hosts=proxies)  # type: ignore[arg-type,assignment]
    return inner

"""The staff session in a browser: its two cookies and the checks that keep them safe.

Login sets the session cookie (`token.HMAC`, HttpOnly) and a readable CSRF cookie (the
session's anti-forgery token), both SameSite=Strict, Path=/, for the token's absolute
lifetime, and `Secure` with the `__Host-` name prefix when the site is HTTPS (the
request came over HTTPS, as uvicorn reports it from a trusted proxy's
X-Forwarded-Proto, or `WELCOME_PUBLIC_URL` is https): a `__Host-` cookie cannot be set
by plain HTTP or by another subdomain, and an HTTPS site reads only the prefixed names.

A cookie is ambient (the browser adds it to any request to this site), so an unsafe
request authenticated by it must also carry `X-CSRF-Token`; a bearer token is never
sent by the browser on its own, so it needs none. `app.deps.optional_principal`
enforces this for every route at once.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from app.auth.principal import SESSION_COOKIE, Credential, presented
from app.auth.security import check_csrf, csrf_token, sign_session, unsign_session
from app.config import Settings

CSRF_COOKIE = "wc_csrf"
HOST_PREFIX = "__Host-"
CSRF_HEADER = "X-CSRF-Token"
# A page's own polling says so: it is not the user's activity, so it does not keep an
# idle session alive (only safe methods; a change is always activity).
BACKGROUND_HEADER = "X-Background"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_secure(request: HTTPConnection, settings: Settings) -> bool:
    secure_scheme = request.url.scheme in ("https", "wss")  # a socket's handshake: wss
    return secure_scheme or settings.public_url.startswith("https://")


def cookie_names(secure: bool) -> tuple[str, str]:
    """(session cookie, CSRF cookie) as this site names them."""
    prefix = HOST_PREFIX if secure else ""
    return prefix + SESSION_COOKIE, prefix + CSRF_COOKIE


def credential(request: Request, settings: Settings) -> Credential | None:
    """The caller's token: a bearer token, else the session cookie with a valid signature."""
    session_name, _ = cookie_names(is_secure(request, settings))
    cookie = unsign_session(request.cookies.get(session_name), settings.signing_key)
    return presented(request.headers.get("authorization"), cookie)


def socket_session(ws: HTTPConnection, settings: Settings) -> str | None:
    """The staff session token a socket's handshake carries in its cookie, or None.

    A handshake has no CSRF token to send, and a page on any site can open a socket to
    this one (the browser adds the cookie): so the cookie counts only when the handshake
    comes from a page of an allowed origin (WELCOME_ALLOWED_ORIGINS; a browser always
    sends `Origin` on a socket). What the session may open is then checked like a bearer
    token's (app.auth.access).
    """
    origin = ws.headers.get("origin")
    if origin is None or origin.rstrip("/") not in settings.origins:
        return None
    session_name, _ = cookie_names(is_secure(ws, settings))
    return unsign_session(ws.cookies.get(session_name), settings.signing_key)


def csrf_ok(request: Request, token: str, settings: Settings) -> bool:
    """Whether a request authenticated by the session cookie may proceed."""
    if request.method in SAFE_METHODS:
        return True
    return check_csrf(request.headers.get(CSRF_HEADER), token, settings.signing_key)


def is_background(request: Request) -> bool:
    value = request.headers.get(BACKGROUND_HEADER, "").strip().lower()
    return request.method in SAFE_METHODS and value in ("1", "true")


def from_this_site(request: Request, settings: Settings) -> bool:
    """Login CSRF: a browser posting the sign-in form from another site is refused.

    Browsers send `Origin` with every POST and `Sec-Fetch-Site` with every request;
    scripts and kiosks send neither. An origin counts when it is one of
    WELCOME_ALLOWED_ORIGINS or names the host the request was sent to.
    """
    if request.headers.get("sec-fetch-site", "").lower() == "cross-site":
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    origin = origin.rstrip("/")
    if origin in settings.origins:
        return True
    host = request.headers.get("host", "")
    return bool(host) and urlsplit(origin).netloc == host


def set_session_cookies(
    response: Response, request: Request, settings: Settings, token: str
) -> None:
    secure = is_secure(request, settings)
    session_name, csrf_name = cookie_names(secure)
    key = settings.signing_key
    # The CSRF cookie is readable on purpose: a page sends its value back in X-CSRF-Token.
    for name, value, httponly in (
        (session_name, sign_session(token, key), True),
        (csrf_name, csrf_token(token, key), False),
    ):
        response.set_cookie(
            name,
            value,
            max_age=int(settings.staff_token_hours * 3600),
            path="/",
            secure=secure,
            httponly=httponly,
            samesite="strict",
        )


def clear_session_cookies(response: Response, request: Request, settings: Settings) -> None:
    secure = is_secure(request, settings)
    for name in cookie_names(secure):
        response.delete_cookie(name, path="/", secure=secure, samesite="strict")

"""Request dependencies shared by the routers: database, clock, caller, JSON bodies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from app.auth import revocation as _revocation  # noqa: F401  (its listeners empty the cache)
from app.auth.cookies import CSRF_HEADER, credential, csrf_ok, is_background
from app.auth.principal import Lookup, Principal, lookup
from app.auth.security import hash_token
from app.auth.service import touch, touch_due
from app.config import Settings
from app.db import Database
from app.errors import Forbidden, Invalid, NotAuthenticated
from app.ops.jsoninput import load_json

M = TypeVar("M", bound=BaseModel)


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


Clock = Callable[[], datetime]


def get_clock(request: Request) -> Clock:
    return app_clock(request.app)


def app_clock(app: Any) -> Clock:
    """The app's clock (tests set `app.state.clock`), for requests and sockets alike."""
    clock: Clock | None = getattr(app.state, "clock", None)
    return clock or (lambda: datetime.now(UTC))


DbDep = Annotated[Database, Depends(get_db)]
ClockDep = Annotated[Clock, Depends(get_clock)]


async def optional_principal(request: Request, db: DbDep, clock: ClockDep) -> Principal | None:
    """The caller, or None; why a presented credential did not count is kept for
    require_principal (`session_expired`, `csrf_failed`).

    The one place sessions are checked, for every route: the session cookie counts only
    with this server's signature (WELCOME_SECRET_KEY) and, for an unsafe method, with the
    session's CSRF token in `X-CSRF-Token` (a bearer token needs none: no browser sends
    it by itself); a staff session ends at its absolute lifetime and after
    WELCOME_STAFF_IDLE_MINUTES without activity, which is recorded here.
    """
    settings: Settings = request.app.state.settings
    found = credential(request, settings)
    if found is None:
        return None
    now = clock()
    result = await _looked_up(db, found.token, now=now, idle=settings.staff_idle)
    principal = result.principal
    if result.ended:
        request.state.auth_refusal = SESSION_EXPIRED
    if principal is None:
        return None
    if found.from_cookie and not csrf_ok(request, found.token, settings):
        # An ambient cookie without the page's token: it could be a forged request.
        request.state.auth_refusal = CSRF_FAILED
        return None
    session_id = principal.session_id  # staff only: devices have no session to keep
    if (
        session_id is not None
        and not is_background(request)
        and touch_due(result.active_at, now, settings.staff_idle)
    ):
        await touch(db, session_id=session_id, now=now)
    return principal


async def _looked_up(db: Database, token: str, *, now: datetime, idle: timedelta | None) -> Lookup:
    """The token's caller, from the callers resolved a moment ago where one still holds
    (app/auth/principal_cache.py: what stays exact and for how long)."""
    cache = db.caches.principals
    digest = hash_token(token)
    hit = cache.get(digest, now=now, idle=idle)
    if hit is not None:
        return Lookup(hit.principal, active_at=hit.active_at, expires_at=hit.expires_at)
    generation = cache.generation
    async with db.read() as session:
        result = await lookup(session, token, now=now, idle=idle)
    if result.principal is not None:
        cache.put(
            digest,
            result.principal,
            generation=generation,
            active_at=result.active_at,
            expires_at=result.expires_at,
        )
    return result


SESSION_EXPIRED = "session_expired"
CSRF_FAILED = "csrf_failed"


async def require_principal(
    request: Request,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is not None:
        return principal
    refusal = getattr(request.state, "auth_refusal", None)
    if refusal == CSRF_FAILED:
        raise Forbidden(
            f"a request signed in by cookie must send the session's {CSRF_HEADER} header",
            code=CSRF_FAILED,
        )
    if refusal == SESSION_EXPIRED:
        raise NotAuthenticated(
            "the session has ended (signed in too long ago or idle too long): sign in again",
            code=SESSION_EXPIRED,
        )
    raise NotAuthenticated("a valid bearer token is required")


PrincipalDep = Annotated[Principal, Depends(require_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(optional_principal)]


def json_body_doc(model: type[BaseModel], *, required: bool = True) -> dict[str, Any]:
    """OpenAPI for a body that parse_body reads by hand (so auth can come first)."""
    content = {"application/json": {"schema": _inline_defs(model.model_json_schema())}}
    return {"requestBody": {"required": required, "content": content}}


def no_content(description: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI for a route's 204 answer."""
    return {204: {"description": description}}


def _inline_defs(schema: dict[str, Any]) -> dict[str, Any]:
    """Pydantic's `#/$defs/X` would resolve against the whole OpenAPI document: inline them."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk(defs[ref.removeprefix("#/$defs/")])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    inlined: dict[str, Any] = walk(schema)
    return inlined


def _field_name(loc: tuple[Any, ...]) -> str:
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "body"


async def parse_body(request: Request, model: type[M], *, empty_ok: bool = False) -> M:
    """Bodies are parsed inside the handler, after authentication, never before it."""
    raw = await request.body()
    if not raw.strip():
        if empty_ok:
            return model()
        raise Invalid("body", "a JSON object is required")
    data = load_json(raw)  # depth, huge numbers, NUL and lone surrogates: 422, never 500
    if not isinstance(data, dict):
        raise Invalid("body", "must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc) from None


def validation_error(exc: ValidationError) -> Invalid:
    errors = exc.errors(include_url=False)
    first = errors[0]
    field = _field_name(tuple(first["loc"]))
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    value = first.get("input") if first["type"] != "missing" else None
    if isinstance(value, (dict, list)):
        value = None
    err = Invalid(field, message, value)
    err.extra["errors"] = [
        {"field": _field_name(tuple(e["loc"])), "message": e["msg"]} for e in errors
    ]
    return err

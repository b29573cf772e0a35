"""Staff sessions: login, logout, the caller's sessions, an administrator ending a user's."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from app.auth import service
from app.auth.access import AdminCaller, UserCaller
from app.auth.cookies import clear_session_cookies, credential, from_this_site, set_session_cookies
from app.auth.models import User
from app.auth.principal import idle_since
from app.auth.schemas import EndedOut, LoginBody, LoginOut, MeOut, SessionOut, UserOut
from app.auth.security import csrf_token
from app.auth.throttle import LoginThrottle
from app.config import Settings
from app.deps import ClockDep, DbDep, PrincipalDep, json_body_doc, parse_body
from app.errors import Forbidden, NotAuthenticated, NotFound, problem_responses

# One router for /auth and /admin (so app.main includes it once).
router = APIRouter(prefix="/api/v1", responses=problem_responses(400, 401, 403, 422, 429))


@router.post("/auth/login", tags=["auth"], openapi_extra=json_body_doc(LoginBody))
async def login(request: Request, response: Response, db: DbDep, clock: ClockDep) -> LoginOut:
    settings: Settings = request.app.state.settings
    # Login CSRF: another site must not sign a browser in (to an account of its choosing).
    if not from_this_site(request, settings):
        raise Forbidden("sign-in from another site is refused", code="csrf_failed")
    body = await parse_body(request, LoginBody)
    throttle: LoginThrottle = request.app.state.login_throttle
    client = request.client.host if request.client else "unknown"
    # Counted before the password is checked, so concurrent guesses cannot outrun it.
    attempt = throttle.begin(username=body.username, client=client)
    presented = credential(request, settings)
    try:
        # No transaction around it: the service verifies the hash in a thread between
        # a read and a short write, so a login never holds the write lock.
        token, user = await service.login(
            db,
            username=body.username,
            password=body.password,
            now=clock(),
            hours=settings.staff_token_hours,
            idle=settings.staff_idle,
            # A new session id on every sign-in: the one this browser had ends.
            replaces=presented.token if presented else None,
        )
    except NotAuthenticated:
        raise  # a wrong guess: it stays counted
    except BaseException:
        throttle.abandon(attempt)
        raise
    throttle.succeeded(attempt)
    set_session_cookies(response, request, settings, token)
    return LoginOut(
        access_token=token,
        expires_in=int(settings.staff_token_hours * 3600),
        idle_timeout=int(settings.staff_idle.total_seconds()),
        csrf_token=csrf_token(token, settings.signing_key),
        user=UserOut(username=user.username, role=user.role, agency=user.agency_code),
    )


@router.post("/auth/logout", tags=["auth"], status_code=204)
async def logout(request: Request, db: DbDep, principal: PrincipalDep) -> Response:
    settings: Settings = request.app.state.settings
    presented = credential(request, settings)
    if presented and principal.session_id is not None:
        async with db.write() as session:
            await service.logout(session, token=presented.token)
    response = Response(status_code=204)
    clear_session_cookies(response, request, settings)
    return response


@router.get("/auth/me", tags=["auth"])
async def me(principal: PrincipalDep) -> MeOut:
    return MeOut(name=principal.name, role=principal.kind, agency=principal.agency)


@router.get("/auth/sessions", tags=["auth"])
async def sessions(
    request: Request, db: DbDep, clock: ClockDep, principal: UserCaller
) -> list[SessionOut]:
    """The caller's own sessions that have not ended (never a token)."""
    settings: Settings = request.app.state.settings
    now = clock()
    assert principal.user_id is not None  # user callers sign in
    async with db.read() as session:
        rows = await service.sessions_of(session, user_id=principal.user_id, now=now)
    out = []
    for row in rows:
        idle_ends = idle_since(row.created_at, row.last_seen_at) + settings.staff_idle
        if idle_ends <= now:
            continue  # ended by inactivity; cleared at the next sign-in
        out.append(
            SessionOut(
                id=row.id,
                created_at=row.created_at,
                last_active_at=idle_since(row.created_at, row.last_seen_at),
                expires_at=min(row.expires_at, idle_ends),
                absolute_expires_at=row.expires_at,
                current=row.id == principal.session_id,
            )
        )
    return out


@router.post(
    "/admin/users/{username}/end-sessions",
    tags=["admin"],
    responses=problem_responses(404),
)
async def end_sessions(username: str, db: DbDep, principal: AdminCaller) -> EndedOut:
    """End every session of a user of the administrator's own center (404 for another's)."""
    async with db.write() as session:
        user = await session.scalar(select(User).where(User.username == username))
        if user is None or user.center_id != principal.center_id:
            raise NotFound(f"unknown user '{username}'", code="unknown_user")
        ended = await service.end_sessions(session, user_id=user.id)
    return EndedOut(username=username, ended=ended)

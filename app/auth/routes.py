"""POST /api/v1/auth/login and logout."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.auth import service
from app.auth.principal import SESSION_COOKIE, bearer_token
from app.auth.schemas import LoginBody, LoginOut, MeOut, UserOut
from app.auth.security import sign_session, unsign_session
from app.auth.throttle import LoginThrottle
from app.config import Settings
from app.deps import ClockDep, DbDep, PrincipalDep, json_body_doc, parse_body
from app.errors import NotAuthenticated, problem_responses

router = APIRouter(
    prefix="/api/v1/auth", tags=["auth"], responses=problem_responses(400, 401, 422, 429)
)


@router.post(
    "/login",
    openapi_extra=json_body_doc(LoginBody),
)
async def login(request: Request, response: Response, db: DbDep, clock: ClockDep) -> LoginOut:
    body = await parse_body(request, LoginBody)
    settings: Settings = request.app.state.settings
    throttle: LoginThrottle = request.app.state.login_throttle
    client = request.client.host if request.client else "unknown"
    throttle.check(username=body.username, client=client)
    try:
        # No transaction around it: the service verifies the hash in a thread between
        # a read and a short write, so a login never holds the write lock.
        token, user = await service.login(
            db,
            username=body.username,
            password=body.password,
            now=clock(),
            hours=settings.staff_token_hours,
        )
    except NotAuthenticated:
        throttle.failed(username=body.username, client=client)
        raise
    throttle.succeeded(username=body.username)
    response.set_cookie(
        SESSION_COOKIE,
        sign_session(token, settings.signing_key),
        max_age=int(settings.staff_token_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return LoginOut(
        access_token=token,
        expires_in=int(settings.staff_token_hours * 3600),
        user=UserOut(username=user.username, role=user.role, agency=user.agency_code),
    )


@router.post("/logout", status_code=204)
async def logout(request: Request, db: DbDep, principal: PrincipalDep) -> Response:
    settings: Settings = request.app.state.settings
    cookie = unsign_session(request.cookies.get(SESSION_COOKIE), settings.signing_key)
    token = bearer_token(request.headers.get("authorization"), cookie)
    if token and principal.user_id is not None:
        async with db.write() as session:
            await service.logout(session, token=token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/me")
async def me(principal: PrincipalDep) -> MeOut:
    return MeOut(name=principal.name, role=principal.kind, agency=principal.agency)

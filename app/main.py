"""create_app(): lifespan, routers, error handlers, static front ends."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cached_property
from http import HTTPStatus
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.websockets import WebSocket
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from app.admin.routes import export as config_export_router
from app.admin.routes import public as pairing_router
from app.admin.routes import router as admin_router
from app.announce.routes import router as announce_router
from app.audit.routes import router as audit_router
from app.auth.routes import router as auth_router
from app.auth.throttle import LoginThrottle
from app.caches import Caches
from app.centers.routes import router as centers_router
from app.config import ROOT, Settings, get_settings
from app.db import Database
from app.demo.routes import router as start_router
from app.deps import app_clock, validation_error
from app.desks.routes import router as desks_router
from app.desks.timers import Timers
from app.errors import AppError
from app.invitations.routes import kiosk as invitation_kiosk_router
from app.invitations.routes import router as invitations_router
from app.live.bus import Bus, MemoryBus, PostgresBus
from app.live.hub import Hub
from app.live.ws import router as ws_router
from app.live.ws import serve, socket_route
from app.meta import router as meta_router
from app.ops.docs import VENDOR
from app.ops.docs import router as docs_router
from app.ops.edge import edge
from app.ops.faults import install_fault_handlers
from app.ops.headers import SecurityHeaders
from app.ops.health import router as health_router
from app.ops.logs import bind_request_id, echo_request_id
from app.ops.metrics import Metrics, MetricsMiddleware
from app.ops.metrics import router as metrics_router
from app.ops.params import clean_params
from app.ops.purge import DailyPurge, parse_at
from app.overview.routes import router as overview_router
from app.planner.routes import router as planner_router
from app.stats.rollup import Rollups
from app.stats.routes import router as stats_router
from app.visits.card_routes import router as card_router
from app.visits.phone_routes import router as phone_router
from app.visits.routes import router as visits_router
from app.web.pages import old_phone_page
from app.web.routes import router as web_router

log = logging.getLogger("welcome_center")
PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, code: str, **extra: Any) -> JSONResponse:
    body = {
        "type": "about:blank",
        "status": status,
        "title": title,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        response = problem(exc.status, exc.title, exc.detail, exc.code, **exc.extra)
        response.headers.update(exc.headers)  # WWW-Authenticate on 401, Retry-After on 429
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        from pydantic import ValidationError

        errors: list[Any] = list(exc.errors())
        err = validation_error(ValidationError.from_exception_data("request", errors))
        return problem(422, err.title, err.detail, err.code, **err.extra)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = HTTPStatus(exc.status_code).phrase
        detail = exc.detail if isinstance(exc.detail, str) else title
        code = title.lower().replace(" ", "_").replace("-", "_")
        response = problem(exc.status_code, title, detail, code)
        response.headers.update(exc.headers or {})  # e.g. Allow on 405
        return response

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem(
            500, "Internal server error", "an unexpected error occurred", "internal_error"
        )


class WelcomeApp(FastAPI):
    """FastAPI, with the live channels' handshakes dispatched before its middleware stack.

    A live socket stays open for hours and whatever sits on its call stack stays with
    it. Through FastAPI that is its and Starlette's __call__, the error, telemetry and
    body-limit middleware, the router and dependency machinery: none of them does
    anything for a WebSocket here (the error middleware and body limit are HTTP-only;
    the channels catch their own errors). The same handlers stay registered on the
    router (OpenAPI, url_path_for); every other request goes through FastAPI as before.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # First: one request id for everything a request or socket logs (in this frame,
        # not a wrapper's, which would stay on every open socket's stack).
        request_id = bind_request_id(scope)
        if scope["type"] == "websocket":
            route = socket_route(scope)
            if route is not None:
                scope["app"] = self
                opener, params = route
                await serve(WebSocket(scope, receive, send), opener, **params)
                return
        if scope["type"] == "http":
            send = echo_request_id(send, request_id)
        # Outside the middleware stack, so the 500s of Starlette's error middleware get
        # the security headers too (app/ops/headers.py).
        await SecurityHeaders(self._edge)(scope, receive, send)

    @cached_property
    def _edge(self) -> ASGIApp:
        # The client behind trusted proxies, then the body limit (app/ops/edge.py).
        return edge(super().__call__, self.state.settings)


def make_bus(settings: Settings, db: Database) -> Bus:
    if settings.bus_kind == "postgres":
        return PostgresBus(db.url)
    return MemoryBus()


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # create=False: a missing SQLite file is a fault (503), never a new empty database.
        db = database or Database(settings.database_url, caches=app.state.caches, create=False)
        app.state.db = db
        hub = Hub(
            db,
            make_bus(settings, db),
            queue_limit=settings.ws_queue_limit,
            sweep_seconds=settings.ws_sweep_seconds,
            clock=lambda: app_clock(app)(),
        )
        app.state.hub = hub
        hub.observe_lag = app.state.metrics.observe_bus_lag  # /metrics: event-bus lag
        await hub.start()
        # Tests set the clock after create_app: read it at each round.
        timers = Timers(db, lambda: app_clock(app)(), settings.timer_seconds)
        await timers.start()
        # The daily retention purge (WELCOME_RETENTION_DAYS, WELCOME_PURGE_AT): every
        # worker checks, the center's lock makes one of them do it.
        purger = DailyPurge(
            db,
            lambda: app_clock(app)(),
            at=parse_at(settings.purge_at),
            retention_days=settings.retention_days,
            audit_days=settings.audit_retention_days,
            every=settings.purge_check_seconds,
        )
        app.state.purger = purger
        await purger.start()
        # Statistics rollups of closed days, before anybody asks (app/stats/rollup.py).
        rollups = Rollups(
            db,
            lambda: app_clock(app)(),
            after=settings.stats_rollup_after,
            every=settings.purge_check_seconds,
        )
        app.state.rollups = rollups
        await rollups.start()
        # Everything loaded so far (modules, mappers, routes: ~270k objects) lives as
        # long as the process: out of the collector's sight, a full collection with
        # 1,000 sockets open takes ~20 ms instead of ~250 ms, which every live update
        # in flight would wait for.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await rollups.stop()
            await purger.stop()
            await timers.stop()
            await hub.stop()
            if database is None:
                await db.dispose()

    app = WelcomeApp(
        title="welcome-center",
        version="1",
        summary="Walk-in queue and multi-agency routing for Welcome-Centers",
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc from local files: app/ops/docs.py
        redoc_url=None,
        # Path and query parameters checked before any dependency reads the database.
        dependencies=[Depends(clean_params)],
    )
    app.state.settings = settings
    app.state.login_throttle = LoginThrottle()
    # Derived per center-day state (learned minutes, estimates): the app's, like the hub;
    # services reach it through their session's Database.
    app.state.caches = Caches()
    if database is not None:
        app.state.db = database
        database.caches = app.state.caches
    install_error_handlers(app)
    install_fault_handlers(app)  # database faults: 503 + Retry-After; 413
    routers = (auth_router, centers_router, visits_router, desks_router, ws_router, web_router)
    for router in (*routers, meta_router, audit_router, card_router, phone_router):
        app.include_router(router)
    app.include_router(announce_router)  # the display's spoken call (announce.wav)
    app.include_router(health_router)  # /healthz, /readyz (docs/api.md §9)
    app.include_router(metrics_router)  # /metrics, with WELCOME_METRICS_TOKEN only
    app.include_router(docs_router)
    # Days, devices, staff and the config file from the browser (docs/api.md §11)
    for router in (admin_router, pairing_router, config_export_router):
        app.include_router(router)
    app.include_router(stats_router)  # statistics from the event log (docs/api.md §12)
    app.include_router(overview_router)  # the live overview of the day (docs/api.md §10)
    # Invitations, letters, turnout and the kiosk's code lookup (docs/api.md §13)
    app.include_router(invitations_router)
    app.include_router(invitation_kiosk_router)
    app.include_router(planner_router)  # the what-if planner (docs/api.md §13)
    app.state.metrics = Metrics(app.state)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)

    front_ends = {"kiosk": ROOT / "kiosk", "visit": ROOT / "visit", "display": ROOT / "display"}
    front_ends["staff"] = ROOT / "app" / "web" / "staff"
    front_ends["admin"] = ROOT / "app" / "web" / "admin"  # the center's management pages
    front_ends["static/vendor"] = VENDOR  # Swagger UI, ReDoc; before /static to match first
    front_ends["static"] = ROOT / "app" / "web" / "static"  # the kit the front ends share
    front_ends["days"] = ROOT / "app" / "web" / "public" / "days"  # the public day list
    front_ends["pair"] = ROOT / "app" / "web" / "public" / "pair"  # a device's first start
    # Before the /kiosk mount: the phone page moved from /kiosk/v.html to /visit/.
    app.add_api_route("/kiosk/v.html", old_phone_page, include_in_schema=False)
    for name, folder in front_ends.items():
        if folder.is_dir():
            app.mount(f"/{name}", StaticFiles(directory=folder, html=True), name=name)

    app.include_router(start_router)  # `/`: the demo's start page, or a minimal page

    return app

"""Prometheus metrics at `/metrics`, for a bearer of WELCOME_METRICS_TOKEN only.

Per process: request latency by route template (never the raw path: visit tokens sit
in paths), open live sockets, the event bus's state, reconnects and lag (an event's
commit to its arrival at this process's hub). From the database
at scrape time (the same in every worker): today's check-ins, calls and waiting
visitors per center and agency.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import Database
from app.kinds import StepStatus

log = logging.getLogger("welcome_center.metrics")
router = APIRouter()

SCRAPE_DB_TIMEOUT = 2.0
# Seconds: a check-in or call answers in milliseconds; a slow database shows at 1-10 s.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# A hint arrives in milliseconds; the sweep (1 s) and a reconnecting listener show above.
LAG_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 15.0, 60.0)


class LiveCollector(Collector):
    """What the app holds in memory, read at scrape: sockets and the event bus."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        hub = getattr(self.state, "hub", None)
        rooms = getattr(hub, "rooms", {})
        sockets = sum(len(room.subscribers) for room in rooms.values())
        yield GaugeMetricFamily(
            "welcome_websockets_open", "Live-update sockets open in this process", sockets
        )
        bus = getattr(hub, "bus", None)
        connected = getattr(bus, "connected", None)
        up = 1 if connected is None or connected.is_set() else 0  # memory bus: always up
        yield GaugeMetricFamily(
            "welcome_event_bus_connected", "1 while the event bus listens (PostgreSQL)", up
        )
        yield CounterMetricFamily(
            "welcome_event_bus_reconnects",
            "Times the event bus's listener connection was lost and reopened",
            getattr(bus, "reconnects", 0),
        )
        caches = getattr(self.state, "caches", None)
        rooms = caches.rooms.values() if caches is not None else []
        yield CounterMetricFamily(
            "welcome_room_reloads",
            "Whole-room reads of the in-memory waiting rooms after their first "
            "(a hole in the log, a config change, a purge)",
            sum(room.state.reloads for room in rooms),
        )
        yield CounterMetricFamily(
            "welcome_room_catch_ups",
            "Times a waiting room read other writers' events from the log",
            sum(room.catch_ups for room in rooms),
        )


class Metrics:
    """One registry per app (tests build many apps in one process)."""

    def __init__(self, state: Any) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.latency = Histogram(
            "welcome_http_request_duration_seconds",
            "HTTP request latency by route template",
            ("method", "route", "status"),
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.checkins = Gauge(
            "welcome_checkins_today",
            "Visitors checked in on the center's current day",
            ("center",),
            registry=self.registry,
        )
        self.calls = Gauge(
            "welcome_calls_today",
            "Steps called to a desk on the center's current day, by agency",
            ("center", "agency"),
            registry=self.registry,
        )
        self.waiting = Gauge(
            "welcome_waiting",
            "Steps waiting in an agency's queue now (pending, on hold included)",
            ("center", "agency"),
            registry=self.registry,
        )
        self.bus_lag = Histogram(
            "welcome_event_bus_lag_seconds",
            "From an event's commit to its arrival at this process's hub, by path: "
            "commit (written here) or log (read after a bus hint or the sweep)",
            ("path",),
            buckets=LAG_BUCKETS,
            registry=self.registry,
        )
        self.scrape_ok = Gauge(
            "welcome_metrics_database_ok",
            "1 if the database figures of this scrape could be read",
            registry=self.registry,
        )
        self.registry.register(LiveCollector(state))

    def observe_bus_lag(self, seconds: float, path: str) -> None:
        self.bus_lag.labels(path).observe(seconds)

    async def refresh(self, db: Database, now: datetime) -> None:
        try:
            async with asyncio.timeout(SCRAPE_DB_TIMEOUT):
                checkins, steps = await _today(db, now)
        except Exception as exc:
            log.warning("metrics: database figures unavailable (%s)", type(exc).__name__)
            self.scrape_ok.set(0)
            return
        for gauge in (self.checkins, self.calls, self.waiting):
            gauge.clear()
        for center, count in checkins.items():
            self.checkins.labels(center).set(count)
        for (center, agency), (calls, waiting) in steps.items():
            self.calls.labels(center, agency).set(calls)
            self.waiting.labels(center, agency).set(waiting)
        self.scrape_ok.set(1)

    def render(self) -> bytes:
        return generate_latest(self.registry)


async def _today(
    db: Database, now: datetime
) -> tuple[dict[str, int], dict[tuple[str, str], tuple[int, int]]]:
    from app.centers.models import Agency, Center
    from app.visits.models import Step, Visit

    async with db.read() as session:
        centers = (await session.execute(select(Center.id, Center.slug, Center.timezone))).all()
        today: dict[int, tuple[str, date]] = {
            cid: (slug, now.astimezone(ZoneInfo(tz)).date()) for cid, slug, tz in centers
        }
        days = {day for _, day in today.values()}
        checkins = {slug: 0 for slug, _ in today.values()}
        steps: dict[tuple[str, str], tuple[int, int]] = {}
        agencies = (await session.execute(select(Agency.center_id, Agency.code))).all()
        for cid, code in agencies:
            if cid in today:
                steps[(today[cid][0], code)] = (0, 0)
        if not days:
            return checkins, steps
        counted = await session.execute(
            select(Visit.center_id, Visit.date, func.count())
            .where(Visit.date.in_(days))
            .group_by(Visit.center_id, Visit.date)
        )
        for cid, day, count in counted:
            if cid in today and today[cid][1] == day:
                checkins[today[cid][0]] = count
        per_agency = await session.execute(
            select(
                Visit.center_id,
                Visit.date,
                Step.agency,
                func.count(Step.called_at),
                func.sum(case((Step.status == StepStatus.PENDING, 1), else_=0)),
            )
            .join(Visit, Step.visit_id == Visit.id)
            .where(Visit.date.in_(days))
            .group_by(Visit.center_id, Visit.date, Step.agency)
        )
        for cid, day, agency, calls, waiting in per_agency:
            if cid in today and today[cid][1] == day:
                steps[(today[cid][0], agency)] = (int(calls or 0), int(waiting or 0))
    return checkins, steps


def route_label(scope: Scope, root_path: str) -> str:
    """The matched route's template (`/api/v1/visits/{token}`), a mount's prefix
    (`/kiosk`), or `unmatched`: never the raw path."""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str) and path:
        return path
    mounted = scope.get("root_path", "")  # a mount extends root_path by its prefix
    if isinstance(mounted, str) and mounted != root_path and mounted.startswith(root_path):
        return mounted[len(root_path) :]
    return "unmatched"


class MetricsMiddleware:
    """Pure ASGI: times each HTTP request; anything else passes straight through."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        root_path = scope.get("root_path", "")
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = route_label(scope, root_path)
            elapsed = time.perf_counter() - start
            self.metrics.latency.labels(scope["method"], route, str(status)).observe(elapsed)


def _authorised(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    token: str = request.app.state.settings.metrics_token
    if not token:
        raise HTTPException(404)  # not configured: as if there were no such page
    if not _authorised(request, token):
        raise HTTPException(401, "a bearer token for metrics", {"WWW-Authenticate": "Bearer"})
    from app.deps import app_clock

    found: Metrics = request.app.state.metrics
    await found.refresh(request.app.state.db, app_clock(request.app)())
    return Response(
        found.render(), media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"}
    )

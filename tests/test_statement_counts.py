"""SQL statements per request do not grow with the waiting room (issue 10, item 4).

Each action is counted (tests/sqlcount.py) once with 5 visitors waiting and once with
600, the same way both times (a check-in just before, so the estimate cache is cold in
both): with the room in memory none of them reads more with a fuller room.
"""

from __future__ import annotations

import difflib
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.centers.context import load_context
from app.centers.models import Center
from app.config import Settings
from app.db import Database
from app.main import create_app
from app.visits import service
from app.visits.schemas import CheckIn
from tests.conftest import Clock, Harness
from tests.sqlcount import Statements, count_statements

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.parametrize(
        "db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
    ),
]

DESK = "r112"  # abh
NEED = {"needs": ["residence"], "residence_status": "recognised"}
# 600: past SQLAlchemy's selectin batches of 500, where a reload of the room grows.
SMALL, LARGE = 5, 600


@pytest.fixture(autouse=True)
def many_check_ins(monkeypatch: pytest.MonkeyPatch) -> None:
    """One kiosk checks in more than its per-minute limit here (read before the app starts)."""
    monkeypatch.setenv("WELCOME_KIOSK_CHECKINS", "1000/minute")
    # The timers' loop queries the same engine every few seconds: not part of a request.
    monkeypatch.setenv("WELCOME_TIMER_SECONDS", "0")


async def fill(h: Harness, more: int) -> None:
    """`more` abh visitors join the room (each measurement calls one and adds one).

    Through the service layer in one write of the app's own Database (its events reach
    the app as a check-in's do), so 600 take a second or two, not a minute of HTTP.
    """
    async with h.db.read() as session:
        center = await session.scalar(select(Center).where(Center.slug == "lippe"))
    assert center is not None
    async with h.db.write(center.id) as session:
        ctx = await load_context(session, center, now=h.clock())
        for _ in range(more):
            body = CheckIn.model_validate({"language": "de", **NEED})
            await service.check_in(session, ctx, body, now=h.clock(), idempotency_key=None)


Counts = dict[str, Statements]


async def counts(h: Harness, staff: dict[str, str]) -> Counts:
    """Statements of each action, with the room as it is."""
    out: Counts = {}
    engine = h.db.engine
    with count_statements(engine) as sql:
        visit = await h.check_in(**NEED)
    out["check-in"] = sql
    with count_statements(engine) as sql:
        r = await h.client.get(f"/api/v1/visits/{visit['token']}")
    assert r.status_code == 200, r.text
    out["status"] = sql
    for action, body in (("call-next", None), ("start", None), ("finish", ["residence"])):
        with count_statements(engine) as sql:
            r = await h.desk(DESK, action, staff, **({"resolved": body} if body else {}))
        assert r.status_code == 200, (action, r.text)
        out[action] = sql
    return out


# One measurement per backend serves every test below (each takes seconds to make).
_MEASURED: dict[str, tuple[Counts, Counts]] = {}


@pytest.fixture
async def measured(db_url: str, clock: Clock) -> tuple[Counts, Counts]:
    backend = db_url.split(":", 1)[0]
    if backend not in _MEASURED:
        # conftest's `harness`, made only when needed (an async fixture cannot be asked for)
        db = Database(db_url)
        app = create_app(Settings(demo=True, database_url=db_url), database=db)
        app.state.clock = clock
        try:
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                    _MEASURED[backend] = await _measure(Harness(c, db, clock, app))
        finally:
            await db.dispose()
    return _MEASURED[backend]


async def _measure(h: Harness) -> tuple[Counts, Counts]:
    staff = await h.login("abh1")
    assert (await h.desk(DESK, "open", staff)).status_code == 200
    await fill(h, SMALL)
    await counts(h, staff)  # warm: caches, first connections, the learned minutes
    small = await counts(h, staff)
    await fill(h, LARGE - SMALL)
    large = await counts(h, staff)
    print({a: (small[a].count, large[a].count) for a in small})  # for the record (-s)
    return small, large


def _same(measured: tuple[Counts, Counts], action: str) -> None:
    small, large = (m[action] for m in measured)
    shown = (
        [" ".join(t.split())[:140] for t in small.texts],
        [" ".join(t.split())[:140] for t in large.texts],
    )
    assert large.count == small.count, (
        f"{action}: {small.count} statements with {SMALL} waiting, {large.count} with "
        f"{LARGE}:\n" + "\n".join(difflib.unified_diff(*shown, lineterm="", n=0))
    )


async def test_check_in_reads_as_much_at_600_waiting_as_at_5(measured: Any) -> None:
    _same(measured, "check-in")


async def test_visit_status_reads_as_much_at_600_waiting_as_at_5(measured: Any) -> None:
    _same(measured, "status")


async def test_call_next_reads_as_much_at_600_waiting_as_at_5(measured: Any) -> None:
    _same(measured, "call-next")


async def test_start_reads_as_much_at_600_waiting_as_at_5(measured: Any) -> None:
    _same(measured, "start")


async def test_finish_reads_as_much_at_600_waiting_as_at_5(measured: Any) -> None:
    _same(measured, "finish")


# Issue 10, item 4: at most about six statements per write. Not yet: xfail, not strict.
TARGET = 6


@pytest.mark.xfail(
    strict=False,
    reason="issue 10 item 4: on SQLite 9 (check-in), 11 (call-next) and 13 (finish) "
    "statements per request today, sign-in and desk lookups before the lock included",
)
@pytest.mark.parametrize("action", ["check-in", "call-next", "finish"])
async def test_a_write_runs_at_most_six_statements(measured: Any, action: str) -> None:
    large = measured[1][action]
    assert large.count <= TARGET, large.report()

"""The rooms `make bench-http` measures in: databases prepared before any server starts.

The demo center with `desks` open desks (the demo's own plus bench desks `bx01`…, spread
over the agencies the bench's visitors need), today a full consultation day, and `count`
visitors waiting, checked in through the service layer (the same code a check-in runs,
without HTTP and without the estimate after it). The server starts on a copy, so each
paired run meets the same room.
"""

from __future__ import annotations

import itertools
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from app.cli import DEMO_FILE

# One need per agency, each served by exactly that agency for a recognised resident:
# the bench's visitors spread evenly, and every open desk has someone to call.
NEEDS = {
    "residence": "abh",
    "income": "jobcenter",
    "career": "aa",
    "case_management": "kim",
    "counselling": "beratung",
    "recognition": "anerkennung",
    "language_course": "sprache",
}
DEMO_DESKS = {  # the demo's desks of those agencies (tm_mitte/tm_kreis stay closed)
    "abh": ["r112", "r113"],
    "jobcenter": ["r114", "r115"],
    "aa": ["r116", "r117"],
}
TZ = ZoneInfo("Europe/Berlin")


def today() -> date:
    return datetime.now(TZ).date()


def body(i: int) -> dict[str, object]:
    """The i-th visitor's check-in body (kiosk JSON)."""
    need = list(NEEDS)[i % len(NEEDS)]
    return {"language": "de", "needs": [need], "residence_status": "recognised"}


def config_text(day: date, extra_desks: int) -> str:
    """The demo file with `extra_desks` more desks and `day` open to every agency all day."""
    text = DEMO_FILE.read_text(encoding="utf-8")
    head, _, _days = text.partition("\ndays:\n")
    desks_end = head.index("\nusers:\n")
    agencies = itertools.cycle(NEEDS.values())
    extra = "".join(
        f"  - code: bx{i:02d}\n"
        f'    room: {{de: "Bank {i}", en: "Bench {i}"}}\n'
        f"    agency: {next(agencies)}\n"
        "    languages: [de]\n"
        for i in range(1, extra_desks + 1)
    )
    days = f'\ndays:\n  - {{date: {day.isoformat()}, opens: "00:00", closes: "23:59"}}\n'
    return head[:desks_end] + "\n" + extra + head[desks_end:] + days


async def desk_codes(url: str) -> list[tuple[str, str]]:
    """(desk, agency) of every desk the bench opens, in opening order."""
    from sqlalchemy import select

    from app.centers.models import Desk
    from app.db import Database

    db = Database(url)
    try:
        async with db.read() as session:
            rows = (
                await session.execute(select(Desk.code, Desk.agency_code).order_by(Desk.position))
            ).all()
    finally:
        await db.dispose()
    return [(code, agency) for code, agency in rows if agency in NEEDS.values()]


async def prepare_template(url: str, desks: int) -> list[tuple[str, str]]:
    """Migrated database (call upgrade first), the bench center, `desks` desks open."""
    from sqlalchemy import select

    from app.centers.context import load_context
    from app.centers.loader import load_config_file
    from app.centers.models import Center
    from app.db import Database
    from app.desks import service as desk_service
    from app.kinds import DeskState

    ours = sum(len(v) for v in DEMO_DESKS.values()) + 4  # kim, beratung, anerkennung, sprache
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lippe.yaml"
        path.write_text(config_text(today(), max(0, desks - ours)), encoding="utf-8")
        db = Database(url)
        try:
            await load_config_file(db, path)
        finally:
            await db.dispose()
    opened = (await desk_codes(url))[:desks]
    db = Database(url)
    try:
        async with db.read() as session:
            center = await session.scalar(select(Center).where(Center.slug == "lippe"))
            assert center is not None
            center_id = center.id
        async with db.write(center_id) as session:
            center = await session.get(Center, center_id)
            assert center is not None
            ctx = await load_context(session, center, now=datetime.now(TZ))
            for code, _agency in opened:
                desk = ctx.desks[code]
                await desk_service.set_state(
                    session, ctx, desk, DeskState.OPEN, now=datetime.now(TZ)
                )
    finally:
        await db.dispose()
    return opened


async def prefill(url: str, count: int, *, batch: int = 100) -> list[str]:
    """`count` visitors waiting, checked in through the service layer; their tokens."""
    from sqlalchemy import select, text

    from app.centers.context import load_context
    from app.centers.models import Center
    from app.db import Database
    from app.visits import service
    from app.visits.schemas import CheckIn

    db = Database(url)
    tokens: list[str] = []
    try:
        async with db.read() as session:
            center_id = await session.scalar(select(Center.id).where(Center.slug == "lippe"))
        start = datetime.now(TZ) - timedelta(seconds=count)
        for first in range(0, count, batch):
            async with db.write(center_id) as session:
                center = await session.get(Center, center_id)
                assert center is not None
                ctx = await load_context(session, center, now=datetime.now(TZ))
                for i in range(first, min(count, first + batch)):
                    now = start + timedelta(seconds=i)  # one a second, in ticket order
                    visit, _ = await service.check_in(
                        session,
                        ctx,
                        CheckIn.model_validate(body(i)),
                        now=now,
                        idempotency_key=None,
                    )
                    agency = visit.steps[0].agency
                    assert agency == NEEDS[visit.steps[0].need], (visit.steps[0].need, agency)
                    tokens.append(visit.token)
        if db.is_sqlite:  # the copy the server starts on must hold everything
            async with db.read() as session:
                await session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    finally:
        await db.dispose()
    return tokens

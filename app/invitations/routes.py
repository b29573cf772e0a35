"""Invitations (docs/api.md §13): the center's admin lists, adds and uploads invitees and
prints their letters; the lead sees the turnout; the kiosk looks a letter's code up."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.access import AdminCenter, KioskCenter, ManagerCenter
from app.centers.context import load_context
from app.centers.models import Center, Day, Need
from app.deps import ClockDep, DbDep, json_body_doc, parse_body
from app.errors import Invalid, NotFound, problem_responses
from app.invitations import service
from app.invitations.claim import lookup
from app.invitations.codes import shown
from app.invitations.csv_import import COLUMNS, REASONS, CsvInvalid, parse
from app.invitations.letter import HTML, document
from app.invitations.models import Invitation
from app.invitations.schemas import (
    Imported,
    InvitationBody,
    InvitationLookup,
    InvitationOut,
    InvitationsOut,
    Turnout,
)

router = APIRouter(
    prefix="/api/v1/admin/centers/{slug}/invitations",
    tags=["invitations"],
    responses=problem_responses(400, 401, 403, 404, 422),
)
kiosk = APIRouter(
    prefix="/api/v1/centers/{slug}/invitations",
    tags=["invitations"],
    responses=problem_responses(401, 403, 404, 422),
)
MAX_CSV = 2 * 1024 * 1024  # as the body limit lets through for this path (app/ops/bodylimit.py)


class CsvBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    csv: Annotated[str, StringConstraints(max_length=MAX_CSV)]


def _date(value: str | None, field: str = "date") -> date:
    if value is None:
        raise Invalid(field, "a date YYYY-MM-DD is required")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(field, f"{value!r} is not a date YYYY-MM-DD", value) from None


@router.get("")
async def list_invitations(
    at: AdminCenter, db: DbDep, clock: ClockDep, date: str | None = None
) -> InvitationsOut:
    async with db.read() as session:
        ctx = await load_context(session, at.center, now=clock())
        day = await service.any_day(session, at.center, _date(date) if date else ctx.today)
        rows = await service.of_day(session, at.center, day.date)
        return InvitationsOut(
            date=day.date,
            invitations=[service.out(r, at.center, day) for r in rows if r.code],
            turnout=await service.turnout(session, at.center, day),
        )


@router.get("/turnout")
async def turnout(
    at: ManagerCenter, db: DbDep, clock: ClockDep, date: str | None = None
) -> Turnout:
    async with db.read() as session:
        ctx = await load_context(session, at.center, now=clock())
        day = await service.any_day(session, at.center, _date(date) if date else ctx.today)
        return await service.turnout(session, at.center, day)


@router.post("", status_code=201, openapi_extra=json_body_doc(InvitationBody))
async def add_invitation(
    at: AdminCenter, request: Request, db: DbDep, clock: ClockDep
) -> InvitationOut:
    body = await parse_body(request, InvitationBody)
    now = clock()
    async with db.read() as session:
        ctx = await load_context(session, at.center, now=now)
        day = await service.consultation_day(session, at.center, _date(body.date), ctx.today)
        needs = await service.check(session, at.center, body, day)
    (row,) = await service.add(db, at.center, day, [(body, needs)], now=now)
    return service.out(row, at.center, day)


@router.post(
    "/upload",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string", "description": ",".join(COLUMNS)}},
                "application/json": {"schema": CsvBody.model_json_schema()},
            },
        }
    },
)
async def upload(
    at: AdminCenter, request: Request, db: DbDep, clock: ClockDep, date: str | None = None
) -> Imported:
    """A CSV list, checked wholly before anything is stored: the first bad cell is a 422
    naming its row and column (code invalid_csv) and nothing is imported."""
    wanted = _date(date)
    raw = await request.body()
    if len(raw) > MAX_CSV:
        raise Invalid("body", f"at most {MAX_CSV} bytes per list")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("body", "the list must be UTF-8 text") from None
    if request.headers.get("content-type", "").startswith("application/json"):
        # The admin page sends the file's text through api.js, which speaks JSON.
        text = (await parse_body(request, CsvBody)).csv
    now = clock()
    rows = parse(text, wanted.isoformat())
    if not rows:
        raise Invalid("body", "the list has no invitees")
    async with db.read() as session:
        ctx = await load_context(session, at.center, now=now)
        day = await service.consultation_day(session, at.center, wanted, ctx.today)
        checked = []
        for number, body in rows:
            try:
                checked.append((body, await service.check(session, at.center, body, day)))
            except Invalid as exc:
                first = exc.extra["errors"][0]
                raise CsvInvalid(
                    number,
                    exc.field,
                    first["message"],
                    first.get("value"),
                    reason=REASONS.get(exc.field, "invalid"),
                ) from None
    added = await service.add(db, at.center, day, checked, now=now)
    return Imported(
        date=day.date,
        imported=len(added),
        invitations=[service.out(r, at.center, day) for r in added],
    )


async def _labels(session: AsyncSession, center: Center) -> dict[str, dict[str, str]]:
    rows = (
        await session.execute(select(Need.code, Need.label).where(Need.center_id == center.id))
    ).all()
    return {code: dict(label) for code, label in rows}


def _letters(text: str) -> HTMLResponse:
    # Names and addresses: never stored by a browser or a proxy.
    return HTMLResponse(text, headers={"Cache-Control": "no-store"})


@router.get("/letters.html", response_class=HTMLResponse, responses=HTML)
async def day_letters(
    at: AdminCenter, db: DbDep, clock: ClockDep, date: str | None = None
) -> HTMLResponse:
    """Every letter of a day, one A4 page each, in the invitee's language and German."""
    async with db.read() as session:
        ctx = await load_context(session, at.center, now=clock())
        day = await service.any_day(session, at.center, _date(date) if date else ctx.today)
        rows = await service.of_day(session, at.center, day.date)
        return _letters(document(rows, at.center, day, await _labels(session, at.center)))


@router.get("/{invitation_id}/letter.html", response_class=HTMLResponse, responses=HTML)
async def one_letter(invitation_id: int, at: AdminCenter, db: DbDep) -> HTMLResponse:
    async with db.read() as session:
        row = await session.get(Invitation, invitation_id)
        if row is None or row.center_id != at.center.id or row.code is None:
            raise NotFound(f"no invitation {invitation_id}", code="unknown_invitation")
        day = await session.scalar(
            select(Day).where(Day.center_id == at.center.id, Day.date == row.date)
        )
        assert day is not None
        return _letters(document([row], at.center, day, await _labels(session, at.center)))


@kiosk.get("/{code}")
async def find(code: str, center: KioskCenter, db: DbDep, clock: ClockDep) -> InvitationLookup:
    """The letter's code at the kiosk: today's invitation's language and needs, to prefill
    (the invitee confirms); nothing personal beyond that."""
    async with db.read() as session:
        ctx = await load_context(session, center, now=clock())
        row = await lookup(session, center.id, ctx.today, code)
        day = ctx.require_day()
        return InvitationLookup(
            code=shown(row.code or ""),
            language=row.language,
            needs=list(row.needs),
            window=service.window_of(row, day),
        )

"""The audit log for administrators: view with filters, export as CSV (itself audited)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.audit import service as audit
from app.audit.models import AuditEntry
from app.auth.access import AdminCenter, AtCenter
from app.deps import ClockDep, DbDep
from app.errors import Invalid, problem_responses

router = APIRouter(
    prefix="/api/v1/centers", tags=["audit"], responses=problem_responses(401, 403, 404, 422)
)
MAX_EXPORT = 100_000


class AuditOut(BaseModel):
    at: datetime
    actor: str = Field(description="username (or device name)")
    role: str
    agency: str | None
    desk: str | None
    visit_id: str | None
    ticket: str | None
    action: str = Field(description="read | card | change | export | config")
    fields: list[str] = Field(description="which fields: names, never values")


class AuditPage(BaseModel):
    total: int = Field(description="entries matching the filters, in all")
    entries: list[AuditOut] = Field(description="newest first")


Day = Annotated[date | None, Query(description="local date, inclusive")]
Text = Annotated[str | None, Query(max_length=64)]


class _Params:
    """The filters of both routes, as query parameters (`from` and `to` are local dates)."""

    def __init__(
        self,
        from_: Annotated[date | None, Query(alias="from", description="local date")] = None,
        to: Day = None,
        actor: Text = None,
        agency: Text = None,
        desk: Text = None,
        visit_id: Annotated[str | None, Query(max_length=36)] = None,
        ticket: Annotated[str | None, Query(max_length=8)] = None,
        action: Annotated[str | None, Query(pattern="^(read|card|change|export|config)$")] = None,
    ) -> None:
        self.from_, self.to = from_, to
        self.rest = {
            "actor": actor,
            "agency": agency,
            "desk": desk,
            "visit_id": visit_id,
            "ticket": ticket,
            "action": action,
        }

    def filters(self, at: AtCenter) -> audit.Filters:
        if self.from_ and self.to and self.to < self.from_:
            raise Invalid("to", "must not be before from", self.to.isoformat())
        tz = ZoneInfo(at.center.timezone)

        def start(day: date) -> datetime:
            return datetime.combine(day, time(0), tzinfo=tz)

        return audit.Filters(
            since=start(self.from_) if self.from_ else None,
            until=start(self.to + timedelta(days=1)) if self.to else None,
            **self.rest,
        )


Params = Annotated[_Params, Depends()]


def _out(entry: AuditEntry, tz: ZoneInfo) -> AuditOut:
    return AuditOut(
        at=entry.at.astimezone(tz),
        actor=entry.actor,
        role=entry.role,
        agency=entry.agency,
        desk=entry.desk,
        visit_id=entry.visit_id,
        ticket=entry.ticket,
        action=entry.action,
        fields=list(entry.fields or []),
    )


@router.get("/{slug}/audit")
async def audit_log(
    at: AdminCenter,
    db: DbDep,
    params: Params,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AuditPage:
    """Who read or changed which visitor's data, newest first."""
    tz = ZoneInfo(at.center.timezone)
    async with db.read() as session:
        total, rows = await audit.search(
            session, at.center.id, params.filters(at), limit=limit, offset=offset
        )
        return AuditPage(total=total, entries=[_out(e, tz) for e in rows])


@router.get(
    "/{slug}/audit.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "the matching entries"}},
)
async def audit_export(at: AdminCenter, db: DbDep, clock: ClockDep, params: Params) -> Response:
    """The matching entries as CSV; the export itself is recorded in the audit log."""
    f = params.filters(at)
    tz = ZoneInfo(at.center.timezone)
    async with db.read() as session:
        _, rows = await audit.search(session, at.center.id, f, limit=MAX_EXPORT)
        body = audit.to_csv(rows, tz)
    reads = audit.Reads(at.principal)
    reads.saw(f.visit_id, f.ticket, f.described(), audit.Action.EXPORT)
    await audit.record(db, reads, at=clock())
    name = f"audit-{at.center.slug}-{clock().astimezone(tz):%Y%m%d-%H%M}.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )

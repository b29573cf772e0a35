"""The audit log: who read which visitor's personal data, and who changed a visit.

Apart from the event log, which every desk reads and which holds no personal data,
and with a retention period of its own (`WELCOME_AUDIT_RETENTION_DAYS`). An entry names
the actor, role, agency, desk, visit and ticket, and which fields: names only, never a
value, so the audit log itself holds no visitor's answers.

When entries are written:
- A desk action (its own write transaction): in that transaction, the change (who did
  it: the event log only knows the desk) and what its answer showed.
- A read (`Database.read()`, no lock): the request collects what it showed in a
  `Reads`, and once the read session is closed `record` writes it in a short write of
  its own, before the response is sent. That write takes no center lock (audit rows
  decide nothing about the center's state), so a read never waits for desk actions
  beyond the database's own write lock, and a failed audit write fails the request: no
  read of personal data goes out unrecorded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEntry
from app.auth.principal import Principal
from app.db import Database
from app.journal.log import PENDING_KEY


class Action(StrEnum):
    READ = "read"  # answers or the shared note shown in a queue, desk status, snapshot, answer
    CARD = "card"  # the visitor card opened (always recorded, whatever it showed)
    CHANGE = "change"  # a desk action changed the visit; fields: the events it wrote
    EXPORT = "export"  # the audit log exported; fields: the filters used


@dataclass(frozen=True, slots=True)
class Seen:
    visit_id: str | None
    ticket: str | None
    fields: tuple[str, ...]
    action: Action = Action.READ


@dataclass(slots=True)
class Reads:
    """What one request (or one socket snapshot) showed, to be recorded as audit entries."""

    principal: Principal
    desk: str | None = None
    seen: list[Seen] = field(default_factory=list)

    def saw(
        self,
        visit_id: str | None,
        ticket: str | None,
        fields: Iterable[str],
        action: Action = Action.READ,
    ) -> None:
        names = tuple(fields)
        # A plain read that showed nothing personal is not worth a row; a card always is.
        if names or action != Action.READ:
            self.seen.append(Seen(visit_id, ticket, names, action))

    def entries(self, *, at: datetime) -> list[AuditEntry]:
        p = self.principal
        return [
            AuditEntry(
                center_id=p.center_id,
                at=at,
                actor=p.name,
                role=p.kind.value,
                agency=p.agency,
                desk=self.desk,
                visit_id=s.visit_id,
                ticket=s.ticket,
                action=s.action.value,
                fields=list(s.fields),
            )
            for s in self.seen
        ]


def add(session: AsyncSession, reads: Reads, *, at: datetime) -> None:
    """Inside a write the request already holds: recorded with what it changed."""
    session.add_all(reads.entries(at=at))
    reads.seen.clear()


async def record(db: Database, reads: Reads, *, at: datetime) -> None:
    """After a read session: a short write of its own, without the center's lock."""
    if not reads.seen:
        return
    async with db.write() as session:
        add(session, reads, at=at)


def add_changes(session: AsyncSession, reads: Reads, *, at: datetime) -> None:
    """The visits this write's events changed, with who made the change.

    Called inside the desk action's write, after the service appended its events (still
    pending in the session): one entry per visit, its fields the event types written.
    """
    changed: dict[str, tuple[str | None, list[str]]] = {}
    for event in session.info.get(PENDING_KEY, []):
        if event.visit_id is None:
            continue
        visit = (event.data or {}).get("visit") or {}
        ticket, types = changed.setdefault(event.visit_id, (visit.get("ticket"), []))
        if event.type not in types:
            types.append(str(event.type))
    for visit_id, (ticket, types) in changed.items():
        reads.saw(visit_id, ticket, types, Action.CHANGE)


@dataclass(frozen=True, slots=True)
class Filters:
    since: datetime | None = None  # at or after
    until: datetime | None = None  # before
    actor: str | None = None
    agency: str | None = None
    desk: str | None = None
    visit_id: str | None = None
    ticket: str | None = None
    action: str | None = None

    def described(self) -> list[str]:
        """The filters an export used, as `name=value` (staff names, codes, times)."""
        return [
            f"{name}={value.isoformat() if isinstance(value, datetime) else value}"
            for name in self.__slots__
            if (value := getattr(self, name)) is not None
        ]


def _where(center_id: int, f: Filters) -> list[ColumnElement[bool]]:
    where = [AuditEntry.center_id == center_id]
    if f.since is not None:
        where.append(AuditEntry.at >= f.since)
    if f.until is not None:
        where.append(AuditEntry.at < f.until)
    for column, value in (
        (AuditEntry.actor, f.actor),
        (AuditEntry.agency, f.agency),
        (AuditEntry.desk, f.desk),
        (AuditEntry.visit_id, f.visit_id),
        (AuditEntry.ticket, f.ticket),
        (AuditEntry.action, f.action),
    ):
        if value is not None:
            where.append(column == value)
    return where


async def search(
    session: AsyncSession, center_id: int, f: Filters, *, limit: int, offset: int = 0
) -> tuple[int, Sequence[AuditEntry]]:
    """A center's entries matching the filters, newest first, and how many match in all."""
    where = _where(center_id, f)
    total = await session.scalar(select(func.count()).select_from(AuditEntry).where(*where))
    rows = await session.scalars(
        select(AuditEntry)
        .where(*where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return int(total or 0), rows.all()


CSV_COLUMNS = ("at", "actor", "role", "agency", "desk", "visit_id", "ticket", "action", "fields")


def to_csv(entries: Iterable[AuditEntry], tz: tzinfo) -> str:
    """The entries as CSV, times in the center's zone."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow(
            [
                e.at.astimezone(tz).isoformat(),
                _cell(e.actor),
                e.role,
                _cell(e.agency or ""),
                _cell(e.desk or ""),
                e.visit_id or "",
                _cell(e.ticket or ""),
                e.action,
                _cell(" ".join(e.fields or [])),
            ]
        )
    return out.getvalue()


def _cell(value: str) -> str:
    # A spreadsheet would run a cell starting like a formula (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


async def purge(db: Database, *, before: datetime) -> int:
    """Delete entries older than the audit retention period; returns how many."""
    async with db.write() as session:
        result = await session.execute(delete(AuditEntry).where(AuditEntry.at < before))
    return int(getattr(result, "rowcount", 0) or 0)

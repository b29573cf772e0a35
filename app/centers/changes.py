"""What a change made in the administration pages leaves behind, like a config load.

A change to days, devices or users is a piece of configuration: it appends the same
`center.configured` event a load would (counts, and the codes of changed days; never
names of users or devices, never a secret), so open screens take a fresh snapshot, and
an audit entry naming who changed what (names of things and fields, never a value).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEntry
from app.auth.principal import Principal
from app.centers.models import Center
from app.journal.log import append
from app.kinds import EventType

AUDIT_ACTION = "config"  # audit entries of configuration changes (docs/api.md)


def today_of(center: Center, now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(center.timezone))


async def configured(
    session: AsyncSession,
    center: Center,
    *,
    now: datetime,
    verb: str,
    kind: str,
    day_codes: Iterable[str] = (),
) -> None:
    """`center.configured` on the center's current day, shaped as the loader's."""
    codes = sorted(day_codes)
    data: dict[str, dict[str, Any]] = {
        "created": {},
        "updated": {},
        "deleted": {},
        "codes": {"days": codes} if codes else {},
    }
    data[verb] = {kind: 1}
    await append(
        session,
        center_id=center.id,
        day=today_of(center, now).date(),
        type=EventType.CENTER_CONFIGURED,
        at=now,
        data=data,
    )


def audit(
    session: AsyncSession, principal: Principal, *, now: datetime, what: Iterable[str]
) -> None:
    """Who changed which piece of configuration: `days.2026-12-03.created`, field names."""
    session.add(
        AuditEntry(
            center_id=principal.center_id,
            at=now,
            actor=principal.name,
            role=principal.kind.value,
            agency=principal.agency,
            action=AUDIT_ACTION,
            fields=list(what),
        )
    )

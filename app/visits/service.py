"""Check-in and cancel: state change plus event, in the caller's transaction."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.centers.context import CenterContext
from app.errors import Conflict, Invalid
from app.invitations.claim import claim
from app.journal.log import append, day_counter
from app.kinds import EventType, StepSource, StepStatus, VisitStatus
from app.routing.rules import Person, resolve
from app.visits.intake import check_residence_status, distinct_needs, town_spelled
from app.visits.lifecycle import OPEN_STEPS, ticket_label, visit_status
from app.visits.models import IdempotencyKey, Step, Visit
from app.visits.queries import visit_by_id
from app.visits.schemas import CheckIn
from app.visits.views import event_visit


def body_hash(body: CheckIn) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate_check_in(body: CheckIn, ctx: CenterContext) -> list[str]:
    """Values the schema cannot know: the center's languages, needs and towns."""
    if body.language not in ctx.center.languages:
        raise Invalid(
            "language",
            f"'{body.language}' is not offered here; choose one of "
            + ", ".join(ctx.center.languages),
            body.language,
        )
    needs = distinct_needs(body.needs, ctx.needs, lambda i: f"needs[{i}]")
    check_residence_status(body.residence_status)
    towns = ctx.center.municipalities
    if body.municipality is not None and towns:
        match = town_spelled(body.municipality, towns)
        if match is None:
            raise Invalid(
                "municipality", f"unknown municipality '{body.municipality}'", body.municipality
            )
        body.municipality = match
    return needs


async def replay(
    session: AsyncSession, ctx: CenterContext, *, key: str, digest: str
) -> Visit | None:
    """The visit an earlier request with this Idempotency-Key created, if any."""
    row = await session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.center_id == ctx.center.id, IdempotencyKey.key == key
        )
    )
    if row is None:
        return None
    if row.body_hash != digest:
        raise Invalid(
            "Idempotency-Key",
            "this key was already used for a different check-in; use a new key",
            key,
        )
    return await visit_by_id(session, row.visit_id)


async def check_in(
    session: AsyncSession,
    ctx: CenterContext,
    body: CheckIn,
    *,
    now: datetime,
    idempotency_key: str | None,
) -> tuple[Visit, bool]:
    """Returns the visit and whether it was created now (False: an idempotent replay)."""
    day = ctx.require_day()
    needs = validate_check_in(body, ctx)
    digest = body_hash(body)
    if idempotency_key is not None:
        earlier = await replay(session, ctx, key=idempotency_key, digest=digest)
        if earlier is not None:
            return earlier, False
    invitation = None
    if body.invitation_code is not None:
        invitation = await claim(session, ctx.center.id, ctx.today, body.invitation_code)

    person = Person(
        residence_status=body.residence_status,
        municipality=body.municipality,
        age=body.age,
        language=body.language,
    )
    resolution = resolve(
        [ctx.need_spec(code) for code in needs],
        person,
        next(d for d in ctx.open_days() if d.date == day.date),
        ctx.open_days(),
    )
    counter = await day_counter(session, center_id=ctx.center.id, day=ctx.today)
    counter.last_ticket += 1
    priority = body.priority
    visit = Visit(
        id=str(uuid.uuid4()),
        center_id=ctx.center.id,
        date=ctx.today,
        ticket=ticket_label(counter.last_ticket),
        token=secrets.token_urlsafe(24),  # 192 bits
        language=body.language,
        residence_status=body.residence_status,
        municipality=body.municipality,
        age=body.age,
        leave_by=ctx.at_local_time(body.leave_by) if body.leave_by else None,
        priority_children=bool(priority and priority.children),
        priority_accessibility=bool(priority and priority.accessibility),
        consent_share=body.consent_share,
        invitation_code=body.invitation_code,
        unavailable=[
            {"need": need, "next_date": nxt.isoformat() if nxt else None}
            for need, nxt in resolution.unavailable
        ],
        checked_in_at=now,
        case_conference=False,
        # Every column the event's copy of the visit reads is set here, not left to the
        # INSERT's defaults: the visit reaches the database in the commit's one flush.
        steps=[
            Step(
                position=i,
                need=need,
                agency=agency,
                status=StepStatus.PENDING,
                source=StepSource.CHECKIN,
                queued_at=now,
                no_shows=0,
                recalls=0,
            )
            for i, (need, agency) in enumerate(resolution.steps)
        ],
    )
    visit.status = visit_status(s.status for s in visit.steps)
    if visit.status == VisitStatus.DONE:
        visit.ended_at = now
    session.add(visit)
    if invitation is not None:
        invitation.visit_id = visit.id
        invitation.used_at = now
        visit.invitation_code = invitation.code
    if idempotency_key is not None:
        await session.flush()  # the key row references the visit
        session.add(
            IdempotencyKey(
                center_id=ctx.center.id,
                key=idempotency_key,
                body_hash=digest,
                visit_id=visit.id,
                created_at=now,
            )
        )
    await append(
        session,
        center_id=ctx.center.id,
        day=ctx.today,
        type=EventType.VISIT_CHECKED_IN,
        at=now,
        # For statistics: whether the visitor came with an invitation letter (the code is a
        # personal answer and stays out) and the day's site (a mobile day's town; None
        # at the center).
        data={
            "visit": event_visit(visit, ctx),
            "invited": visit.invitation_code is not None,
            "site": day.site,
        },
        visit_id=visit.id,
    )
    return visit, True


async def cancel(
    session: AsyncSession,
    ctx: CenterContext,
    visit: Visit,
    *,
    now: datetime,
    by: str,
    reason: str | None = None,
) -> Visit:
    if visit.status in (VisitStatus.DONE, VisitStatus.CANCELLED):
        raise Conflict(
            f"visit {visit.ticket} has already ended ({visit.status})", code="visit_ended"
        )
    desks = sorted({s.desk for s in visit.steps if s.status in OPEN_STEPS and s.desk})
    for step in visit.steps:
        if step.status in OPEN_STEPS:
            step.status = StepStatus.CANCELLED
            step.ended_at = now
    visit.status = VisitStatus.CANCELLED
    visit.ended_at = now
    await session.flush()
    await append(
        session,
        center_id=ctx.center.id,
        day=visit.date,
        type=EventType.VISIT_CANCELLED,
        at=now,
        # The reason is the visitor's or a clerk's free text: it stays out of the log.
        data={
            "visit": event_visit(visit, ctx),
            "by": by,
            "with_reason": bool(reason),
            "freed_desks": desks,
        },
        visit_id=visit.id,
    )
    return visit

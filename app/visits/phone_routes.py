"""The visitor's phone link: its address, QR code and short code; a typed code resolved.

Both are POSTs with the token or code in the body, not in the path: request paths end
up in access logs, bodies do not (app/visits/phone.py says why the link itself carries
the token in its fragment).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select

from app.centers.models import Center
from app.config import Settings
from app.deps import ClockDep, DbDep, json_body_doc, parse_body
from app.errors import NotFound, problem_responses
from app.visits.models import Visit
from app.visits.phone import (
    CodeThrottle,
    matches,
    parse_code,
    phone_url,
    qr_svg,
    short_code,
    typing_url,
)
from app.visits.queries import visit_by_token

router = APIRouter(prefix="/api/v1/visits", tags=["visits"])


class PhoneLinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    token: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class PhoneLink(BaseModel):
    url: str = Field(description="the phone page of this visit, on WELCOME_PUBLIC_URL")
    code: str = Field(description="ticket and check code to type, e.g. A017-7KX4M")
    code_url: str = Field(description="where the code is typed (the phone page without a link)")
    qr_svg: str = Field(description="`url` as an SVG QR code, rendered by the server (segno)")


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    code: Annotated[str, StringConstraints(min_length=1, max_length=32)]


class CodeOut(BaseModel):
    token: str
    center: str = Field(description="the center's slug")


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _throttle(request: Request) -> CodeThrottle:
    state = request.app.state
    if not hasattr(state, "code_throttle"):
        state.code_throttle = CodeThrottle()
    throttle: CodeThrottle = state.code_throttle
    return throttle


@router.post(
    "/phone-link",
    openapi_extra=json_body_doc(PhoneLinkIn),
    responses=problem_responses(400, 404, 422),
)
async def phone_link(request: Request, db: DbDep) -> PhoneLink:
    """The phone link of a visit (anyone holding its token): what the ticket shows."""
    body = await parse_body(request, PhoneLinkIn)
    settings = _settings(request)
    async with db.read() as session:
        visit = await visit_by_token(session, body.token)
        center = await session.get(Center, visit.center_id)
        assert center is not None
    url = phone_url(settings.public_url, visit.token, center.slug)
    return PhoneLink(
        url=url,
        code=short_code(settings.signing_key, visit.ticket, visit.token),
        code_url=typing_url(settings.public_url),
        qr_svg=qr_svg(url),
    )


@router.post(
    "/by-code",
    openapi_extra=json_body_doc(CodeIn),
    responses=problem_responses(400, 404, 422, 429),
)
async def visit_by_code(request: Request, db: DbDep, clock: ClockDep) -> CodeOut:
    """A typed short code to its visit (today's or yesterday's, any center).

    Wrong codes count per client address and per ticket (429 `too_many_requests` past
    the limit); an unknown code is 404 `unknown_code`.
    """
    body = await parse_body(request, CodeIn)
    client = request.client.host if request.client else "unknown"
    parsed = parse_code(body.code)
    throttle = _throttle(request)
    taken = throttle.begin(client=client, ticket=parsed[0] if parsed else None)
    if parsed is not None:
        ticket, check = parsed
        secret = _settings(request).signing_key
        today = clock().date()
        async with db.read() as session:
            rows = await session.execute(
                select(Visit.token, Center.slug)
                .join(Center, Center.id == Visit.center_id)
                .where(Visit.ticket == ticket, Visit.date >= today - timedelta(days=1))
            )
            for token, slug in rows.all():
                if matches(secret, token, check):
                    throttle.succeeded(taken)  # a right code is no guess
                    return CodeOut(token=token, center=slug)
    raise NotFound("no visit has this code", code="unknown_code")

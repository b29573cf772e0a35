"""GET announce.wav: the spoken call of a ticket at a desk, for the waiting-room screen.

The caller names a ticket, a desk and a language; the server checks that the ticket was
called to that desk today and that the language is one the center's screen speaks (its
default, and with `announce.languages: visitor` the visitor's own), then speaks the call
text it builds itself (speech.call_text). Nothing from the query is spoken as given.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from app.announce.speech import Speaker, SpeechUnavailable, call_text, room_in, speakable
from app.auth.access import DisplayCenter
from app.centers.context import load_context
from app.deps import ClockDep, DbDep
from app.errors import AppError, NotFound, problem_responses
from app.visits.display import screen_options
from app.visits.models import Step, Visit

router = APIRouter(
    prefix="/api/v1/centers", tags=["display"], responses=problem_responses(401, 403, 404)
)

Ticket = Annotated[str, Query(pattern=r"^[A-Z]{1,3}\d{1,4}$", description="e.g. A017")]
DeskCode = Annotated[str, Query(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", description="e.g. r112")]
Lang = Annotated[str, Query(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$", description="e.g. ar")]


class SpeechOff(AppError):
    status = 503
    title = "Speech unavailable"
    code = "speech_unavailable"


def speaker_of(request: Request) -> Speaker:
    """The app's speaker (its cache lives as long as the app), made on first use."""
    state = request.app.state
    speaker: Speaker | None = getattr(state, "speaker", None)
    if speaker is None:
        speaker = state.speaker = Speaker()
    return speaker


@router.get(
    "/{slug}/announce.wav",
    response_class=Response,
    responses={200: {"content": {"audio/wav": {}}, "description": "the spoken call (WAV)"}},
)
async def announce(
    center: DisplayCenter,
    db: DbDep,
    clock: ClockDep,
    request: Request,
    ticket: Ticket,
    desk: DeskCode,
    lang: Lang,
) -> Response:
    """The call of `ticket` to `desk`, spoken in `lang` (cached per text)."""
    async with db.read() as session:
        ctx = await load_context(session, center, now=clock())
        found = ctx.desks.get(desk)
        if found is None:
            raise NotFound(f"unknown desk '{desk}'", code="unknown_desk")
        language = await session.scalar(
            select(Visit.language)
            .join(Step, Step.visit_id == Visit.id)
            .where(
                Visit.center_id == center.id,
                Visit.date == ctx.today,
                Visit.ticket == ticket,
                Step.desk == desk,
                Step.called_at.is_not(None),
            )
            .limit(1)
        )
    if language is None:
        raise NotFound(f"{ticket} was not called to {desk} today", code="not_called")
    options = screen_options(center.screen).announce
    spoken = {ctx.default_language}
    if options.languages == "visitor":
        spoken.add(language)
    if not options.speak:
        raise NotFound("this center's screen does not speak (center.announce.speak)")
    if lang not in spoken or not speakable(lang):
        raise NotFound(f"the call of {ticket} is not spoken in '{lang}'", code="not_spoken")
    text = call_text(lang, ticket, room_in(lang, dict(found.room), ctx.default_language))
    try:
        wav = await speaker_of(request).wav(lang, text)
    except SpeechUnavailable as exc:
        raise SpeechOff(str(exc)) from None
    # Private: a shared cache must not hand one center's calls to another screen.
    return Response(wav, media_type="audio/wav", headers={"Cache-Control": "private, max-age=600"})

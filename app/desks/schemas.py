"""Desk action bodies, and a desk and its queue as responses and sockets carry them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.centers.responses import DeskSummary
from app.kinds import HoldReason, JointStatus
from app.visits.schemas import HHMM, MAX_NEEDS, VisitOut

NeedCode = Annotated[str, StringConstraints(max_length=64)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class FinishBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    resolved: Annotated[list[NeedCode], Field(max_length=MAX_NEEDS)] = []
    add_needs: Annotated[list[NeedCode], Field(max_length=MAX_NEEDS)] = []
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None
    refer_reason: Reason | None = Field(
        None, description="why the needs in add_needs go on: the receiving desk reads it"
    )


class ReferBody(BaseModel):
    """Refer on during the consultation: new needs for other agencies, with a reason."""

    model_config = ConfigDict(extra="forbid", strict=True)

    needs: Annotated[list[NeedCode], Field(min_length=1, max_length=20)]
    reason: Reason | None = None


class JointAsk(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    agency: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    desk: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    reason: Reason | None = None


class HoldBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    reason: HoldReason = Field(strict=False)  # a JSON string
    note: Reason | None = Field(None, description="for the visitor: what to bring, when back")
    until: Annotated[str, StringConstraints(pattern=HHMM)] | None = Field(
        None, description="local HH:MM today when the hold ends by itself"
    )


class ReleaseBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    visit_id: Annotated[str, StringConstraints(min_length=1, max_length=36)]


class CaseConferenceBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    on: bool


class SharedNoteBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    note: Annotated[str, StringConstraints(max_length=4000)] | None


class DeskOut(DeskSummary):
    languages: list[str] = Field(description="spoken at this desk: a preference, never a filter")


class DeskStatus(DeskOut):
    """A desk with the visitor it has called or is serving."""

    current: VisitOut | None


class HeldOut(BaseModel):
    reason: HoldReason
    note: str | None
    until: datetime | None


class ReferralOut(BaseModel):
    by_agency: str
    by_desk: str | None
    reason: str | None


class WhyOut(BaseModel):
    """A reason for the place in the order, as a code a screen words in its language."""

    code: str = Field(
        description="waiting, waited_longest, service_left, last_stop, children, "
        "accessibility, leaves_in, speaks"
    )
    value: float | str | None = Field(description="minutes, or a language code for speaks")


class QueueEntry(VisitOut):
    """A visitor waiting for this desk, in the order it would call them."""

    position: int = Field(description="1 is called next")
    score: float
    reasons: list[str] = Field(description="why this place in the order, in plain words")
    why: list[WhyOut] = Field(default_factory=list, description="the reasons as codes")
    needs_here: list[str] = Field(description="the visitor's needs this desk's agency serves")
    callable: bool = Field(True, description="false while held: shown greyed, in its place")
    held: HeldOut | None = None
    referral: ReferralOut | None = Field(None, description="who sent the visitor here, and why")


class DeskSnapshot(BaseModel):
    """The desk socket's starting state."""

    seq: int
    date: date
    desk: DeskStatus
    queue: list[QueueEntry]


class JointOut(BaseModel):
    """A request for another agency to join a consultation."""

    id: int
    visit_id: str
    ticket: str
    host_desk: str
    host_agency: str
    host_room: str
    host_room_labels: dict[str, str] = Field(
        default_factory=dict, description="the host's room in every configured language"
    )
    agency: str = Field(description="the agency asked to join")
    desk: str | None = Field(description="a specific desk asked, or null for any of the agency")
    status: JointStatus
    reason: str | None
    requested_at: datetime
    lapses_at: datetime
    answered_by: str | None

"""Check-in and cancel bodies, and the visit as responses and sockets carry it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.centers.responses import CenterRef, DeskSummary
from app.kinds import HoldReason, StepSource, StepStatus, VisitStatus
from app.routing.rules import RESIDENCE_STATUSES
from app.visits.screen import AgencyWait, ScreenOptions

HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"
MAX_NEEDS = 32  # needs in one body (check-in, finish, refer)
Town = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
ResidenceStatus = Annotated[str, Field(json_schema_extra={"enum": list(RESIDENCE_STATUSES)})]


class Priority(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    children: bool = False
    accessibility: bool = False


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    language: Annotated[str, StringConstraints(min_length=1, max_length=16)]
    # A center offers a dozen needs or so; the bound keeps a body from carrying millions.
    needs: Annotated[
        list[Annotated[str, StringConstraints(max_length=64)]],
        Field(min_length=1, max_length=MAX_NEEDS),
    ]
    residence_status: ResidenceStatus | None = None
    municipality: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None
    ) = None
    age: Annotated[int, Field(ge=0, le=120)] | None = None
    leave_by: Annotated[str, StringConstraints(pattern=HHMM)] | None = None
    priority: Priority | None = None
    consent_share: bool = False
    invitation_code: Annotated[str, StringConstraints(max_length=64)] | None = None


class CancelBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    reason: Annotated[str, StringConstraints(max_length=500)] | None = None


# Responses: the shapes API.md §3 and §4 write, and what the OpenAPI document shows.


class StepOut(BaseModel):
    need: str
    agency: str
    status: StepStatus
    desk: str | None = None
    source: StepSource = StepSource.CHECKIN
    joint_host: str | None = Field(None, description="in a joint consultation at this desk")
    held_reason: HoldReason | None = Field(None, description="comes back later: why")
    held_until: datetime | None = None
    held_note: str | None = Field(None, description="for the visitor: what to bring")


class UnavailableOut(BaseModel):
    need: str
    next_date: date | None = Field(description="the next open day that can serve it")


class CurrentOut(BaseModel):
    """Where the visitor is called to now."""

    desk: str
    room: str = Field(description="the room in the visitor's language")
    room_labels: dict[str, str] = Field(description="the room in every configured language")
    agency: str
    status: StepStatus
    called_at: datetime | None
    joint_with: list[str] = Field(
        default_factory=list, description="agencies sitting in on this consultation"
    )


class PriorityOut(BaseModel):
    children: bool
    accessibility: bool


class PublicVisit(BaseModel):
    """A visit without its token: what staff screens and the event log see of it."""

    id: str
    ticket: str
    status: VisitStatus
    language: str
    checked_in_at: datetime
    ended_at: datetime | None = None
    steps: list[StepOut]
    unavailable: list[UnavailableOut]
    current: CurrentOut | None
    estimated_wait_minutes: int | None = Field(
        description="for a waiting visitor; 0 once called; null when nobody can say"
    )
    estimated_wait_range: tuple[int, int] | None = Field(
        None,
        description="[low, high] minutes around estimated_wait_minutes, calibrated so about "
        "80 % of actual waits until the first call fall inside (docs/routing.md); [0, 0] "
        "once called; null with the estimate",
    )
    leave_by: str | None = Field(None, description="local HH:MM the visitor must leave by")
    # Null only in a staff view of an agency the visit does not involve (docs/privacy.md).
    priority: PriorityOut | None
    residence_status: str | None = None
    municipality: str | None = None
    age: int | None = None
    consent_share: bool = False
    invitation_code: str | None = None


class VisitOut(PublicVisit):
    """The visitor's own view, with the token that is their key to it.

    Staff responses keep this shape (API.md §3: call-next answers "the visit") but never
    carry the token: with it, anyone can read the visitor's own view, answers included,
    past the compartments of docs/privacy.md.
    """

    token: str | None = Field(
        description="the visitor's key to their own view; null in every staff response"
    )
    closed_agencies: list[str] = Field(
        default_factory=list,
        description="agencies of the visitor's pending steps with no desk open or paused now",
    )


class DisplayEntry(BaseModel):
    """A called visitor on the public screen: ticket, room, agency; nothing personal."""

    ticket: str
    status: VisitStatus
    language: str
    desk: str | None
    room: str | None
    room_labels: dict[str, str] | None
    agency: str | None


class DisplaySnapshot(BaseModel):
    """What the waiting-room screen shows now (GET display, and the display socket's snapshot)."""

    center: CenterRef
    date: date
    seq: int
    languages: list[str]
    calls: list[DisplayEntry]
    waiting: list[str] = Field(description="tickets still waiting")
    desks: list[DeskSummary]
    agencies: list[AgencyWait] = Field(
        default_factory=list, description="per agency present today: waiting and a wait range"
    )
    screen: ScreenOptions = Field(default_factory=ScreenOptions)

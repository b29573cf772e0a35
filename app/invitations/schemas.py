"""Invitation bodies and responses. Names and addresses go in, never out: only the
letter prints them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.visits.schemas import HHMM, MAX_NEEDS, ResidenceStatus, Town

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class InvitationBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    date: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    language: Annotated[str, StringConstraints(min_length=1, max_length=16)]
    needs: Annotated[
        list[Annotated[str, StringConstraints(max_length=64)]],
        Field(min_length=1, max_length=MAX_NEEDS),
    ]
    residence_status: ResidenceStatus | None = None
    town: Town | None = None
    age: Annotated[int, Field(ge=0, le=120)] | None = None
    leave_by: Annotated[str, StringConstraints(pattern=HHMM)] | None = None
    name: Text | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class WindowOut(BaseModel):
    start: str = Field(description="local HH:MM, from")
    end: str = Field(description="local HH:MM, until")


class InvitationOut(BaseModel):
    id: int
    code: str = Field(description="as the letter prints it, ABCD-EFGH")
    date: date
    language: str
    needs: list[str]
    residence_status: str | None
    town: str | None
    age: int | None
    leave_by: str | None
    window: WindowOut | None
    has_address: bool = Field(description="a letter can be addressed (the address is not shown)")
    came: bool
    came_in_window: bool


class Turnout(BaseModel):
    date: date
    invited: int
    came: int
    came_in_window: int
    walk_ins: int = Field(description="visitors of the day without an invitation")


class InvitationsOut(BaseModel):
    date: date
    invitations: list[InvitationOut]
    turnout: Turnout


class Imported(BaseModel):
    date: date
    imported: int
    invitations: list[InvitationOut]


class InvitationLookup(BaseModel):
    """What the kiosk prefills from a letter's code (the invitee confirms)."""

    code: str
    language: str
    needs: list[str]
    window: WindowOut | None

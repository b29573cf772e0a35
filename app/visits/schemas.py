"""Check-in and cancel bodies."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.routing.rules import RESIDENCE_STATUSES

HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"
Town = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
ResidenceStatus = Annotated[str, Field(json_schema_extra={"enum": list(RESIDENCE_STATUSES)})]


class Priority(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    children: bool = False
    accessibility: bool = False


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    language: Annotated[str, StringConstraints(min_length=1, max_length=16)]
    needs: Annotated[list[Annotated[str, StringConstraints(max_length=64)]], Field(min_length=1)]
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

"""Login body, sessions, and who is signed in as responses carry it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.kinds import PrincipalKind


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class UserOut(BaseModel):
    username: str
    role: PrincipalKind
    agency: str | None


class LoginOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="seconds the token stays valid at most")
    idle_timeout: int = Field(description="seconds without activity after which it ends")
    csrf_token: str = Field(
        description="send as X-CSRF-Token with unsafe requests signed in by the cookie"
    )
    user: UserOut


class MeOut(BaseModel):
    """The caller: a staff member or a device."""

    name: str
    role: PrincipalKind
    agency: str | None


class SessionOut(BaseModel):
    """One of the caller's staff sessions (never its token)."""

    id: int
    created_at: datetime
    last_active_at: datetime = Field(description="last recorded activity (within a minute)")
    expires_at: datetime = Field(description="when it ends without further activity")
    absolute_expires_at: datetime = Field(description="when it ends in any case")
    current: bool = Field(description="the session this request came with")


class EndedOut(BaseModel):
    username: str
    ended: int = Field(description="how many sessions ended")

"""Login body, and who is signed in as responses carry it."""

from __future__ import annotations

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
    expires_in: int = Field(description="seconds the token stays valid")
    user: UserOut


class MeOut(BaseModel):
    """The caller: a staff member or a device."""

    name: str
    role: PrincipalKind
    agency: str | None

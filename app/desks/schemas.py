"""Desk action bodies."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

NeedCode = Annotated[str, StringConstraints(max_length=64)]


class FinishBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    resolved: list[NeedCode] = []
    add_needs: list[NeedCode] = []
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None

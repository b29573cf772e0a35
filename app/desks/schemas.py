"""Desk action bodies, and a desk and its queue as responses and sockets carry them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.centers.responses import DeskSummary
from app.visits.schemas import VisitOut

NeedCode = Annotated[str, StringConstraints(max_length=64)]


class FinishBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    resolved: list[NeedCode] = []
    add_needs: list[NeedCode] = []
    note: Annotated[str, StringConstraints(max_length=2000)] | None = None


class DeskOut(DeskSummary):
    languages: list[str] = Field(description="spoken at this desk: a preference, never a filter")


class DeskStatus(DeskOut):
    """A desk with the visitor it has called or is serving."""

    current: VisitOut | None


class QueueEntry(VisitOut):
    """A visitor waiting for this desk, in the order it would call them."""

    position: int = Field(description="1 is called next")
    score: float
    reasons: list[str] = Field(description="why this place in the order, in plain words")
    needs_here: list[str] = Field(description="the visitor's needs this desk's agency serves")


class DeskSnapshot(BaseModel):
    """The desk socket's starting state."""

    seq: int
    date: date
    desk: DeskStatus
    queue: list[QueueEntry]

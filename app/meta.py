"""GET /api/v1/meta: the product's vocabulary, so front ends and scripts keep no copy of it."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.kinds import DeskState, EventType, PrincipalKind, ResidenceStatus, StepStatus, VisitStatus

router = APIRouter(prefix="/api/v1", tags=["meta"])


class Meta(BaseModel):
    api_version: str = "1"
    step_statuses: list[StepStatus]
    visit_statuses: list[VisitStatus]
    desk_states: list[DeskState]
    roles: list[PrincipalKind] = Field(description="staff roles and device kinds")
    residence_statuses: list[ResidenceStatus]
    event_types: list[EventType] = Field(description="types an event on a socket may have")


META = Meta(
    step_statuses=list(StepStatus),
    visit_statuses=list(VisitStatus),
    desk_states=list(DeskState),
    roles=list(PrincipalKind),
    residence_statuses=list(ResidenceStatus),
    event_types=list(EventType),
)


@router.get("/meta")
async def meta() -> Meta:
    return META

"""The planner's bodies and answers (docs/api.md §13)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.kinds import PlannerRunStatus
from app.visits.schemas import HHMM


class PlanBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    date: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    desks: dict[
        Annotated[str, StringConstraints(max_length=64)], Annotated[int, Field(ge=-5, le=5)]
    ] = Field(default_factory=dict, description="more (or fewer) desks per agency, all day")
    closes: Annotated[str, StringConstraints(pattern=HHMM)] | None = Field(
        None, description="the door closes at (local HH:MM); none: as configured"
    )
    walk_ins: Annotated[float, Field(ge=0.0, le=5.0)] = Field(
        1.0, description="walk-in volume as a factor of the expected (or the past day's)"
    )
    invitations: Annotated[str, StringConstraints(pattern=r"^(stored|replanned|none)$")] = Field(
        "stored",
        description="an upcoming day's invitees: stored windows, planned again, or none",
    )
    turnout: Annotated[float, Field(ge=0.1, le=1.0)] = 0.6
    days: Annotated[int, Field(ge=1, le=60)] = Field(20, description="simulated days per figure")
    seed: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    advise: bool = Field(True, description="also try one extra desk per agency")


class AgencyFigures(BaseModel):
    agency: str
    visitors: float = Field(description="per day, visitors with a step there")
    mean_wait: float = Field(description="minutes from check-in until called there")
    p90_wait: float


class DayFigures(BaseModel):
    visitors: float
    mean_time: float = Field(description="minutes in the center, mean")
    p90_time: float
    mean_wait: float = Field(description="minutes until the first call, mean")
    invited_mean_time: float | None = None
    walk_in_mean_time: float | None = None
    unserved: float | None = None
    agencies: list[AgencyFigures]
    by_hour: list[float | None] = Field(description="mean time in the center by hour of arrival")


class AdviceOut(BaseModel):
    agency: str
    gain: float = Field(description="minutes of mean time in the center saved per visitor")
    mean_time_before: float
    mean_time_after: float


class PlanResult(BaseModel):
    date: date
    past: bool = Field(description="a past day, rebuilt from what it left behind")
    opens: str
    closes: str
    desks: dict[str, int] = Field(description="desks per agency in the run (after the change)")
    invitees: int
    actual: DayFigures | None = Field(description="how the past day really went")
    baseline: DayFigures = Field(description="the day unchanged, predicted")
    predicted: DayFigures = Field(description="the day with the changes, predicted")
    advice: list[AdviceOut] = Field(description="one extra desk per agency, best first")


class PlanRun(BaseModel):
    id: str
    status: PlannerRunStatus
    done: int
    total: int
    result: PlanResult | None = None
    error: str | None = None


class PlannerDay(BaseModel):
    date: date
    opens: str
    closes: str
    past: bool
    visitors: int = Field(description="check-ins that day (a past day can be replayed)")
    invitees: int


class PlannerDays(BaseModel):
    days: list[PlannerDay]
    agencies: list[str] = Field(description="the center's agencies, in their order")

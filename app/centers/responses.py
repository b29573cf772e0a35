"""A center as responses carry it: the day it offers, its desks."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from app.kinds import DeskState


class CenterRef(BaseModel):
    slug: str
    name: str


class DeskSummary(BaseModel):
    """A desk as every screen shows it: where it is, whose it is, whether it works."""

    code: str
    room: str
    room_labels: dict[str, str]
    agency: str
    state: DeskState


class CenterInfo(CenterRef):
    timezone: str


class NeedToday(BaseModel):
    code: str
    label: dict[str, str] = Field(description="in every offered language, and any others")
    icon: str | None
    minutes: int
    available: bool = Field(description="a present agency serves it today")
    partly_available: bool = Field(
        description="only some of the agencies that may serve it are present: check-in says"
    )
    next_date: date | None = Field(description="when unavailable: the next day that serves it")


class Today(BaseModel):
    """The open day: what the kiosk offers and the phone page names."""

    center: CenterInfo
    date: date
    opens: str
    closes: str
    languages: list[str]
    municipalities: list[str] | None
    agencies: list[str] = Field(description="codes of the agencies present today")
    agency_names: dict[str, dict[str, str]]
    needs: list[NeedToday]
    residence_statuses: list[str] = Field(description="the statuses the kiosk offers")
    site: str | None = Field(
        default=None, description="a mobile day's town or address; null: at the center"
    )
    note: dict[str, str] | None = Field(
        default=None, description="the day's word for the public, per language"
    )

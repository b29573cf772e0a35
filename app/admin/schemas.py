"""Bodies and responses of the administration API (docs/api.md §11)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.centers.responses import CenterInfo
from app.kinds import PrincipalKind


class DayBody(BaseModel):
    """A day as in the config file; values are checked by its rules (app/centers/days.py)."""

    model_config = ConfigDict(extra="forbid")

    date: Any = Field(default=None, description="YYYY-MM-DD (only when adding a day)")
    opens: Any = Field(default=None, description='"HH:MM", local time')
    closes: Any = Field(default=None, description='"HH:MM", after opens')
    agencies: Any = Field(default=None, description="agency codes present; null: all")
    site: Any = Field(default=None, description="a mobile day's town or address; null: the center")
    note: Any = Field(default=None, description="{language: text} for the public; null: none")


class DayOut(BaseModel):
    date: date
    opens: str
    closes: str
    agencies: list[str] | None = Field(description="present that day; null: all")
    site: str | None
    note: dict[str, str] | None
    cancelled: bool
    today: bool = Field(description="the center's current day")
    past: bool


class DaysOut(BaseModel):
    today: date
    agencies: list[str] = Field(description="every agency of the center, in its order")
    agency_names: dict[str, dict[str, str]]
    languages: list[str]
    open_every_day: bool = Field(
        description="no calendar at all: open every day; the first day added ends that"
    )
    days: list[DayOut]


class PublicAgency(BaseModel):
    code: str
    name: dict[str, str]


class PublicDay(BaseModel):
    date: date
    opens: str
    closes: str
    agencies: list[PublicAgency] = Field(description="present that day, in the center's order")
    site: str | None = Field(description="a mobile day's town or address; null: the center")
    note: dict[str, str] | None
    cancelled: bool = Field(description="called off: the center is closed that day")


class PublicDays(BaseModel):
    """The next consultation days, for the public page and the district's website."""

    center: CenterInfo
    languages: list[str]
    open_every_day: bool = Field(
        description="the center keeps no calendar: open every day with every agency"
    )
    days: list[PublicDay]


class DeviceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Any = Field(default=None, description="a code: a-z, 0-9, _, -")
    kind: Any = Field(default=None, description="kiosk | display")


class DeviceOut(BaseModel):
    name: str
    kind: PrincipalKind
    pairing_pending: bool = Field(description="a pairing link was made and not yet used")
    pairing_expires_at: datetime | None


class Pairing(BaseModel):
    """Shown once: the link the device opens, and the same as a QR code."""

    url: str
    expires_at: datetime
    qr_svg: str = Field(description="the link as a QR code, a data: URI of an SVG image")


class DeviceCreated(BaseModel):
    device: DeviceOut
    pairing: Pairing


class PairBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=200)


class Paired(BaseModel):
    """The device's token, given once; the device keeps it."""

    token: str
    kind: PrincipalKind
    name: str
    center: str = Field(description="the center's slug")
    start: str = Field(description="the page this device runs, e.g. /kiosk/?center=lippe")


class UserBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Any = None
    role: Any = None
    agency: Any = None
    password: Any = Field(default=None, description="none: a generated one is returned once")


class PasswordBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: Any = Field(default=None, description="none: a generated one is returned once")


class StaffOut(BaseModel):
    username: str
    role: PrincipalKind
    agency: str | None
    enabled: bool = Field(description="has a password: can sign in")
    sessions: int = Field(description="sessions open now")


class StaffList(BaseModel):
    roles: list[str]
    agencies: list[str]
    agency_names: dict[str, dict[str, str]]
    users: list[StaffOut]


class PasswordSet(BaseModel):
    username: str
    password: str | None = Field(
        description="the generated password, shown this once; null if given"
    )
    sessions_ended: int


class UserCreated(BaseModel):
    user: StaffOut
    password: str | None = Field(
        description="the generated password, shown this once; null if given"
    )


class Disabled(BaseModel):
    username: str
    sessions_ended: int

"""The overview as the API and its socket carry it: tickets, desks, agencies and figures.

Pure (Pydantic and the kinds only). No field holds a visitor's name, answers, token or
visit id: a lead may read this, and may not read personal data.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from app.kinds import DeskState, StepStatus


class DeskActivity(StrEnum):
    """What a desk is doing now, beyond its state."""

    SERVING = "serving"  # a visitor is in service
    CALLING = "calling"  # a visitor was called and has not arrived yet
    IDLE = "idle"  # open, nobody called
    PAUSED = "paused"
    CLOSED = "closed"


class AlertCode(StrEnum):
    DESK_IDLE = "desk_idle"  # open and idle while its agency's queue waits
    DESK_PAUSED = "desk_paused"  # paused while its agency's queue waits
    AGENCY_UNSTAFFED = "agency_unstaffed"  # visitors wait, no desk of the agency is open
    QUEUE_PAST_CLOSING = "queue_past_closing"  # at the current pace, not done by closing


class Severity(StrEnum):
    WARNING = "warning"  # someone should act now
    INFO = "info"  # worth a look (another desk of the agency works the queue)


class CenterName(BaseModel):
    slug: str
    name: str


class DayHours(BaseModel):
    opens: datetime
    closes: datetime
    site: str | None = Field(None, description="a mobile day's town or address")


class Serving(BaseModel):
    """Who a desk serves: the ticket only."""

    ticket: str
    status: StepStatus = Field(description="called or in_service")
    since: datetime = Field(description="in service since (started), else called at")
    minutes: int = Field(description="whole minutes since `since`")
    agencies: list[str] = Field(description="the agencies of the visitor's steps at this desk")


class DeskOverview(BaseModel):
    code: str
    room: str
    room_labels: dict[str, str]
    agency: str
    state: DeskState
    activity: DeskActivity
    serving: Serving | None = None
    idle_since: datetime | None = Field(
        None,
        description="open and idle: since its last call, service end or opening, whichever "
        "was last (from the event log)",
    )
    idle_minutes: int | None = None
    joint_host: str | None = Field(
        None, description="this desk has joined a consultation hosted at that desk"
    )
    joint_guests: list[str] = Field(
        default_factory=list, description="desks that joined the consultation hosted here"
    )


class AgencyOverview(BaseModel):
    agency: str
    name: dict[str, str]
    present: bool = Field(description="present on today's consultation day")
    waiting: int = Field(description="visitors with a step for this agency not yet called")
    held: int = Field(description="of those, waiting without being callable (come back later)")
    longest_wait_minutes: int | None = Field(
        description="the longest time a step of this queue has been waiting (since it joined "
        "this queue: check-in, referral or a missed call), whole minutes"
    )
    wait_min: int | None = Field(
        description="a newcomer's expected wait, lower end (the display's range, minutes, "
        "multiple of 5); null while no desk of the agency is open"
    )
    wait_max: int | None = None
    open_desks: int
    busy_desks: int = Field(description="open desks with a visitor called or in service")
    paused_desks: int
    closed_desks: int


class LeavingSoon(BaseModel):
    """A visitor whose `leave_by` is near (or past) with steps still open."""

    ticket: str
    leave_by: datetime
    minutes_left: int = Field(description="whole minutes until leave_by; negative: past")
    open_agencies: list[str] = Field(description="agencies of the steps still open")
    in_service: bool = Field(description="called or in service now")


class Alert(BaseModel):
    """A structured alert: the page words it from `code` and the numbers."""

    code: AlertCode
    severity: Severity
    agency: str
    desk: str | None = None
    waiting: int = Field(description="visitors waiting for the agency")
    idle_minutes: int | None = Field(None, description="desk_idle: how long the desk idles")
    paused_minutes: int | None = Field(None, description="desk_paused: how long it is paused")
    open_desks: int | None = None
    work_minutes: int | None = Field(
        None, description="queue_past_closing: service minutes still ahead for the agency"
    )
    clears_at: datetime | None = Field(
        None, description="queue_past_closing: when the queue would be done at this pace"
    )
    closes: datetime | None = None
    desks_needed: int | None = Field(
        None, description="queue_past_closing: open desks that would finish by closing"
    )
    desks_available: int | None = Field(
        None, description="desks of the agency not open now (paused or closed) that could open"
    )


class StaffingAdvice(BaseModel):
    """While a queue runs past closing: the agency whose one extra desk, open from now on,
    is predicted to cut the mean time in the center most (simulated from the room as it
    stands, a few seeded days: a prediction, said as "about")."""

    agency: str
    gain_minutes: int = Field(description="predicted cut of the mean time in the center, minutes")
    mean_time_before: int = Field(description="predicted mean minutes in the center, as staffed")
    mean_time_after: int = Field(description="the same with the extra desk")
    computed_at: datetime = Field(description="when the room was read for this advice")
    days: int = Field(description="simulated days the prediction rests on")


class DayCounts(BaseModel):
    """Today so far, from the event log (and the visitors in the center now)."""

    checked_in: int
    done: int = Field(description="visits ended with every step finished or given up")
    waiting: int = Field(description="in the center now, waiting")
    at_desk: int = Field(description="in the center now, called or in service")
    no_shows: int = Field(description="calls given up at a desk after the second miss")
    cancelled: int


class Overview(BaseModel):
    center: CenterName
    date: date
    seq: int = Field(description="the last event this overview includes")
    now: datetime = Field(description="the server's time the figures were taken at")
    day: DayHours | None = Field(description="today's hours; null: no consultation day today")
    desks: list[DeskOverview]
    agencies: list[AgencyOverview]
    leaving_soon: list[LeavingSoon]
    alerts: list[Alert]
    counts: DayCounts
    staffing: StaffingAdvice | None = Field(
        None,
        description="with a queue_past_closing alert: the last staffing advice computed "
        "(at most every 2 minutes, in the background); null: none yet or no alert",
    )

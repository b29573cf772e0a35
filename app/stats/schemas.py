"""The statistics as the API answers them (docs/api.md §12); pure Pydantic, no I/O."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from app.stats.turnout import Turnout


class Durations(BaseModel):
    """Minutes (one decimal); null when nothing was measured."""

    count: int
    mean: float | None
    median: float | None
    p90: float | None = Field(description="90th percentile, linear between closest ranks")


class Totals(BaseModel):
    visitors: int = Field(description="visits checked in (with a step of agency/need if given)")
    walk_ins: int
    invited: int = Field(description="checked in with an invitation letter")
    invited_share: float | None = Field(description="invited ÷ visitors whose check-in said")
    done: int
    cancelled: int
    steps: int = Field(description="steps (one per need and agency) of those visits")
    no_shows: int = Field(description="steps ended as no-show (missed two calls)")
    misses: int = Field(description="calls nobody answered, final or not")
    leave_by_given: int
    leave_by_met: int = Field(description="visits done by the time they had to leave")
    leave_by_share: float | None
    referrals: int
    joint_consultations: int
    unshared_language_calls: int = Field(
        description="calls by a desk whose configured languages exclude the visitor's"
    )
    first_wait: Durations = Field(description="check-in to the first call")
    step_wait: Durations = Field(description="queued for a step to its first call")
    service: Durations = Field(description="at the desk: start (or call) to done")
    stay: Durations = Field(description="check-in to done or cancelled")


class StatsDayRow(BaseModel):
    date: date
    visitors: int
    invited: int
    wait_median: float | None
    wait_p90: float | None
    stay_mean: float | None
    no_shows: int
    cancelled: int


class HourRow(BaseModel):
    hour: int = Field(description="local hour of the check-in, 0–23")
    arrivals: int


class _StepGroup(BaseModel):
    steps: int
    done: int
    no_shows: int
    misses: int
    referred_in: int
    wait: Durations
    service: Durations


class AgencyRow(_StepGroup):
    agency: str
    referred_out: int


class NeedRow(_StepGroup):
    need: str


class ReferralRow(BaseModel):
    from_agency: str
    to_agency: str
    count: int


class JointRow(BaseModel):
    host_agency: str
    agency: str = Field(description="the agency that joined")
    count: int


class LanguageRow(BaseModel):
    language: str
    visitors: int
    unshared_language_calls: int


class SiteRow(BaseModel):
    site: str | None = Field(description="a mobile day's site; null: the center's own rooms")
    visitors: int


class Stats(BaseModel):
    """Statistics of a center over a date range of center-days, from the event log only."""

    center: str
    timezone: str
    from_date: date = Field(alias="from")
    to_date: date = Field(alias="to")
    agency: str | None
    need: str | None
    site: str | None = Field(description="the site asked for; '-': the center's own rooms")
    today: date = Field(description="the center's current day: computed live, not stored")
    pending_days: int = Field(
        default=0,
        description="closed days of the range with a log but no rollup yet: left out of "
        "every figure while the server builds them (ask again); 0: the answer is complete",
    )
    agency_names: dict[str, dict[str, str]]
    need_names: dict[str, dict[str, str]]
    site_names: list[str] = Field(description="sites of the center's days, for a filter")
    invitations_known: bool = Field(
        description="whether invitations are recorded, so turnout (came ÷ invited) exists"
    )
    turnout: Turnout | None = Field(
        default=None,
        description="invited who came, over the range's days with an invitation list "
        "(under an agency or need filter: those whose visit had such a step)",
    )
    totals: Totals
    days: list[StatsDayRow]
    hours: list[HourRow]
    agencies: list[AgencyRow]
    needs: list[NeedRow]
    referrals: list[ReferralRow]
    joint: list[JointRow]
    languages: list[LanguageRow]
    sites: list[SiteRow]

    model_config = {"populate_by_name": True}

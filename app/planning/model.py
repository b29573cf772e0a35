"""The planner's vocabulary: invitees, their windows, the day they come to, and predictions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from app.sim.simulate import CenterSpec, DeskEvent

# The invited come around their window, early more often than late (the seeds' letters:
# "most of whom come early"): minutes around the window's middle, uniform.
PUNCTUALITY = (-15.0, 10.0)


@dataclass(frozen=True)
class Invitee:
    """One invited person as the planner sees them: no name, no address.

    `leave_by` and the window are minutes after the center opens. `journey_minutes`
    is the way to the center (from their town): long journeys get early windows, so
    they are home the same day.
    """

    id: str
    needs: tuple[str, ...]
    language: str = "de"
    residence_status: str | None = None
    municipality: str | None = None
    age: int | None = None
    journey_minutes: float = 0.0
    leave_by: float | None = None
    children: bool = False
    accessibility: bool = False


@dataclass(frozen=True)
class Window:
    """An arrival window, minutes after opening: [start, end)."""

    start: float
    end: float

    def clock(self, opens: datetime) -> tuple[datetime, datetime]:
        """The window as times of day, for the letter."""
        return opens + timedelta(minutes=self.start), opens + timedelta(minutes=self.end)


@dataclass(frozen=True)
class DaySetup:
    """A day without its invitees.

    `center` carries the minutes services really take on average (learned from past
    days); `mix` describes who walks in and how a day goes, with the scenario keys of
    bench/scenarios (needs, needs_per_visitor, languages, residence_status,
    municipalities, ages, leave_by, children, accessibility, miss_call, gone, referral,
    service, prior_factor: the minutes the desks start the day from). `desk_events`
    None: every desk opens at the start and stays open.
    """

    center: CenterSpec
    walk_ins_per_hour: tuple[float, ...] = ()
    mix: Mapping[str, Any] = field(default_factory=dict)
    desk_events: tuple[DeskEvent, ...] | None = None
    overtime: float = 120.0
    opens: datetime = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    punctuality: tuple[float, float] = PUNCTUALITY

    @property
    def closes(self) -> float:
        return self.center.closes

    @property
    def agencies(self) -> tuple[str, ...]:
        """Agencies with a desk today, in the order of the desks."""
        present = self.center.present
        return tuple(dict.fromkeys(d.agency for d in self.center.desks if d.agency in present))

    @classmethod
    def from_scenario(cls, center: CenterSpec, spec: Mapping[str, Any]) -> DaySetup:
        """A bench scenario's day (bench/scenarios/*.yaml) without its invited wave."""
        walk_ins = spec.get("walk_ins", {})
        load = float(spec.get("load", 1.0))
        mix = {k: v for k, v in spec.items() if k not in ("walk_ins", "invited", "seed", "load")}
        early, late = spec.get("invited", {}).get("jitter", PUNCTUALITY)
        return cls(
            center=center,
            walk_ins_per_hour=tuple(float(r) * load for r in walk_ins.get("per_hour", [])),
            mix=mix,
            overtime=float(spec.get("overtime", 120.0)),
            punctuality=(float(early), float(late)),
        )


@dataclass(frozen=True)
class AgencyPrediction:
    agency: str
    visitors: float  # per day, visitors with a step there
    mean_wait: float  # minutes from check-in until called there
    p90_wait: float


@dataclass(frozen=True)
class Prediction:
    """What a day is expected to look like, over `days` simulated days (seeded)."""

    days: int
    visitors: float  # per day
    mean_time: float  # minutes in the center, everyone
    p90_time: float
    invited_mean_time: float | None
    walk_in_mean_time: float | None
    mean_wait: float  # until the first call
    agencies: tuple[AgencyPrediction, ...]
    by_hour: tuple[float | None, ...]  # mean time in the center by hour of arrival
    unserved: float  # per day, visitors sent home with a step still open at the end


@dataclass(frozen=True)
class Advice:
    """One extra desk for an agency, and what it is predicted to change."""

    agency: str
    gain: float  # minutes of mean time in the center saved per visitor
    mean_time_before: float
    mean_time_after: float

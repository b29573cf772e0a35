"""Statistics arithmetic over the event log: pure, no framework, no I/O.

Two stages. `day_facts` reads one center-day's events (and the next day's events of the
same visits: a consultation running over local midnight finishes in the next day's log)
into anonymous facts per visit: waits, service times, outcomes in seconds, never a
ticket, token or answer. Those facts are what the per-day rollup stores. `summarise`
filters the facts of many days by agency and need and reduces them to the figures and
tables of `app.stats.schemas`.

Durations are differences of the events' UTC instants, so a daylight-saving switch
changes no wait; hours of the day are the center's local hours.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any, TypedDict

from app.kinds import EventType, StepStatus, VisitStatus
from app.stats.schemas import (
    AgencyRow,
    Durations,
    HourRow,
    JointRow,
    LanguageRow,
    NeedRow,
    ReferralRow,
    StatsDayRow,
    Totals,
)

# Bump when the facts' meaning changes: stored rollups of another version are rebuilt.
FACTS_VERSION = 1

WAITING = frozenset({StepStatus.PENDING.value})
AT_DESK = frozenset({StepStatus.CALLED.value, StepStatus.IN_SERVICE.value})


@dataclass(frozen=True)
class LogEvent:
    """One row of the event log, as the statistics read it."""

    date: date
    seq: int
    type: str
    at: datetime  # aware, UTC
    visit_id: str | None
    desk: str | None
    data: dict[str, Any]


class StepFact(TypedDict):
    need: str
    agency: str
    source: str  # checkin, referral, joint
    wait: int | None  # seconds from entering the queue to the first call
    service: int | None  # seconds at the desk (start, or call without start, to done)
    end: str  # the step's last status: done, no_show, cancelled, pending, ...
    misses: int  # called and not there (a first no-show sends the step back to the queue)
    shared: bool | None  # the calling desk speaks the visitor's language (None: unknown)


class VisitFact(TypedDict):
    language: str
    invited: bool | None  # None: checked in before the log said so
    hour: int  # local hour of the check-in
    wait: int | None  # seconds from check-in to the first call
    stay: int | None  # seconds from check-in to done or cancelled
    end: str  # done, cancelled, or the open status at the end of the log read
    leave_by: bool | None  # None: no leave_by given; True: done by then
    steps: list[StepFact]
    referrals: list[tuple[str, str]]  # (from agency, to agency)
    joint: list[tuple[str, str]]  # (host agency, joining agency)


@dataclass
class _Step:
    fact: StepFact
    queued: datetime
    status: str = StepStatus.PENDING.value
    since: datetime | None = None  # called or started: when the desk's time began
    started: bool = False


@dataclass
class _Visit:
    checked_in: datetime
    language: str
    invited: bool | None
    leave_by: str | None
    steps: list[_Step]
    wait: int | None = None
    stay: int | None = None
    end: str = VisitStatus.WAITING.value
    leave_by_met: bool | None = None
    referrals: list[tuple[str, str]] | None = None
    joint: list[tuple[str, str]] | None = None


def _seconds(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds()))


def _new_step(raw: dict[str, Any], at: datetime) -> _Step:
    fact: StepFact = {
        "need": str(raw.get("need")),
        "agency": str(raw.get("agency")),
        "source": str(raw.get("source") or "checkin"),
        "wait": None,
        "service": None,
        "end": StepStatus.PENDING.value,
        "misses": 0,
        "shared": None,
    }
    return _Step(fact=fact, queued=at)


def _follow_steps(visit: _Visit, event: LogEvent, raw_steps: list[dict[str, Any]]) -> None:
    """Each step's status change in this event: waits end at a call, service at done."""
    at = event.at
    for i, raw in enumerate(raw_steps):
        if i >= len(visit.steps):
            visit.steps.append(_new_step(raw, at))  # referred or joined: queued now
        step = visit.steps[i]
        new = str(raw.get("status"))
        old = step.status
        if new == old:
            continue
        fact = step.fact
        if old in WAITING and new in AT_DESK:
            if fact["wait"] is None:
                fact["wait"] = _seconds(step.queued, at)
                if event.type == EventType.VISIT_CALLED:
                    spoken = event.data.get("desk_languages")
                    if spoken:
                        fact["shared"] = visit.language in spoken
            if visit.wait is None:
                visit.wait = _seconds(visit.checked_in, at)
            step.since = at
            step.started = new == StepStatus.IN_SERVICE
        elif old == StepStatus.CALLED and new == StepStatus.IN_SERVICE:
            step.since = at
            step.started = True
        elif old in AT_DESK and new == StepStatus.DONE:
            # Finished without pressing start: the time since the call was the service.
            fact["service"] = (fact["service"] or 0) + _seconds(step.since or at, at)
        elif old in AT_DESK and new in WAITING:
            if event.type == EventType.VISIT_NO_SHOW:
                fact["misses"] += 1
            elif step.started:
                # Back to the queue unresolved (or a joined desk left): time served counts.
                fact["service"] = (fact["service"] or 0) + _seconds(step.since or at, at)
            step.queued = at
        if new == StepStatus.NO_SHOW:
            fact["misses"] += 1
        step.status = new
        fact["end"] = new


def _leave_by_met(leave_by: str, day: date, tz: tzinfo, ended: datetime) -> bool:
    hh, mm = (int(part) for part in leave_by.split(":"))
    return ended <= datetime.combine(day, time(hh, mm), tzinfo=tz)


def day_facts(day: date, events: Iterable[LogEvent], tz: tzinfo) -> list[VisitFact]:
    """The facts of the visits checked in on `day` (a center-day in zone `tz`).

    `events` are that day's log in seq order, followed by the next day's (only events of
    visits checked in on `day` are read from it).
    """
    visits: dict[str, _Visit] = {}
    for event in events:
        if event.visit_id is None:
            continue
        raw = event.data.get("visit")
        if event.type == EventType.VISIT_CHECKED_IN and event.date == day:
            if not isinstance(raw, dict):
                continue
            invited = event.data.get("invited")
            visit = _Visit(
                checked_in=event.at,
                language=str(raw.get("language")),
                invited=invited if isinstance(invited, bool) else None,
                leave_by=raw.get("leave_by"),
                steps=[_new_step(s, event.at) for s in raw.get("steps") or []],
            )
            for step, s in zip(visit.steps, raw.get("steps") or [], strict=True):
                step.status = str(s.get("status"))
                step.fact["end"] = step.status
            visits[event.visit_id] = visit
            visit.end = str(raw.get("status"))
            if visit.end == VisitStatus.DONE:  # nothing to do today: ended at check-in
                visit.stay = 0
            continue
        visit_or_none = visits.get(event.visit_id)
        if visit_or_none is None:
            continue
        visit = visit_or_none
        if isinstance(raw, dict):
            _follow_steps(visit, event, list(raw.get("steps") or []))
            status = str(raw.get("status"))
            if status in (VisitStatus.DONE, VisitStatus.CANCELLED) and visit.stay is None:
                visit.stay = _seconds(visit.checked_in, event.at)
                if visit.leave_by:
                    visit.leave_by_met = status == VisitStatus.DONE and _leave_by_met(
                        visit.leave_by, day, tz, event.at
                    )
            visit.end = status
        if event.type == EventType.VISIT_REFERRED:
            source = str(event.data.get("from_agency") or "?")
            for added in event.data.get("added") or []:
                visit.referrals = [*(visit.referrals or []), (source, str(added.get("agency")))]
        elif event.type == EventType.JOINT_ACCEPTED:
            req = event.data.get("request") or {}
            pair = (str(req.get("host_agency")), str(req.get("agency")))
            visit.joint = [*(visit.joint or []), pair]
    out: list[VisitFact] = []
    for visit in visits.values():
        leave_by: bool | None = None
        if visit.leave_by:
            leave_by = bool(visit.leave_by_met)
        out.append(
            {
                "language": visit.language,
                "invited": visit.invited,
                "hour": visit.checked_in.astimezone(tz).hour,
                "wait": visit.wait,
                "stay": visit.stay,
                "end": visit.end,
                "leave_by": leave_by,
                "steps": [s.fact for s in visit.steps],
                "referrals": list(visit.referrals or []),
                "joint": list(visit.joint or []),
            }
        )
    return out


# --- reducing facts to figures ---------------------------------------------------------


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between the closest ranks (as numpy's default and
    `statistics.quantiles(method="inclusive")`), defined for one value too."""
    if len(sorted_values) == 1:
        return float(sorted_values[0])
    position = (len(sorted_values) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def durations(seconds: Iterable[int | None]) -> Durations:
    """Count, mean, median and 90th percentile in minutes (one decimal)."""
    values = sorted(s for s in seconds if s is not None)
    if not values:
        return Durations(count=0, mean=None, median=None, p90=None)
    return Durations(
        count=len(values),
        mean=round(statistics.fmean(values) / 60, 1),
        median=round(statistics.median(values) / 60, 1),
        p90=round(percentile(values, 0.9) / 60, 1),
    )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _step_matches(step: StepFact, agency: str | None, need: str | None) -> bool:
    return (agency is None or step["agency"] == agency) and (need is None or step["need"] == need)


@dataclass(frozen=True)
class Summary:
    totals: Totals
    days: list[StatsDayRow]
    hours: list[HourRow]
    agencies: list[AgencyRow]
    needs: list[NeedRow]
    referrals: list[ReferralRow]
    joint: list[JointRow]
    languages: list[LanguageRow]


def _group_rows(steps: list[StepFact], key: str, refs: Counter[tuple[str, str]]) -> list[Any]:
    grouped: dict[str, list[StepFact]] = defaultdict(list)
    for step in steps:
        grouped[step[key]].append(step)  # type: ignore[literal-required]
    rows: list[Any] = []
    for code in sorted(grouped):
        group = grouped[code]
        figures = {
            "steps": len(group),
            "done": sum(1 for s in group if s["end"] == StepStatus.DONE),
            "no_shows": sum(1 for s in group if s["end"] == StepStatus.NO_SHOW),
            "misses": sum(s["misses"] for s in group),
            "referred_in": sum(1 for s in group if s["source"] == "referral"),
            "wait": durations(s["wait"] for s in group),
            "service": durations(s["service"] for s in group),
        }
        if key == "agency":
            rows.append(
                AgencyRow(
                    agency=code,
                    referred_out=sum(n for (src, _), n in refs.items() if src == code),
                    **figures,
                )
            )
        else:
            rows.append(NeedRow(need=code, **figures))
    return rows


def summarise(
    days: Sequence[tuple[date, Sequence[VisitFact]]],
    *,
    agency: str | None = None,
    need: str | None = None,
) -> Summary:
    """Figures and tables over many days' facts: visits with a step of the agency and/or
    need, and of their steps only those (waits, service times, outcomes per agency)."""
    filtered = agency is not None or need is not None
    all_visits: list[VisitFact] = []
    all_steps: list[StepFact] = []
    day_rows: list[StatsDayRow] = []
    hours: Counter[int] = Counter()
    refs: Counter[tuple[str, str]] = Counter()
    joint: Counter[tuple[str, str]] = Counter()
    lang_visits: Counter[str] = Counter()
    lang_unshared: Counter[str] = Counter()
    for day, facts in days:
        visits = []
        for visit in facts:
            steps = [s for s in visit["steps"] if _step_matches(s, agency, need)]
            if filtered and not steps:
                continue
            visits.append(visit)
            all_steps.extend(steps)
            hours[visit["hour"]] += 1
            lang_visits[visit["language"]] += 1
            lang_unshared[visit["language"]] += sum(1 for s in steps if s["shared"] is False)
            for src, dst in visit["referrals"]:
                if agency is None or agency in (src, dst):
                    refs[(src, dst)] += 1
            for host, guest in visit["joint"]:
                if agency is None or agency in (host, guest):
                    joint[(host, guest)] += 1
        all_visits.extend(visits)
        if visits:
            waits = durations(v["wait"] for v in visits)
            day_rows.append(
                StatsDayRow(
                    date=day,
                    visitors=len(visits),
                    invited=sum(1 for v in visits if v["invited"]),
                    wait_median=waits.median,
                    wait_p90=waits.p90,
                    stay_mean=durations(v["stay"] for v in visits).mean,
                    no_shows=sum(
                        1 for v in visits for s in v["steps"] if s["end"] == StepStatus.NO_SHOW
                    ),
                    cancelled=sum(1 for v in visits if v["end"] == VisitStatus.CANCELLED),
                )
            )
    with_leave_by = [v for v in all_visits if v["leave_by"] is not None]
    known = [v for v in all_visits if v["invited"] is not None]
    invited = sum(1 for v in known if v["invited"])
    totals = Totals(
        visitors=len(all_visits),
        walk_ins=len(known) - invited,
        invited=invited,
        invited_share=_share(invited, len(known)),
        done=sum(1 for v in all_visits if v["end"] == VisitStatus.DONE),
        cancelled=sum(1 for v in all_visits if v["end"] == VisitStatus.CANCELLED),
        steps=len(all_steps),
        no_shows=sum(1 for s in all_steps if s["end"] == StepStatus.NO_SHOW),
        misses=sum(s["misses"] for s in all_steps),
        leave_by_given=len(with_leave_by),
        leave_by_met=sum(1 for v in with_leave_by if v["leave_by"]),
        leave_by_share=_share(sum(1 for v in with_leave_by if v["leave_by"]), len(with_leave_by)),
        referrals=sum(refs.values()),
        joint_consultations=sum(joint.values()),
        unshared_language_calls=sum(1 for s in all_steps if s["shared"] is False),
        first_wait=durations(v["wait"] for v in all_visits),
        step_wait=durations(s["wait"] for s in all_steps),
        service=durations(s["service"] for s in all_steps),
        stay=durations(v["stay"] for v in all_visits),
    )
    return Summary(
        totals=totals,
        days=day_rows,
        hours=[HourRow(hour=h, arrivals=hours[h]) for h in sorted(hours)],
        agencies=_group_rows(all_steps, "agency", refs),
        needs=_group_rows(all_steps, "need", refs),
        referrals=[
            ReferralRow(from_agency=s, to_agency=d, count=n) for (s, d), n in sorted(refs.items())
        ],
        joint=[JointRow(host_agency=h, agency=g, count=n) for (h, g), n in sorted(joint.items())],
        languages=[
            LanguageRow(language=lang, visitors=n, unshared_language_calls=lang_unshared[lang])
            for lang, n in sorted(lang_visits.items(), key=lambda item: (-item[1], item[0]))
        ],
    )

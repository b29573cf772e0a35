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
    SiteRow,
    StatsDayRow,
    Totals,
)

# Bump when the facts' meaning changes: stored rollups of another version are rebuilt.
FACTS_VERSION = 3

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


# A visit's facts as stored: [language, invited (None: the check-in did not say), local
# hour of the check-in, seconds to the first call, seconds in the center (to done or
# cancelled), end status, leave_by met (None: none given), steps, referrals [from, to],
# joint consultations [host agency, joining agency], the day's site ("": at the center)];
# a step's: the StepFact keys in order.
VisitFact = list[Any]
V_LANGUAGE, V_INVITED, V_HOUR, V_WAIT, V_STAY, V_END = range(6)
V_LEAVE_BY, V_STEPS, V_REFERRALS, V_JOINT, V_SITE = range(6, 11)
AT_CENTER = ""  # the site of a day in the center's own rooms
S_NEED, S_AGENCY, S_SOURCE, S_WAIT, S_SERVICE, S_END, S_MISSES, S_SHARED = range(8)
DONE, NO_SHOW, CANCELLED = "done", "no_show", "cancelled"


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
    site: str
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
                site=str(event.data.get("site") or AT_CENTER),
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
        # Positional, not keyed: a year of stored days is read on every query (V_*, S_*).
        steps = [
            [
                f["need"],
                f["agency"],
                f["source"],
                f["wait"],
                f["service"],
                f["end"],
                f["misses"],
                f["shared"],
            ]
            for f in (step.fact for step in visit.steps)
        ]
        out.append(
            [
                visit.language,
                visit.invited,
                visit.checked_in.astimezone(tz).hour,
                visit.wait,
                visit.stay,
                visit.end,
                leave_by,
                steps,
                list(visit.referrals or []),
                list(visit.joint or []),
                visit.site,
            ]
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
    values = [s for s in seconds if s is not None]
    if not values:
        return Durations(count=0, mean=None, median=None, p90=None)
    values.sort()  # once: the median is the 50th percentile of the same sorted list
    return Durations(
        count=len(values),
        mean=round(sum(values) / len(values) / 60, 1),
        median=round(percentile(values, 0.5) / 60, 1),
        p90=round(percentile(values, 0.9) / 60, 1),
    )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _step_matches(step: list[Any], agency: str | None, need: str | None) -> bool:
    return (agency is None or step[S_AGENCY] == agency) and (need is None or step[S_NEED] == need)


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
    sites: list[SiteRow]


def _group_rows(steps: list[list[Any]], key: str, refs: Counter[tuple[str, str]]) -> list[Any]:
    grouped: dict[str, list[list[Any]]] = defaultdict(list)
    for step in steps:
        grouped[step[S_AGENCY if key == "agency" else S_NEED]].append(step)
    rows: list[Any] = []
    for code in sorted(grouped):
        group = grouped[code]
        ends = Counter(s[S_END] for s in group)
        figures = {
            "steps": len(group),
            "done": ends[DONE],
            "no_shows": ends[NO_SHOW],
            "misses": sum([s[S_MISSES] for s in group]),
            "referred_in": sum([1 for s in group if s[S_SOURCE] == "referral"]),
            "wait": durations([s[S_WAIT] for s in group]),
            "service": durations([s[S_SERVICE] for s in group]),
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
    site: str | None = None,
) -> Summary:
    """Figures and tables over many days' facts: visits with a step of the agency and/or
    need, and of their steps only those (waits, service times, outcomes per agency);
    with `site`, only visits of days there (AT_CENTER: the center's own rooms)."""
    filtered = agency is not None or need is not None
    all_visits: list[VisitFact] = []
    all_steps: list[list[Any]] = []
    day_rows: list[StatsDayRow] = []
    hours: Counter[int] = Counter()
    refs: Counter[tuple[str, str]] = Counter()
    joint: Counter[tuple[str, str]] = Counter()
    lang_visits: Counter[str] = Counter()
    lang_unshared: Counter[str] = Counter()
    sites: Counter[str] = Counter()
    # One pass over a year of visits (some 15,000): plain loops, no call per visit.
    for day, facts in days:
        visits = []
        no_shows = cancelled = invited_today = 0
        for visit in facts:
            if site is not None and visit[V_SITE] != site:
                continue
            steps = visit[V_STEPS]
            if filtered:
                steps = [s for s in steps if _step_matches(s, agency, need)]
                if not steps:
                    continue
            visits.append(visit)
            all_steps.extend(steps)
            hours[visit[V_HOUR]] += 1
            sites[visit[V_SITE]] += 1
            language = visit[V_LANGUAGE]
            lang_visits[language] += 1
            for step in steps:
                if step[S_SHARED] is False:
                    lang_unshared[language] += 1
            for step in visit[V_STEPS]:
                if step[S_END] == NO_SHOW:
                    no_shows += 1
            if visit[V_END] == CANCELLED:
                cancelled += 1
            if visit[V_INVITED]:
                invited_today += 1
            for src, dst in visit[V_REFERRALS]:
                if agency is None or agency in (src, dst):
                    refs[(src, dst)] += 1
            for host, guest in visit[V_JOINT]:
                if agency is None or agency in (host, guest):
                    joint[(host, guest)] += 1
        all_visits.extend(visits)
        if visits:
            waits = durations([v[V_WAIT] for v in visits])
            day_rows.append(
                StatsDayRow(
                    date=day,
                    visitors=len(visits),
                    invited=invited_today,
                    wait_median=waits.median,
                    wait_p90=waits.p90,
                    stay_mean=durations([v[V_STAY] for v in visits]).mean,
                    no_shows=no_shows,
                    cancelled=cancelled,
                )
            )
    with_leave_by = [v for v in all_visits if v[V_LEAVE_BY] is not None]
    known = [v for v in all_visits if v[V_INVITED] is not None]
    invited = sum(1 for v in known if v[V_INVITED])
    totals = Totals(
        visitors=len(all_visits),
        walk_ins=len(known) - invited,
        invited=invited,
        invited_share=_share(invited, len(known)),
        done=sum(1 for v in all_visits if v[V_END] == DONE),
        cancelled=sum(1 for v in all_visits if v[V_END] == CANCELLED),
        steps=len(all_steps),
        no_shows=sum(1 for s in all_steps if s[S_END] == NO_SHOW),
        misses=sum(s[S_MISSES] for s in all_steps),
        leave_by_given=len(with_leave_by),
        leave_by_met=sum(1 for v in with_leave_by if v[V_LEAVE_BY]),
        leave_by_share=_share(sum(1 for v in with_leave_by if v[V_LEAVE_BY]), len(with_leave_by)),
        referrals=sum(refs.values()),
        joint_consultations=sum(joint.values()),
        unshared_language_calls=sum(1 for s in all_steps if s[S_SHARED] is False),
        first_wait=durations(v[V_WAIT] for v in all_visits),
        step_wait=durations(s[S_WAIT] for s in all_steps),
        service=durations(s[S_SERVICE] for s in all_steps),
        stay=durations(v[V_STAY] for v in all_visits),
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
        sites=[SiteRow(site=name or None, visitors=n) for name, n in sorted(sites.items())],
    )

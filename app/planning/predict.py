"""What-if: a day's setup, played over many seeded days, summarised for the planner."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

from app.planning.model import AgencyPrediction, DaySetup, Invitee, Prediction, Window
from app.planning.setup import INVITED, draw_day
from app.routing.policy import choose
from app.sim.simulate import Chooser, DayResult, VisitorOutcome, simulate

Progress = Callable[[int, int], None]
PREDICT_SEEDS = 1_000_000  # the days predict_day draws are apart from any scenario's seeds


def day_seeds(seed: int, days: int, base: int = PREDICT_SEEDS) -> list[int]:
    return [base + seed * 1000 + k for k in range(days)]


def _p90(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] if ordered else 0.0


def _counted(result: DayResult) -> list[VisitorOutcome]:
    """Visitors with something to do today who did not walk away on their own."""
    return [
        v
        for v in result.visitors
        if not v.gone and any(status != "unavailable" for _, _, status in v.steps)
    ]


def agency_waits(result: DayResult) -> dict[str, list[float]]:
    """Per agency, each visitor's minutes from check-in until called there (until they
    left, when never called there)."""
    first: dict[tuple[str, str], float] = {}
    for call in result.calls:
        first.setdefault((call.ticket, call.agency), call.at)
    out: dict[str, list[float]] = defaultdict(list)
    for v in _counted(result):
        for agency in dict.fromkeys(a for _, a, status in v.steps if status != "unavailable"):
            at = first.get((v.ticket, agency), v.left)
            out[agency].append(max(0.0, at - v.arrive))
    return out


def summarize(results: Sequence[DayResult], setup: DaySetup) -> Prediction:
    """The same figures for any set of simulated days (a prediction, or a bench's truth)."""
    visitors = [v for r in results for v in _counted(r)]
    times = [v.time_in_center for v in visitors]
    invited = [v.time_in_center for v in visitors if v.ticket.startswith(INVITED)]
    walk_ins = [v.time_in_center for v in visitors if not v.ticket.startswith(INVITED)]
    waits: dict[str, list[float]] = defaultdict(list)
    for r in results:
        for agency, values in agency_waits(r).items():
            waits[agency] += values
    days = max(1, len(results))
    hours = max(1, math.ceil(setup.closes / 60.0))
    by_hour: list[list[float]] = [[] for _ in range(hours)]
    for v in visitors:
        by_hour[min(hours - 1, int(v.arrive // 60))].append(v.time_in_center)
    firsts = [v.first_call if v.first_call is not None else v.time_in_center for v in visitors]
    unserved = sum(
        1 for v in visitors if any(status in ("cancelled", "pending") for _, _, status in v.steps)
    )
    return Prediction(
        days=len(results),
        visitors=len(visitors) / days,
        mean_time=statistics.fmean(times) if times else 0.0,
        p90_time=_p90(times),
        invited_mean_time=statistics.fmean(invited) if invited else None,
        walk_in_mean_time=statistics.fmean(walk_ins) if walk_ins else None,
        mean_wait=statistics.fmean(firsts) if firsts else 0.0,
        agencies=tuple(
            AgencyPrediction(
                agency=a,
                visitors=len(waits[a]) / days,
                mean_wait=statistics.fmean(waits[a]),
                p90_wait=_p90(waits[a]),
            )
            for a in setup.agencies
            if waits.get(a)
        ),
        by_hour=tuple(statistics.fmean(h) if h else None for h in by_hour),
        unserved=unserved / days,
    )


def simulate_days(
    setup: DaySetup,
    invitees: Sequence[Invitee],
    windows: Mapping[str, Window] | None,
    seeds: Sequence[int],
    *,
    turnout: float,
    chooser: Chooser = choose,
    progress: Progress | None = None,
) -> list[DayResult]:
    out = []
    for k, s in enumerate(seeds):
        plan = draw_day(setup, invitees, windows, turnout=turnout, seed=s)
        out.append(simulate(plan, chooser))
        if progress is not None:
            progress(k + 1, len(seeds))
    return out


def predict_day(
    setup: DaySetup,
    invitees: Sequence[Invitee] = (),
    windows: Mapping[str, Window] | None = None,
    *,
    turnout: float = 0.6,
    days: int = 20,
    seed: int = 0,
    chooser: Chooser = choose,
    progress: Progress | None = None,
) -> Prediction:
    """The day as `days` simulated days with the server's policy: waits per agency, time
    in the center, invited and walk-ins apart. Invitees without a window (or all, when
    `windows` is None) get one from plan_windows first. The same arguments give the
    same prediction; `progress(done, total)` is called after each simulated day."""
    if invitees and (windows is None or any(i.id not in windows for i in invitees)):
        from app.planning.windows import plan_windows

        planned = plan_windows(setup, invitees, turnout=turnout, seed=seed)
        windows = {**planned, **(windows or {})}
    results = simulate_days(
        setup,
        invitees,
        windows,
        day_seeds(seed, days),
        turnout=turnout,
        chooser=chooser,
        progress=progress,
    )
    return summarize(results, setup)

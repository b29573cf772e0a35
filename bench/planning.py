"""Planning benchmark: arrival windows, what-if predictions, staffing advice, wait ranges.

Run with `make bench-planning` (or `python -m bench.planning [--days N] [--only NAME]
[--quick] [--calibrate]`). Every scenario of bench/scenarios over N seeded days (20),
the scenario's own seeds (base seed + day), the planner's own seeds apart from them.
Prints a table, then one last line in the issue's form. Numbers, not a timed test.

- Invitations (scenarios with invited visitors): each day has its own list of invitees
  drawn from the scenario's mix (needs, language, status, town; a leave_by is the
  scenario's spread after the end of its wave, so everyone invited in the wave can
  still make it). The same invitees, the same seeded day, three ways of inviting them:
  the scenario's wave (`wave`), one every `closes / count` minutes in letter order
  with deadlines moved to a window they can make (`even`), and plan_windows (`planned`,
  planned for 60 % turnout). Everyone invited is as punctual, and comes or stays away,
  alike in all three (their own random stream).
- Planner error: per scenario one day's plan (the day's invitees and planned windows),
  predicted by predict_day with the planner's seeds, against the same plan simulated
  on the benchmark's days: per agency the mean wait from check-in until called there.
- Staffing: advise_staffing on the planner's seeds names an agency; on the benchmark's
  days every agency's extra desk is tried (paired): regret = 1 − advised gain ÷ best.
- Wait ranges: every scenario as written (bench/routing's days, forecast on), the range
  given at check-in (estimate.wait_range around the first estimate) against the actual
  wait until the first call.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from multiprocessing import Pool
from typing import Any, TypeVar

from app.planning import DaySetup, Invitee, Window, advise_staffing, plan_windows, with_desks
from app.planning.predict import agency_waits, day_seeds, simulate_days, summarize
from app.planning.setup import INVITED, draw_day, person
from app.planning.windows import allowed, even_spread, own_minutes, work_of
from app.routing.estimate import wait_range
from app.routing.policy import choose
from app.sim.scenario import plan_day, random_visitor
from app.sim.simulate import DayResult, VisitorOutcome, simulate
from bench.scenarios import Scenario, load_all

RUSH = "opening-rush"
TURNOUT = 0.6
TURNOUTS = (0.4, 0.8)
PREDICT_DAYS = 6  # the planner's seeded days per benchmark day it predicts
ADVISE_DAYS = 20
CALIBRATE_SEEDS = range(500, 530)  # wait-range table: seeds apart from every benchmark's
# The way to the center from each town of the scenarios (minutes by bus; bench only).
JOURNEY = {"Detmold": 10, "Lemgo": 25, "Lage": 20, "Bad Salzuflen": 30, "Lügde": 55, "Blomberg": 35}
T = TypeVar("T")


@cache
def scenarios() -> dict[str, Scenario]:
    return {s.name: s for s in load_all()}


def setup_of(name: str) -> DaySetup:
    s = scenarios()[name]
    return DaySetup.from_scenario(s.center, s.spec)


def base_seed(name: str) -> int:
    return int(scenarios()[name].spec.get("seed", 1))


def invited_count(name: str) -> int:
    return int(scenarios()[name].spec.get("invited", {}).get("count", 0))


def invitees_for(name: str, seed: int) -> list[Invitee]:
    """The day's invitation list, drawn from the scenario's mix (letter order)."""
    s = scenarios()[name]
    spec = s.spec.get("invited", {})
    count = int(spec.get("count", 0))
    wave_end = float(spec.get("from", 0)) + count * float(spec.get("every", 5))
    out = []
    for k in range(count):
        v = random_visitor(f"invitee{k:03d}", 0.0, s.center, s.spec, seed)
        p = v.person
        out.append(
            Invitee(
                id=f"{k:03d}",
                needs=v.needs,
                language=p.language or "de",
                residence_status=p.residence_status,
                municipality=p.municipality,
                age=p.age,
                journey_minutes=float(JOURNEY.get(p.municipality or "", 20)),
                leave_by=None if v.leave_by is None else v.leave_by + wave_end,
                children=v.children,
                accessibility=v.accessibility,
            )
        )
    return out


def wave_windows(name: str, invitees: Sequence[Invitee]) -> dict[str, Window]:
    """Today's practice: letters for one moment each, `every` minutes apart from `from`."""
    spec = scenarios()[name].spec.get("invited", {})
    start, every = float(spec.get("from", 0)), float(spec.get("every", 5))
    return {i.id: Window(start + k * every, start + k * every) for k, i in enumerate(invitees)}


def even_windows(setup: DaySetup, invitees: Sequence[Invitee]) -> dict[str, Window]:
    """The obvious spread: one every closes / count minutes in letter order, a deadline
    moved to the nearest moment that leaves their own service before it."""
    step = setup.closes / max(1, len(invitees))
    moments = [Window(k * step, k * step) for k in range(len(invitees))]
    options = {
        i.id: allowed(i, own_minutes(work_of(setup.center, i.needs, person(i))), moments)
        for i in invitees
    }
    return even_spread(invitees, options, moments)


def counted(result: DayResult) -> list[VisitorOutcome]:
    return [
        v
        for v in result.visitors
        if not v.gone and any(status != "unavailable" for _, _, status in v.steps)
    ]


def split(result: DayResult) -> tuple[list[float], list[float]]:
    """Times in the center: (invited, walk-ins)."""
    invited: list[float] = []
    walk_ins: list[float] = []
    for v in counted(result):
        (invited if v.ticket.startswith(INVITED) else walk_ins).append(v.time_in_center)
    return invited, walk_ins


# ---- the tasks (run in worker processes) -------------------------------------------------


def invitation_day(name: str, day: int) -> dict[str, list[float]]:
    """One benchmark day of a scenario with invitations, every way of inviting."""
    setup = setup_of(name)
    seed = base_seed(name) + day
    invitees = invitees_for(name, seed)
    started = time.perf_counter()
    planned = plan_windows(setup, invitees, turnout=TURNOUT, seed=seed)
    plan_seconds = time.perf_counter() - started
    ways = {
        "wave": wave_windows(name, invitees),
        "even": even_windows(setup, invitees),
        "planned": planned,
    }
    out: dict[str, list[float]] = {"plan_seconds": [plan_seconds]}
    for way, windows in ways.items():
        turnouts = (TURNOUT, *TURNOUTS) if way != "even" else (TURNOUT,)
        for turnout in turnouts:
            day_plan = draw_day(setup, invitees, windows, turnout=turnout, seed=seed)
            invited, walk_ins = split(simulate(day_plan, choose))
            key = f"{way}@{turnout}"
            out[f"{key}:invited"] = invited
            out[f"{key}:walk_ins"] = walk_ins
    return out


def day_plan_of(name: str) -> tuple[DaySetup, list[Invitee], dict[str, Window]]:
    """A scenario's day for the what-if and staffing checks: its first day's invitees in
    planned windows (none for a walk-in scenario)."""
    setup = setup_of(name)
    invitees = invitees_for(name, base_seed(name))
    windows = plan_windows(setup, invitees, turnout=TURNOUT, seed=base_seed(name))
    return setup, invitees, windows


def prediction_error(name: str, days: int) -> dict[str, Any]:
    """Per agency: predicted mean wait (planner's seeds) against the benchmark's days."""
    setup, invitees, windows = day_plan_of(name)
    seeds = [base_seed(name) + d for d in range(days)]
    actual = simulate_days(setup, invitees, windows, seeds, turnout=TURNOUT)
    predicted = simulate_days(
        setup, invitees, windows, day_seeds(7, days * PREDICT_DAYS), turnout=TURNOUT
    )

    def per_agency(results: Sequence[DayResult]) -> dict[str, list[float]]:
        pooled: dict[str, list[float]] = {}
        for r in results:
            for agency, values in agency_waits(r).items():
                pooled.setdefault(agency, []).extend(values)
        return pooled

    act, pred = per_agency(actual), per_agency(predicted)
    rows = {
        a: (
            statistics.fmean(pred[a]) if pred.get(a) else 0.0,
            statistics.fmean(act[a]),
            len(act[a]),
        )
        for a in act
    }
    weight = sum(n for _, _, n in rows.values())
    mae = sum(abs(p - q) * n for p, q, n in rows.values()) / weight
    mean = sum(q * n for _, q, n in rows.values()) / weight
    return {
        "agencies": rows,
        "mae": mae,
        "mean_wait": mean,
        "ratio": mae / mean if mean > 0 else 0.0,
        "predicted_time": summarize(predicted, setup).mean_time,
        "actual_time": summarize(actual, setup).mean_time,
    }


def staffing(name: str, days: int) -> dict[str, Any]:
    """The advised extra desk against every extra desk tried on the benchmark's days."""
    setup, invitees, windows = day_plan_of(name)
    advice = advise_staffing(setup, invitees, windows, turnout=TURNOUT, days=ADVISE_DAYS, seed=7)
    seeds = [base_seed(name) + d for d in range(days)]

    def mean_time(s: DaySetup) -> float:
        return summarize(simulate_days(s, invitees, windows, seeds, turnout=TURNOUT), s).mean_time

    base = mean_time(setup)
    gains = {a: base - mean_time(with_desks(setup, {a: 1})) for a in setup.agencies}
    best = max(gains, key=lambda a: gains[a])
    advised = advice[0].agency
    regret = 1.0 - gains[advised] / gains[best] if gains[best] > 0 else 0.0
    return {
        "advised": advised,
        "advised_gain": gains[advised],
        "predicted_gain": advice[0].gain,
        "best": best,
        "best_gain": gains[best],
        "regret": regret,
        "base": base,
    }


def eta_day(name: str, day: int, seed_base: int | None = None) -> list[tuple[float, float]]:
    """(first estimate, actual wait until the first call) of a scenario day as written."""
    s = scenarios()[name]
    seed = (base_seed(name) if seed_base is None else seed_base) + day
    result = simulate(plan_day(s.center, s.spec, seed=seed), choose, forecast=True)
    return [
        (v.first_estimate, v.first_call)
        for v in counted(result)
        if v.first_estimate is not None and v.first_call is not None
    ]


# ---- running and printing -----------------------------------------------------------------


@dataclass
class Results:
    invitations: dict[str, list[dict[str, list[float]]]] = field(default_factory=dict)
    errors: dict[str, dict[str, Any]] = field(default_factory=dict)
    staffing: dict[str, dict[str, Any]] = field(default_factory=dict)
    eta: dict[str, list[tuple[float, float]]] = field(default_factory=dict)


def _call(job: tuple[Callable[..., T], tuple[Any, ...]]) -> T:
    fn, args = job
    return fn(*args)


def run(names: Sequence[str], days: int, workers: int) -> Results:
    jobs: list[tuple[str, str, tuple[Callable[..., Any], tuple[Any, ...]]]] = []
    for name in names:
        if invited_count(name):
            jobs += [("invite", name, (invitation_day, (name, d))) for d in range(days)]
        jobs.append(("staff", name, (staffing, (name, days))))
        jobs.append(("error", name, (prediction_error, (name, days))))
        jobs += [("eta", name, (eta_day, (name, d))) for d in range(days)]
    # The longest first, so two workers finish together.
    order = sorted(range(len(jobs)), key=lambda k: jobs[k][0] not in ("invite", "staff"))
    out = Results()
    work = [jobs[k][2] for k in order]
    if workers <= 1:
        answers = [_call(job) for job in work]
    else:
        with Pool(workers) as pool:
            answers = pool.map(_call, work, chunksize=1)
    for k, answer in zip(order, answers, strict=True):
        kind, name, _ = jobs[k]
        if kind == "invite":
            out.invitations.setdefault(name, []).append(answer)
        elif kind == "staff":
            out.staffing[name] = answer
        elif kind == "error":
            out.errors[name] = answer
        else:
            out.eta.setdefault(name, []).extend(answer)
    return out


def _pool(days: list[dict[str, list[float]]], key: str) -> list[float]:
    return [x for d in days for x in d.get(key, [])]


def _mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else math.nan


def invitation_figures(days: list[dict[str, list[float]]]) -> dict[str, float]:
    m = {
        key: _mean(_pool(days, key))
        for key in {k for d in days for k in d}
        if key != "plan_seconds"
    }
    wave = m[f"wave@{TURNOUT}:invited"]
    worst = max(m[f"planned@{t}:invited"] / m[f"wave@{t}:invited"] for t in TURNOUTS)
    return {
        "wave": wave,
        "even": m[f"even@{TURNOUT}:invited"],
        "planned": m[f"planned@{TURNOUT}:invited"],
        "wave_walk_ins": m[f"wave@{TURNOUT}:walk_ins"],
        "even_walk_ins": m[f"even@{TURNOUT}:walk_ins"],
        "planned_walk_ins": m[f"planned@{TURNOUT}:walk_ins"],
        "invited_vs_wave": m[f"planned@{TURNOUT}:invited"] / wave,
        "even_vs_wave": m[f"even@{TURNOUT}:invited"] / wave,
        "planned_vs_even": m[f"planned@{TURNOUT}:invited"] / m[f"even@{TURNOUT}:invited"],
        "walkin_vs_wave": m[f"planned@{TURNOUT}:walk_ins"] / m[f"wave@{TURNOUT}:walk_ins"],
        "even_walkin_vs_wave": m[f"even@{TURNOUT}:walk_ins"] / m[f"wave@{TURNOUT}:walk_ins"],
        "turnout_worst_vs_wave": worst,
        "turnout_40": m["planned@0.4:invited"] / m["wave@0.4:invited"],
        "turnout_80": m["planned@0.8:invited"] / m["wave@0.8:invited"],
        "plan_seconds": _mean(_pool(days, "plan_seconds")),
    }


def eta_figures(pairs: Sequence[tuple[float, float]]) -> dict[str, float]:
    inside, widths, waited = [], [], []
    for estimate, actual in pairs:
        span = wait_range(estimate)
        if span is None:
            continue
        inside.append(span[0] <= actual <= span[1])
        widths.append(span[1] - span[0])
        if estimate > 0:
            waited.append(span[0] <= actual <= span[1])
    mean_actual = _mean([a for _, a in pairs])
    return {
        "coverage": sum(inside) / len(inside) if inside else math.nan,
        "coverage_waiting": sum(waited) / len(waited) if waited else math.nan,
        "width_ratio": statistics.median(widths) / mean_actual if widths else math.nan,
        "n": float(len(inside)),
    }


def print_tables(res: Results, names: Sequence[str]) -> None:
    print("invitations (minutes in the center, mean; planned for 60 % turnout)")
    print(
        f"{'scenario':15} {'days':>4} {'wave':>6} {'even':>6} {'plan':>6} {'plan/w':>6} "
        f"{'even/w':>6} {'plan/e':>6} {'walk w':>6} {'walk e':>6} {'walk p':>6} "
        f"{'wk p/w':>6} {'t40':>5} {'t80':>5} {'s/plan':>6}"
    )
    for name in names:
        if name not in res.invitations:
            continue
        f = invitation_figures(res.invitations[name])
        print(
            f"{name:15} {len(res.invitations[name]):4d} {f['wave']:6.1f} {f['even']:6.1f} "
            f"{f['planned']:6.1f} {f['invited_vs_wave']:6.2f} {f['even_vs_wave']:6.2f} "
            f"{f['planned_vs_even']:6.2f} {f['wave_walk_ins']:6.1f} {f['even_walk_ins']:6.1f} "
            f"{f['planned_walk_ins']:6.1f} {f['walkin_vs_wave']:6.2f} {f['turnout_40']:5.2f} "
            f"{f['turnout_80']:5.2f} {f['plan_seconds']:6.1f}"
        )
    print()
    print("what-if and staffing (one day's plan per scenario; waits from check-in to the call)")
    print(
        f"{'scenario':15} {'wait':>6} {'pred':>6} {'mae':>5} {'ratio':>5} {'time':>6} "
        f"{'pred':>6} {'advised':>10} {'gain':>5} {'(pred)':>6} {'best':>10} {'gain':>5} "
        f"{'regret':>6}"
    )
    for name in names:
        e, s = res.errors.get(name), res.staffing.get(name)
        if e is None or s is None:
            continue
        predicted = sum(p * n for p, _, n in e["agencies"].values()) / sum(
            n for _, _, n in e["agencies"].values()
        )
        print(
            f"{name:15} {e['mean_wait']:6.1f} {predicted:6.1f} {e['mae']:5.1f} "
            f"{e['ratio']:5.2f} {e['actual_time']:6.1f} {e['predicted_time']:6.1f} "
            f"{s['advised']:>10} {s['advised_gain']:5.1f} {s['predicted_gain']:6.1f} "
            f"{s['best']:>10} {s['best_gain']:5.1f} {s['regret']:6.2f}"
        )
    print()
    print("wait ranges (given at check-in, against the actual wait until the first call)")
    print(f"{'scenario':15} {'n':>5} {'cover':>6} {'waited':>6} {'width/mean':>10}")
    for name in names:
        if name in res.eta:
            f = eta_figures(res.eta[name])
            print(
                f"{name:15} {int(f['n']):5d} {f['coverage']:6.2f} {f['coverage_waiting']:6.2f} "
                f"{f['width_ratio']:10.2f}"
            )


def summary(res: Results, names: Sequence[str]) -> str:
    rush = RUSH if RUSH in res.invitations else next(iter(res.invitations), None)
    inv = invitation_figures(res.invitations[rush]) if rush else {}
    ratios = [e["ratio"] for n, e in res.errors.items() if n in names]
    regrets = [s["regret"] for n, s in res.staffing.items() if n in names]
    eta = eta_figures([p for n in names for p in res.eta.get(n, [])])

    def num(value: float | None) -> str:
        return "nan" if value is None or math.isnan(value) else f"{value:.2f}"

    return (
        f"planning: rush_invited_vs_wave={num(inv.get('invited_vs_wave'))} "
        f"planned_vs_even={num(inv.get('planned_vs_even'))} "
        f"walkin_vs_wave={num(inv.get('walkin_vs_wave'))} "
        f"turnout_worst_vs_wave={num(inv.get('turnout_worst_vs_wave'))} "
        f"planner_mae_ratio={num(_mean(ratios))} "
        f"staffing_regret={num(_mean(regrets))} "
        f"eta_coverage={num(eta['coverage'])} "
        f"eta_width_ratio={num(eta['width_ratio'])}"
    )


def calibrate(workers: int) -> None:
    """The wait-range table (estimate.RANGE_KNOTS) from seeds apart from the benchmark's."""
    names = list(scenarios())
    jobs = [(eta_day, (n, s, 0)) for n in names for s in CALIBRATE_SEEDS]
    with Pool(workers) as pool:
        pairs = [p for found in pool.map(_call, jobs, chunksize=1) for p in found]
    edges = [1, 6, 11, 16, 21, 31, 46, 61, 91, 150, 10**6]
    central = 0.55

    def q(values: list[float], p: float) -> float:
        values = sorted(values)
        k = p * (len(values) - 1)
        i = int(k)
        return (
            values[i] if i + 1 >= len(values) else values[i] + (k - i) * (values[i + 1] - values[i])
        )

    print("RANGE_KNOTS = (")
    for lo, hi in pairwise(edges):
        inside = [(e, a) for e, a in pairs if lo <= e < hi]
        if len(inside) < 30:
            continue
        e = statistics.median(x for x, _ in inside)
        actual = [a for _, a in inside]
        low, high = q(actual, (1 - central) / 2), q(actual, (1 + central) / 2)
        print(f"    ({e:.1f}, {low:.1f}, {high:.1f}),")
    print(")")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=20, help="seeded days per scenario")
    parser.add_argument("--only", help="comma-separated scenario names")
    parser.add_argument("--quick", action="store_true", help="2 days, 2 scenarios (a smoke run)")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--calibrate", action="store_true", help="print the wait-range table")
    args = parser.parse_args(argv)
    if args.calibrate:
        calibrate(args.workers)
        return
    names = list(scenarios())
    days = args.days
    if args.quick:
        names, days = ["opening-rush", "mobile-day"], 2
    if args.only:
        names = [n for n in args.only.split(",") if n in scenarios()]
    started = time.perf_counter()
    res = run(names, days, args.workers)
    print_tables(res, names)
    print(f"({time.perf_counter() - started:.0f} s, {days} days per scenario)")
    print(summary(res, names))


if __name__ == "__main__":
    main()

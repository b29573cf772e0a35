"""Routing benchmark: every scenario with every policy, against per-agency FIFO.

Run with `make bench-routing` (or `python -m bench.routing [--seeds N] [--only NAME]`).
Prints one table row per scenario and policy, then the summary line the issue asks
for. Numbers, not a timed test: each scenario runs with a few seeds and the visitors
of all seeds are pooled, so one unlucky morning does not decide.

Deadlines are counted against one feasibility per visitor that no policy influences:
the earliest finish in an empty center (`simulate.earliest_alone`, from the plan
alone), and beside it (`dl_ref`) the earliest finish from the room at arrival in the
sequential-fifo day, a fixed reference policy, the same set for every row.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial

from app.routing.policy import DEFAULT_PARAMS, DeskView, Params, StepView, VisitView, choose
from app.sim.baselines import policies
from app.sim.scenario import plan_day
from app.sim.simulate import DayResult, VisitorOutcome, earliest_alone, simulate
from bench.oracle import NAME as REFERENCE
from bench.oracle import OracleSRPT
from bench.scenarios import Scenario, load, load_all

BASELINE = "sequential-fifo"
PARALLEL = "parallel-fifo"
DEFAULT = "routing"


@dataclass(frozen=True)
class Row:
    scenario: str
    policy: str
    visitors: int
    mean: float
    p90: float
    max_wait: float
    mean_wait: float
    lb_ratio: float
    deadlines: float | None  # met, of those feasible alone in the center (policy-independent)
    deadlines_ref: float | None  # met, of those feasible at arrival in the sequential-fifo day
    eta_mae_ratio: float | None
    worse_share: float  # visitors waiting 10+ minutes longer than under sequential-fifo
    outcomes: tuple[VisitorOutcome, ...]


def _p90(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] if ordered else 0.0


def _counted(result: DayResult, seed: int, alone: dict[str, float]) -> list[VisitorOutcome]:
    """Visitors with something to do today who did not walk away on their own (the same set
    under every policy: both depend on the plan only)."""
    return [
        replace(v, ticket=f"{seed}:{v.ticket}", alone_finish=alone.get(v.ticket))
        for v in result.visitors
        if not v.gone and any(s != "unavailable" for _, _, s in v.steps)
    ]


def _deadlines(outcomes: Sequence[VisitorOutcome], feasible: set[str]) -> float | None:
    counted = [v for v in outcomes if v.ticket in feasible]
    return sum(v.deadline_met for v in counted) / len(counted) if counted else None


def _eta(outcomes: Sequence[VisitorOutcome]) -> float | None:
    pairs = [
        (v.first_estimate, v.first_call)
        for v in outcomes
        if v.first_estimate is not None and v.first_call is not None
    ]
    if not pairs:
        return None
    mean_wait = statistics.fmean(actual for _, actual in pairs)
    mae = statistics.fmean(abs(est - actual) for est, actual in pairs)
    return mae / mean_wait if mean_wait > 0 else None


def _row(name: str, policy: str, outcomes: list[VisitorOutcome], base: Row | None) -> Row:
    times = [v.time_in_center for v in outcomes]
    waits = [v.wait for v in outcomes]
    alone = {v.ticket for v in outcomes if v.feasible_alone}
    # The reference policy's room at arrival decides for every row, never the row's own.
    ref = {v.ticket for v in (base.outcomes if base is not None else outcomes) if v.feasible}
    worse = 0.0
    if base is not None:
        fifo = {v.ticket: v.wait for v in base.outcomes}
        worse = sum(v.wait > fifo.get(v.ticket, 1e9) + 10 for v in outcomes) / len(outcomes)
    return Row(
        scenario=name,
        policy=policy,
        visitors=len(outcomes),
        mean=statistics.fmean(times),
        p90=_p90(times),
        max_wait=max(waits),
        mean_wait=statistics.fmean(waits),
        lb_ratio=statistics.fmean(times) / statistics.fmean(v.lower_bound for v in outcomes),
        deadlines=_deadlines(outcomes, alone),
        deadlines_ref=_deadlines(outcomes, ref),
        eta_mae_ratio=_eta(outcomes),
        worse_share=worse,
        outcomes=tuple(outcomes),
    )


def run_scenario(
    scenario: Scenario, seeds: int, chosen: dict[str, Callable[..., object]], *, learn: bool = True
) -> list[Row]:
    base_seed = int(scenario.spec.get("seed", 1))
    plans = [plan_day(scenario.center, scenario.spec, seed=base_seed + i) for i in range(seeds)]
    alone = [earliest_alone(plan) for plan in plans]  # once per day, for every policy
    rows: list[Row] = []
    base: Row | None = None
    for name, chooser in chosen.items():
        outcomes: list[VisitorOutcome] = []
        for i, plan in enumerate(plans):
            # The oracle is built per day: it reads that day's true service minutes.
            play = OracleSRPT(plan) if name == REFERENCE else chooser
            result = simulate(plan, play, learn=learn, forecast=(name == DEFAULT))
            outcomes += _counted(result, i, alone[i])
        row = _row(scenario.name, name, outcomes, base)
        if name == BASELINE:
            base = row
        rows.append(row)
    return rows


def _fmt(value: float | None, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


HEADER = (
    f"{'scenario':<15} {'policy':<16} {'n':>4} {'mean':>6} {'p90':>6} {'maxwait':>7} "
    f"{'lb':>5} {'mean/f':>6} {'p90/f':>6} {'max/f':>6} {'dl_met':>6} {'dl_ref':>6} "
    f"{'eta':>5} {'worse':>5}"
)


def _line(row: Row, base: Row) -> str:
    return (
        f"{row.scenario:<15} {row.policy:<16} {row.visitors:>4} {row.mean:>6.1f} "
        f"{row.p90:>6.1f} {row.max_wait:>7.1f} {row.lb_ratio:>5.2f} "
        f"{row.mean / base.mean:>6.2f} {row.p90 / base.p90:>6.2f} "
        f"{row.max_wait / base.max_wait:>6.2f} {_fmt(row.deadlines):>6} "
        f"{_fmt(row.deadlines_ref):>6} "
        f"{_fmt(row.eta_mae_ratio):>5} {row.worse_share:>5.2f}"
    )


def decide_ms(waiting: int = 500, repeats: int = 41) -> float:
    """Median milliseconds of one policy.choose over `waiting` multi-need visitors."""
    t0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    agencies = ["abh", "jobcenter", "aa", "kim", "beratung", "sprache"]
    before = {"residence": frozenset({"work"})}
    needs = [
        ("residence", "abh"),
        ("work", "aa"),
        ("income", "jobcenter"),
        ("counselling", "beratung"),
    ]
    visits = []
    for i in range(waiting):
        at = t0 + timedelta(minutes=i * 0.3)
        k = 1 + i % 4
        steps = tuple(
            StepView(i * 10 + j, n, a, "pending", at, 15.0 + j)
            for j, (n, a) in enumerate(needs[(i % 4) : (i % 4) + k] or needs[:1])
        )
        visits.append(
            VisitView(
                visit_id=str(i),
                ticket=f"A{i:03d}",
                checked_in_at=at,
                language="ar" if i % 3 else "de",
                steps=steps,
                leave_by=at + timedelta(minutes=120) if i % 7 == 0 else None,
                children=i % 9 == 0,
            )
        )
    now = t0 + timedelta(minutes=200)
    timings = []
    for r in range(repeats):
        desk = DeskView(f"d{r}", agencies[r % len(agencies)], frozenset({"de", "ar"}))
        start = time.perf_counter()
        choose(desk, visits, now=now, before=before)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def _ratios(rows: Sequence[Row], policy: str) -> dict[str, float | str]:
    """One policy's ratios to sequential-fifo: mean and p90 averaged over the scenarios, the
    maximum as the worst scenario's (never an average of worst cases)."""
    by = {(r.scenario, r.policy): r for r in rows}
    pairs = [(r, by[(r.scenario, BASELINE)]) for r in rows if r.policy == policy]
    worst, scenario = max((r.max_wait / b.max_wait, r.scenario) for r, b in pairs)
    met = [r.deadlines for r, _ in pairs if r.deadlines is not None]
    return {
        "mean": statistics.fmean(r.mean / b.mean for r, b in pairs),
        "p90": statistics.fmean(r.p90 / b.p90 for r, b in pairs),
        "max": worst,
        "max_in": scenario,
        "deadlines": statistics.fmean(met) if met else float("nan"),
    }


def summary(rows: Sequence[Row]) -> str:
    """The last line: routing's ratios, each followed by parallel-fifo's (how much of the
    gain is parallel waiting itself), when parallel-fifo ran."""
    mine = _ratios(rows, DEFAULT)
    par = _ratios(rows, PARALLEL) if any(r.policy == PARALLEL for r in rows) else None

    def pair(key: str, name: str) -> str:
        text = f"{name}={mine[key]:.2f}"
        return text if par is None else f"{text} parallel_{name}={par[key]:.2f}"

    eta = statistics.fmean(
        r.eta_mae_ratio for r in rows if r.policy == DEFAULT and r.eta_mae_ratio is not None
    )
    return (
        f"routing: {pair('mean', 'mean_vs_fifo')} {pair('p90', 'p90_vs_fifo')} "
        f"{pair('max', 'max_vs_fifo')} max_scenario={mine['max_in']} "
        f"{pair('deadlines', 'deadlines_met')} eta_mae_ratio={eta:.2f} "
        f"decide_ms_500={decide_ms():.1f}"
    )


def context(rows: Sequence[Row]) -> str:
    """What the summary line's numbers stand against (printed just before it)."""
    mine = [r for r in rows if r.policy == DEFAULT]
    ref = [r.deadlines_ref for r in mine if r.deadlines_ref is not None]
    parts = [f"deadlines_met_vs_fifo_room={statistics.fmean(ref):.2f}" if ref else ""]
    if any(r.policy == REFERENCE for r in rows):
        oracle = _ratios(rows, REFERENCE)
        parts.append(
            f"clairvoyant SRPT reference (no bound): mean_vs_fifo={oracle['mean']:.2f} "
            f"p90_vs_fifo={oracle['p90']:.2f} max_vs_fifo={oracle['max']:.2f}"
        )
    return "context: " + " ".join(p for p in parts if p)


def _params(text: str) -> Params:
    pairs = (item.split("=") for item in text.split(","))
    return replace(DEFAULT_PARAMS, **{key: float(value) for key, value in pairs})


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="days per scenario")
    parser.add_argument("--only", help="run only the scenario file with this name")
    parser.add_argument("--policies", help="comma-separated policy names")
    parser.add_argument(
        "--no-reference", action="store_true", help=f"skip the clairvoyant {REFERENCE} row"
    )
    parser.add_argument(
        "--no-learn", action="store_true", help="desks keep the configured minutes all day"
    )
    parser.add_argument("--set", help="routing parameters to try, e.g. work_weight=1,aging=0.5")
    args = parser.parse_args(argv)
    scenarios = load_all()
    if args.only:
        scenarios = [s for s in scenarios if s.name == args.only] or [load(args.only)]
    chosen: dict[str, Callable[..., object]] = {**policies()}
    if not args.no_reference:
        chosen[REFERENCE] = OracleSRPT  # placeholder: run_scenario builds one per day
    if args.set:
        chosen[DEFAULT] = partial(choose, params=_params(args.set))
    if args.policies:
        names = [BASELINE, *args.policies.split(",")]
        chosen = {n: chosen[n] for n in dict.fromkeys(names)}
    print(HEADER)
    rows: list[Row] = []
    for scenario in scenarios:
        found = run_scenario(scenario, args.seeds, chosen, learn=not args.no_learn)
        base = next(r for r in found if r.policy == BASELINE)
        for row in found:
            print(_line(row, base), flush=True)
        rows += found
    if any(r.policy == DEFAULT for r in rows):
        print(context(rows))
        print(summary(rows))


if __name__ == "__main__":
    main()

"""Staffing advice: which agency's extra desk shortens the day most."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.planning.model import Advice, DaySetup, Invitee, Window
from app.planning.predict import Progress, day_seeds, simulate_days, summarize
from app.planning.setup import with_desks
from app.routing.policy import choose
from app.sim.simulate import Chooser

STAFFING_SEEDS = 2_000_000


def advise_staffing(
    setup: DaySetup,
    invitees: Sequence[Invitee] = (),
    windows: Mapping[str, Window] | None = None,
    *,
    turnout: float = 0.6,
    days: int = 20,
    seed: int = 0,
    agencies: Sequence[str] | None = None,
    chooser: Chooser = choose,
    progress: Progress | None = None,
) -> list[Advice]:
    """One extra desk (open all day) for each agency in turn, every one on the same
    seeded days (paired), best first: the predicted gain in mean time in the center.

    Invitees keep the windows given (plan them first with plan_windows); `agencies`
    limits the candidates (default: every agency with a desk today).
    """
    seeds = day_seeds(seed, days, STAFFING_SEEDS)
    candidates = list(agencies if agencies is not None else setup.agencies)
    total = days * (len(candidates) + 1)
    done = 0

    def tick(k: int, _: int) -> None:
        if progress is not None:
            progress(done + k, total)

    base = summarize(
        simulate_days(
            setup, invitees, windows, seeds, turnout=turnout, chooser=chooser, progress=tick
        ),
        setup,
    )
    done += days
    out = []
    for agency in candidates:
        more = with_desks(setup, {agency: 1})
        after = summarize(
            simulate_days(
                more, invitees, windows, seeds, turnout=turnout, chooser=chooser, progress=tick
            ),
            more,
        )
        done += days
        out.append(
            Advice(
                agency=agency,
                gain=base.mean_time - after.mean_time,
                mean_time_before=base.mean_time,
                mean_time_after=after.mean_time,
            )
        )
    return sorted(out, key=lambda a: (-a.gain, a.agency))

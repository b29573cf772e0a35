"""Shaping the day: arrival windows for invitees, what-if predictions, staffing advice.

Pure (no FastAPI, no SQLAlchemy, no I/O), driven by the simulator (app/sim) and the
server's own routing policy. The API the planner pages build on:

    plan_windows(setup, invitees, turnout=0.6, slot_minutes=15, seed=0) -> {id: Window}
    predict_day(setup, invitees, windows, ...) -> Prediction   (seeded, with progress)
    advise_staffing(setup, invitees, windows, ...) -> [Advice]  (best first)

A `DaySetup` is the day without its invitees: the center (needs with their minutes,
desks, agencies present, closing time), the expected walk-ins per opening hour and
their mix, desk hours. Times are minutes after the center opens. docs/routing.md
("Planning the day") has the model and the benchmark.
"""

from app.planning.model import (
    Advice,
    AgencyPrediction,
    DaySetup,
    Invitee,
    Prediction,
    Window,
)
from app.planning.predict import predict_day
from app.planning.setup import with_desks, with_hours, with_walk_ins
from app.planning.staffing import advise_staffing
from app.planning.windows import plan_windows

__all__ = [
    "Advice",
    "AgencyPrediction",
    "DaySetup",
    "Invitee",
    "Prediction",
    "Window",
    "advise_staffing",
    "plan_windows",
    "predict_day",
    "with_desks",
    "with_hours",
    "with_walk_ins",
]

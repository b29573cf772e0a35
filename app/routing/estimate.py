"""Waiting-time estimates: how long until a visitor is called somewhere.

Pure. v1 uses the configured minutes per need and the desks open per agency;
the routing-engine work replaces the minutes with ones learned from the log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from app.routing.policy import DeskView, VisitView, is_busy, rank


def estimate_waits(
    visits: Sequence[VisitView],
    *,
    now: datetime,
    before: Mapping[str, frozenset[str]],
    desks_per_agency: Mapping[str, int],
) -> dict[str, int]:
    """Minutes until each waiting visitor is likely called at the first of their agencies."""
    best: dict[str, float] = {}
    agencies = {s.agency for v in visits for s in v.steps if s.status == "pending"}
    for agency in agencies:
        capacity = max(1, desks_per_agency.get(agency, 0))
        ahead = 0.0
        for cand in rank(DeskView(code="", agency=agency), visits, now=now, before=before):
            wait = ahead / capacity
            vid = cand.visit.visit_id
            best[vid] = min(best.get(vid, wait), wait)
            ahead += sum(s.minutes for s in cand.steps)
    out: dict[str, int] = {}
    for v in visits:
        if is_busy(v):
            out[v.visit_id] = 0
        elif v.visit_id in best:
            out[v.visit_id] = round(best[v.visit_id])
    return out

"""Time-driven changes: joint requests nobody answered lapse, holds whose time came end.

Each is a state change with its event, written under the center's write lock like any
desk action, so several workers running this loop at once change each thing once.
A cheap read finds the centers with something due; only those take the lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import or_, select

from app.centers.context import load_context
from app.centers.models import Center
from app.db import Database
from app.desks import hold, joint
from app.desks.models import JointRequest
from app.kinds import JointStatus
from app.visits.models import Step, Visit

log = logging.getLogger("welcome_center.timers")


async def due_centers(db: Database, *, now: datetime) -> set[int]:
    async with db.read() as session:
        joints = await session.scalars(
            select(JointRequest.center_id)
            .where(
                or_(
                    (JointRequest.status == JointStatus.REQUESTED)
                    & (JointRequest.lapses_at <= now),
                    JointRequest.status == JointStatus.ACCEPTED,
                )
            )
            .distinct()
        )
        holds = await session.scalars(
            select(Visit.center_id)
            .join(Step, Step.visit_id == Visit.id)
            .where(Step.held_reason.is_not(None), Step.held_until <= now)
            .distinct()
        )
        return set(joints.all()) | set(holds.all())


async def run_due(db: Database, *, now: datetime) -> int:
    """Everything due at `now`, center by center; the number of changes made."""
    changed = 0
    for center_id in sorted(await due_centers(db, now=now)):
        async with db.write(center_id) as session:
            center = await session.get(Center, center_id)
            if center is None:
                continue
            ctx = await load_context(session, center, now=now)
            changed += await joint.lapse_due(session, ctx, now=now)
            changed += await hold.release_due(session, ctx, now=now)
    return changed


class Timers:
    """The loop, one per process, started and stopped with the app (like the hub)."""

    def __init__(self, db: Database, clock: Callable[[], datetime], every: float) -> None:
        self.db = db
        self.clock = clock
        self.every = every
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.every > 0:
            self._task = asyncio.create_task(self._loop(), name="desk-timers")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                await run_due(self.db, now=self.clock())
            except Exception:  # a failed round must not end the loop: the next one retries
                log.exception("timed desk changes failed; retrying next round")

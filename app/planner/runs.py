"""What-if runs in the background: the simulation takes seconds to a minute, so a run
starts, answers with its id, and is polled for its progress and result.

Runs live in this process (app.state.planner_runs): a page polls the server that
started its run. One run per center at a time, at most MAX_RUNS in all (the simulator
is CPU work on the server's cores); finished runs are kept KEEP of them, newest."""

from __future__ import annotations

import asyncio
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio

from app.errors import Conflict, NotFound
from app.kinds import PlannerRunStatus
from app.planner.schemas import PlanResult, PlanRun

MAX_RUNS = 2
KEEP = 50

Work = Callable[[Callable[[int], None]], PlanResult]


@dataclass
class Run:
    id: str
    center_id: int
    total: int
    done: int = 0
    status: PlannerRunStatus = PlannerRunStatus.RUNNING
    result: PlanResult | None = None
    error: str | None = None

    def out(self) -> PlanRun:
        return PlanRun(
            id=self.id,
            status=self.status,
            done=min(self.done, self.total),
            total=self.total,
            result=self.result,
            error=self.error,
        )


@dataclass
class Runs:
    runs: OrderedDict[str, Run] = field(default_factory=OrderedDict)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def running(self) -> list[Run]:
        return [r for r in self.runs.values() if r.status == PlannerRunStatus.RUNNING]

    def start(self, center_id: int, total: int, work: Work) -> Run:
        busy = self.running()
        if any(r.center_id == center_id for r in busy) or len(busy) >= MAX_RUNS:
            raise Conflict(
                "the planner is busy with another run; try again when it has finished",
                code="planner_busy",
            )
        run = Run(id=secrets.token_urlsafe(12), center_id=center_id, total=total)
        self.runs[run.id] = run
        while len(self.runs) > KEEP:
            self.runs.popitem(last=False)

        def progress(done: int) -> None:
            run.done = done

        async def go() -> None:
            try:
                run.result = await anyio.to_thread.run_sync(work, progress)
                run.done = run.total
                run.status = PlannerRunStatus.DONE
            except Exception as exc:  # a run's failure is the run's answer, not the server's
                run.error = type(exc).__name__
                run.status = PlannerRunStatus.FAILED

        task = asyncio.create_task(go())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return run

    def get(self, center_id: int, run_id: str) -> Run:
        run = self.runs.get(run_id)
        if run is None or run.center_id != center_id:
            raise NotFound(f"no planner run {run_id}", code="unknown_run")
        return run

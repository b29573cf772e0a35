"""A center in motion: the demo's simulated day, played against the running server over HTTP.

The day is planned by the routing benchmark's own code: `app/demo/day.yaml` is a
scenario (bench/scenarios format) and `app.sim.scenario.plan_day` draws its
visitors (arrival times, needs, residence status, language, the true minutes of each
service, missed calls, referrals, who must leave early) over the demo center
(`app.centers.spec.center_spec`). Nothing is simulated twice: instead of the
simulator's event loop, the real server decides who each desk calls; this module only
plays the people:

- a virtual kiosk checks each planned visitor in when their arrival time comes;
- virtual staff, signed in as the agency's demo user, open every desk, call the next
  visitor, press "start" after the walk, "finish" after the planned service minutes
  (adding the planned referral), or "no-show" when the plan says the visitor misses it;
- a visitor who must leave early cancels with their own token.

`pace` simulated minutes pass per real second (default 1: a 15-minute consultation
takes 15 s). When a day's plan is played out, the next seed's day starts.

A desk a person works is left to them: the driver remembers what it left each desk
doing (state, visitor, step); when it finds the desk otherwise, or an action of its own
is refused because the desk changed, someone else acted there, and the desk is theirs
until it has stood closed and untouched for `handback` seconds. Errors are logged and
retried with backoff; nothing here can stop the server (it runs in its own process:
`welcome-center demo` starts `python -m app.demo.motion`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
from ruamel.yaml import YAML

from app.centers.loader import parse_config
from app.centers.schema import CenterConfig
from app.centers.spec import center_spec
from app.sim.scenario import plan_day
from app.sim.simulate import DayPlan, VisitorPlan, Walking

log = logging.getLogger("welcome_center.motion")

DEMO = Path(__file__).parent
CENTER_FILE = DEMO / "lippe.yaml"
DAY_FILE = DEMO / "day.yaml"
KIOSK_DEVICE = "kiosk"
IDLE_POLL = 1.5  # real seconds between call-next tries of an idle desk
WATCH_EVERY = 1.0  # real seconds between checks of a desk a person works


@dataclass
class DeskMemory:
    """What the driver left a desk doing; anything else means a person acted there."""

    state: str | None = None
    ticket: str | None = None
    status: str | None = None
    human_since: float | None = None  # monotonic time a person took the desk
    unchanged_since: float = 0.0
    seen: tuple[str | None, str | None, str | None] = (None, None, None)

    def remember(self, desk: Mapping[str, Any]) -> None:
        self.state, self.ticket, self.status = snapshot(desk)


def snapshot(desk: Mapping[str, Any]) -> tuple[str | None, str | None, str | None]:
    current = desk.get("current") or {}
    return desk.get("state"), current.get("ticket"), current.get("status")


def changed_by_someone(memory: DeskMemory, desk: Mapping[str, Any]) -> bool:
    """A person acted at the desk: it was opened, paused or closed, someone was called
    there, or its visitor was started, all not by the driver. A visitor who is simply gone
    (cancelled on their phone) is no one's action at the desk."""
    state, ticket, status = snapshot(desk)
    if state != memory.state:
        return True
    if ticket is None:
        return False
    return ticket != memory.ticket or status != memory.status


class Refused(Exception):
    """The server refused an action (4xx): the desk is not as the driver thought."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.code = code


@dataclass
class Motion:
    base: str
    pace: float = 1.0  # simulated minutes per real second
    seed: int | None = None
    handback: float = 600.0  # real seconds a person's desk stays closed before it is taken back
    slug: str = "lippe"
    config: CenterConfig = field(init=False)
    spec: dict[str, Any] = field(init=False)
    plans: dict[str, VisitorPlan] = field(default_factory=dict)  # visit id → the plan's visitor
    tokens: dict[str, str] = field(default_factory=dict)  # visit id → the visitor's token
    calls: dict[str, int] = field(default_factory=dict)  # visit id → calls so far
    referred: set[str] = field(default_factory=set)
    desks: dict[str, DeskMemory] = field(default_factory=dict)
    staff: dict[str, tuple[str, str]] = field(init=False)  # agency → (username, password)
    tokens_by_agency: dict[str, str] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    client: httpx.AsyncClient | None = None
    kiosk_token: str = ""
    walking: Walking = field(default_factory=Walking)
    no_show_wait: float = 3.0

    def __post_init__(self) -> None:
        self.config = parse_config(CENTER_FILE.read_text(encoding="utf-8"), CENTER_FILE.name)
        self.spec = dict(YAML(typ="safe").load(DAY_FILE.read_text(encoding="utf-8")))
        self.staff = {
            u.agency: (u.username, u.password)
            for u in self.config.users
            if u.role == "staff" and u.agency and u.password
        }
        kiosks = [d for d in self.config.devices if d.kind == KIOSK_DEVICE and d.token]
        self.kiosk_token = (kiosks[0].token or "") if kiosks else ""

    # ------------------------------------------------------------------ the day's plan

    def plan(self, seed: int) -> DayPlan:
        """The benchmark's plan of a day over the demo center: every agency present (the
        demo opens today with all of them), the desks of agencies with a demo staff user,
        arrivals for as many hours as the scenario's walk-ins name."""
        center = center_spec(every_agency(self.config))
        hours = len(self.spec.get("walk_ins", {}).get("per_hour", [])) or 8
        center = replace(
            center,
            desks=tuple(d for d in center.desks if d.agency in self.staff),
            closes=60.0 * hours,
        )
        return plan_day(center, self.spec, seed=seed)

    # ------------------------------------------------------------------ running

    async def run(self) -> None:
        """Play days until stopped; never raises (errors are logged and retried)."""
        seed = self.seed if self.seed is not None else int(self.spec.get("seed", 1))
        async with httpx.AsyncClient(base_url=self.base, timeout=10.0) as client:
            self.client = client
            await self._wait_for_server()
            while not self.stopping.is_set():
                try:
                    await self.play(self.plan(seed))
                except Exception:
                    log.exception("the simulated day failed; starting the next in 5 s")
                    await self._sleep(5)
                seed += 1

    def stop(self) -> None:
        self.stopping.set()

    async def play(self, plan: DayPlan) -> None:
        log.info("simulated day: %d visitors, pace %.1f min/s", len(plan.visitors), self.pace)
        desks = [d.code for d in plan.center.desks]
        workers = [asyncio.create_task(self._desk(code), name=f"desk {code}") for code in desks]
        try:
            await self._arrivals(plan)
            # Wait until the center is empty (or stopped), then the next day begins.
            while not self.stopping.is_set() and await self._someone_waits():
                await self._sleep(5)
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    async def _arrivals(self, plan: DayPlan) -> None:
        start = time.monotonic()
        for visitor in plan.visitors:
            due = start + visitor.arrive / self.pace
            if not await self._sleep(due - time.monotonic()):
                return
            await self._guard(self._check_in(visitor), f"check-in {visitor.ticket}")

    async def _check_in(self, plan: VisitorPlan) -> None:
        available = await self._available_needs()
        needs = [n for n in plan.needs if n in available]
        if not needs:
            return
        p = plan.person
        body: dict[str, Any] = {
            "language": p.language or "de",
            "needs": needs,
            "residence_status": p.residence_status,
            "municipality": p.municipality,
            "age": p.age,
            "priority": {"children": plan.children, "accessibility": plan.accessibility},
            "consent_share": True,
        }
        if body["language"] not in self.config.center.languages:
            body["language"] = self.config.center.languages[0]
        visit = await self._send(
            "POST",
            f"/api/v1/centers/{self.slug}/visits",
            self.kiosk_token,
            json=body,
            headers={"Idempotency-Key": f"motion-{time.time_ns()}"},
        )
        if not visit:
            return
        self.plans[visit["id"]] = plan
        self.tokens[visit["id"]] = visit["token"]
        self._count("checked_in")
        if plan.leave_by is not None:
            later = (plan.leave_by - plan.arrive) / self.pace
            asyncio.get_running_loop().call_later(
                later, lambda: asyncio.ensure_future(self._leave(visit["id"]))
            )

    async def _leave(self, visit_id: str) -> None:
        """The visitor had to go (their leave_by came): they cancel on their phone."""
        token = self.tokens.get(visit_id)
        if token is None or self.stopping.is_set():
            return
        try:
            await self._send("POST", f"/api/v1/visits/{token}/cancel", None)
            self._count("left_early")
        except Refused:
            pass  # done or gone already
        except Exception:
            log.exception("cancel failed")

    # ------------------------------------------------------------------ one desk

    async def _desk(self, code: str) -> None:
        """One virtual staff member at one desk, for as long as the day is played."""
        memory = self.desks.setdefault(code, DeskMemory())
        while not self.stopping.is_set():
            try:
                await self._desk_round(code, memory)
            except asyncio.CancelledError:
                raise
            except Refused as exc:
                log.info("desk %s: %s; looking again", code, exc)
                await self._sleep(IDLE_POLL)
            except Exception:
                log.exception("desk %s failed; retrying", code)
                await self._sleep(3)

    async def _desk_round(self, code: str, memory: DeskMemory) -> None:
        if not self._staff(code):
            await self._login(next(d.agency for d in self.config.desks if d.code == code))
        desk = await self._desk_status(code)
        if self._human(code, memory, desk):
            await self._sleep(WATCH_EVERY)
            return
        if desk.get("state") != "open":
            if desk.get("current"):
                await self._finish_current(code, memory, desk)
                return
            desk = await self._act(code, memory, "open")
        if desk.get("current"):
            await self._finish_current(code, memory, desk)
            return
        visit = await self._send("POST", f"/api/v1/desks/{code}/call-next", self._staff(code))
        if not visit:
            await self._sleep(IDLE_POLL)
            return
        self._count("called")
        memory.remember(await self._desk_status(code))
        await self._serve(code, memory, visit)

    async def _finish_current(self, code: str, memory: DeskMemory, desk: Mapping[str, Any]) -> None:
        """A visitor the driver finds at its desk (a restart): serve them as planned."""
        visit = desk["current"]
        memory.remember(desk)
        await self._serve(code, memory, visit, walked=visit.get("status") == "in_service")

    async def _serve(
        self, code: str, memory: DeskMemory, visit: Mapping[str, Any], walked: bool = False
    ) -> None:
        plan = self.plans.get(visit["id"])
        calls = self.calls.get(visit["id"], 0)
        self.calls[visit["id"]] = calls + 1
        needs = [
            s["need"]
            for s in visit.get("steps", [])
            if s.get("desk") == code and s["status"] in ("called", "in_service")
        ]
        if plan is not None and calls < len(plan.misses) and plan.misses[calls] and not walked:
            if await self._sleep(self.no_show_wait / self.pace):
                await self._act(code, memory, "no-show")
                self._count("no_show")
            return
        if not walked:
            if not await self._sleep(self.walking.entrance / self.pace):
                return
            await self._act(code, memory, "start")
            self._count("started")
        minutes = sum((plan.service if plan else {}).get(n, self._minutes(n)) for n in needs)
        if not await self._sleep(max(minutes, 1.0) / self.pace):
            return
        body: dict[str, Any] = {"resolved": needs}
        if plan is not None and plan.referral and visit["id"] not in self.referred:
            at, add = plan.referral
            if at in needs and add not in {s["need"] for s in visit.get("steps", [])}:
                body["add_needs"] = [add]
                body["refer_reason"] = "Bei der Beratung festgestellt (Demo)"
                self.referred.add(visit["id"])
        await self._act(code, memory, "finish", json=body)
        self._count("finished")

    def _minutes(self, need: str) -> float:
        found = next((n for n in self.config.needs if n.code == need), None)
        return float(found.minutes) if found else 15.0

    async def _act(
        self, code: str, memory: DeskMemory, action: str, json: Any = None
    ) -> dict[str, Any]:
        """An action at a desk, if the desk is still as the driver left it."""
        desk = await self._desk_status(code)
        if self._human(code, memory, desk):
            raise Refused(409, "a person works this desk")
        try:
            await self._send("POST", f"/api/v1/desks/{code}/{action}", self._staff(code), json=json)
        except Refused as exc:
            if exc.status == 409:
                # The desk changed between the look and the action: someone else is there.
                after = await self._desk_status(code)
                if changed_by_someone(memory, after):
                    self._take_over(code, memory, after)
                else:
                    memory.remember(after)
            raise
        desk = await self._desk_status(code)
        memory.remember(desk)
        return desk

    def _human(self, code: str, memory: DeskMemory, desk: Mapping[str, Any]) -> bool:
        """Whether a person works this desk (and, after `handback`, gives it back)."""
        now = time.monotonic()
        seen = snapshot(desk)
        if memory.human_since is not None:
            if seen != memory.seen:
                memory.seen, memory.unchanged_since = seen, now
            idle = seen[0] == "closed" and seen[1] is None
            if idle and now - memory.unchanged_since >= self.handback:
                log.info("desk %s: closed and untouched, the simulation takes it back", code)
                memory.human_since = None
                memory.remember(desk)
                return False
            return True
        if memory.state is None:  # first look: the driver takes the desk as it finds it
            memory.remember(desk)
            return False
        if changed_by_someone(memory, desk):
            self._take_over(code, memory, desk)
            return True
        memory.remember(desk)  # e.g. its visitor cancelled: nobody else acted here
        return False

    def _take_over(self, code: str, memory: DeskMemory, desk: Mapping[str, Any]) -> None:
        if memory.human_since is None:
            log.info("desk %s: a person works here now; the simulation leaves it alone", code)
            self._count("handed_over")
        memory.human_since = memory.unchanged_since = time.monotonic()
        memory.seen = snapshot(desk)

    # ------------------------------------------------------------------ HTTP

    def _staff(self, code: str) -> str:
        agency = next(d.agency for d in self.config.desks if d.code == code)
        return self.tokens_by_agency.get(agency, "")

    async def _login(self, agency: str) -> str:
        username, password = self.staff[agency]
        body = await self._send(
            "POST", "/api/v1/auth/login", None, json={"username": username, "password": password}
        )
        token = str(body["access_token"])
        self.tokens_by_agency[agency] = token
        return token

    async def _desk_status(self, code: str) -> dict[str, Any]:
        found = await self._send("GET", f"/api/v1/desks/{code}", self._staff(code))
        return dict(found or {})

    async def _available_needs(self) -> set[str]:
        today = await self._send("GET", f"/api/v1/centers/{self.slug}/today", None)
        return {n["code"] for n in (today or {}).get("needs", []) if n.get("available")}

    async def _someone_waits(self) -> bool:
        try:
            for token in list(self.tokens.values())[-50:]:
                visit = await self._send("GET", f"/api/v1/visits/{token}", None)
                if visit and visit.get("status") in ("waiting", "called", "in_service"):
                    return True
        except Exception:
            log.exception("could not read a visit")
            return True
        return False

    async def _send(
        self,
        method: str,
        path: str,
        token: str | None,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """One request, retried on network errors and 5xx (backoff up to 10 s), signed in
        again on 401. A 4xx other than 401 raises Refused; 204 gives None."""
        assert self.client is not None
        delay = 0.5
        relogin = True
        while True:
            sent = dict(headers or {})
            if token:
                sent["Authorization"] = f"Bearer {token}"
            try:
                r = await self.client.request(method, path, json=json, headers=sent)
            except httpx.HTTPError as exc:
                log.warning("%s %s: %s; retrying in %.1f s", method, path, exc, delay)
            else:
                if r.status_code == 401 and relogin and path.startswith("/api/v1/desks/"):
                    relogin = False
                    code = path.split("/")[4]
                    agency = next(d.agency for d in self.config.desks if d.code == code)
                    token = await self._login(agency)
                    continue
                if r.status_code == 204:
                    return None
                if r.status_code < 400:
                    return r.json()
                if r.status_code < 500:
                    code = ""
                    with contextlib.suppress(ValueError):
                        code = str(r.json().get("code", ""))
                    raise Refused(r.status_code, code)
                log.warning("%s %s: %s; retrying in %.1f s", method, path, r.status_code, delay)
            if not await self._sleep(delay):
                raise asyncio.CancelledError
            delay = min(delay * 2, 10.0)

    async def _wait_for_server(self) -> None:
        while not self.stopping.is_set():
            try:
                assert self.client is not None
                r = await self.client.get(f"/api/v1/centers/{self.slug}/today")
                if r.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await self._sleep(0.5)

    async def _guard(self, job: Any, what: str) -> None:
        try:
            await job
        except Refused as exc:
            log.info("%s refused: %s", what, exc)
        except Exception:
            log.exception("%s failed", what)

    async def _sleep(self, seconds: float) -> bool:
        """Sleep unless stopped; False when stopped."""
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), seconds)
        return not self.stopping.is_set()

    def _count(self, what: str) -> None:
        self.stats[what] = self.stats.get(what, 0) + 1


def every_agency(config: CenterConfig) -> CenterConfig:
    """The config with its first day open to every agency (what `demo` opens today)."""
    if not config.days:
        return config
    first = config.days[0].model_copy(update={"agencies": None})
    return config.model_copy(update={"days": [first, *config.days[1:]]})


def main() -> None:
    parser = argparse.ArgumentParser(description="Play the demo's simulated day over HTTP.")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--pace", type=float, default=1.0, help="simulated minutes per second")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="motion: %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    motion = Motion(args.base, pace=args.pace, seed=args.seed or random.randrange(1, 10_000))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(motion.run())


if __name__ == "__main__":
    main()

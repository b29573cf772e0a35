"""Races that contest the database locks: one `welcome-center serve --workers 2` on
SQLite and on PostgreSQL, many desks calling, starting and finishing at once, kiosks
checking in with retries of the same Idempotency-Keys, and the same joint consultation
accepted by two desks at once.

In one process an asyncio lock already serialises a center's writes; only separate
worker processes show whether SQLite's `BEGIN IMMEDIATE` and PostgreSQL's advisory lock
(with its snapshot) keep the decisions atomic. Invariants are checked while it runs (a
poller reading the display and every desk) and on the final event log:
- no visitor called or in service at two desks at once, from call to the end of the
  visit, except a desk that joined through an accepted joint request;
- every need of a visit served (`visit.step_done`) at most once;
- tickets unique, seq gap-free, one visit per Idempotency-Key;
- nothing answers 5xx.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter, defaultdict
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.db import Database
from app.journal.models import Event
from app.visits.models import IdempotencyKey, Visit
from tests.live.live import DISPLAY, KIOSK, LiveServer, login

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

NEEDS = ["residence", "work", "counselling", "language_course", "case_management", "income"]
HOST, JOINERS = "r112", ("r114", "r115")  # immigration office; two Jobcenter desks
RELEASE = {"visit.step_done", "visit.requeued", "visit.no_show", "visit.cancelled", "visit.held"}
BUSY = {"called", "in_service"}
VISITORS = 24


class Race:
    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.clients = [httpx.AsyncClient(base_url=server.http, timeout=60) for _ in range(3)]
        self.failures: list[str] = []
        self.admin: dict[str, str] = {}
        self.n = 0

    async def post(self, path: str, **kw: Any) -> httpx.Response:
        self.n += 1
        r = await self.clients[self.n % len(self.clients)].post(path, **kw)
        if r.status_code >= 500:
            self.failures.append(f"POST {path}: {r.status_code} {r.text[:200]}")
        return r

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        self.n += 1
        r = await self.clients[self.n % len(self.clients)].get(path, **kw)
        if r.status_code >= 500:
            self.failures.append(f"GET {path}: {r.status_code} {r.text[:200]}")
        return r

    async def close(self) -> None:
        for c in self.clients:
            await c.aclose()


def at_two_desks(visit: dict[str, Any]) -> str | None:
    """One consistent read of a visit: busy at two desks without a joint link?"""
    # A joining desk's step names its host (`joint_host`); a desk sees only the steps its
    # compartment shows, so only two busy steps of their own are a contradiction.
    busy = {s["desk"]: s for s in visit["steps"] if s["status"] in BUSY and s.get("desk")}
    own = [d for d, s in busy.items() if not s.get("joint_host")]
    if len(own) > 1:
        return f"{visit['ticket']} busy at {sorted(busy)}"
    return None


async def poll(race: Race, desks: list[str], stop: asyncio.Event) -> int:
    rounds = 0
    display = {"Authorization": f"Bearer {DISPLAY}"}
    while not stop.is_set():
        r = await race.get("/api/v1/centers/lippe/display", headers=display)
        if r.status_code == 200:
            tickets = [c["ticket"] for c in r.json()["calls"]]
            if len(tickets) != len(set(tickets)):
                race.failures.append(f"display calls a ticket twice: {tickets}")
        states = await asyncio.gather(
            *(race.get(f"/api/v1/desks/{d}", headers=race.admin) for d in desks)
        )
        for desk, s in zip(desks, states, strict=True):
            current = s.json().get("current") if s.status_code == 200 else None
            if current and (problem := at_two_desks(current)):
                race.failures.append(f"desk {desk}: {problem}")
        rounds += 1
        await asyncio.sleep(0.1)
    return rounds


async def kiosks(race: Race, rng: random.Random, visitors: int) -> dict[str, set[str]]:
    """Each check-in sent three times at once with one key: one visit per key."""
    kiosk = {"Authorization": f"Bearer {KIOSK}"}
    seen: dict[str, set[str]] = defaultdict(set)

    async def one(i: int) -> None:
        key = f"race-{i}-{uuid.uuid4().hex[:8]}"
        body = {
            "language": "en",
            "needs": rng.sample(NEEDS, rng.randint(1, 3)),
            "residence_status": "tolerated",
        }
        for _attempt in range(5):
            answers = await asyncio.gather(
                *(
                    race.post(
                        "/api/v1/centers/lippe/visits",
                        json=body,
                        headers={**kiosk, "Idempotency-Key": key},
                    )
                    for _ in range(3)
                )
            )
            for a in answers:
                if a.status_code in (200, 201):
                    seen[key].add(a.json()["id"])
                elif a.status_code != 409:  # in flight: retried below
                    race.failures.append(f"check-in {key}: {a.status_code} {a.text[:200]}")
            if seen[key]:
                return
            await asyncio.sleep(0.05)
        race.failures.append(f"check-in {key} never answered with the visit")

    await asyncio.gather(*(one(i) for i in range(visitors)))
    return seen


async def desk_work(race: Race, desk: str, rounds: int) -> None:
    for _ in range(rounds):
        r = await race.post(f"/api/v1/desks/{desk}/call-next", headers=race.admin)
        if r.status_code == 204:
            await asyncio.sleep(0.05)
            continue
        if r.status_code != 200:
            continue  # 409 desk_busy or day_closed: the invariants say what matters
        here = [s["need"] for s in r.json()["steps"] if s["status"] == "called"]
        await race.post(f"/api/v1/desks/{desk}/start", headers=race.admin)
        await race.post(f"/api/v1/desks/{desk}/finish", headers=race.admin, json={"resolved": here})


async def joint_races(race: Race, tries: int) -> list[tuple[int, int]]:
    """The host serves whoever it calls and asks the Jobcenter to join; both Jobcenter
    desks accept at once: exactly one may win."""
    results: list[tuple[int, int]] = []
    for _ in range(tries):
        r = await race.post(f"/api/v1/desks/{HOST}/call-next", headers=race.admin)
        if r.status_code != 200:
            await asyncio.sleep(0.05)
            continue
        here = [s["need"] for s in r.json()["steps"] if s["status"] == "called"]
        await race.post(f"/api/v1/desks/{HOST}/start", headers=race.admin)
        asked = await race.post(
            f"/api/v1/desks/{HOST}/joint", headers=race.admin, json={"agency": "jobcenter"}
        )
        if asked.status_code == 201:
            req = asked.json()["id"]
            answers = await asyncio.gather(
                *(
                    race.post(f"/api/v1/desks/{d}/joint/{req}/accept", headers=race.admin)
                    for d in JOINERS
                )
            )
            codes = sorted(a.status_code for a in answers)
            results.append((codes[0], codes[1]))
            for d, a in zip(JOINERS, answers, strict=True):
                if a.status_code == 200:
                    await race.post(f"/api/v1/desks/{d}/finish", headers=race.admin, json={})
                elif a.status_code == 409:
                    assert a.json()["code"] in ("joint_taken", "desk_busy"), a.text
        await race.post(f"/api/v1/desks/{HOST}/finish", headers=race.admin, json={"resolved": here})
    return results


def check_log(events: list[Event], agency_of: dict[str, str]) -> list[str]:
    problems: list[str] = []
    seqs = [e.seq for e in events]
    if seqs != list(range(1, len(seqs) + 1)):
        problems.append(f"seq not gap-free: {seqs[:5]}…")
    holders: dict[str, set[str]] = defaultdict(set)  # desks where the visit is busy
    joined: dict[str, set[str]] = defaultdict(set)  # desks that joined through a request
    # A step is a need at an agency: a joint step may repeat a need another agency serves.
    served: Counter[tuple[str, str, str]] = Counter()
    for e in events:
        visit, desk, kind = e.visit_id, e.desk, str(e.type)
        if visit is None:
            continue
        if kind == "visit.called" and desk:
            if holders[visit] - {desk}:
                problems.append(f"seq {e.seq}: {visit} called at {desk}, busy at {holders[visit]}")
            holders[visit].add(desk)
        elif kind == "joint.accepted" and desk:
            host = e.data.get("request", {}).get("host_desk")
            if host not in holders[visit]:
                problems.append(f"seq {e.seq}: {desk} joined {visit} not served at {host}")
            joined[visit].add(desk)
        elif kind in ("joint.left",):
            who = e.data.get("request", {}).get("answered_by") or desk
            joined[visit].discard(who)
        elif kind in RELEASE and desk:
            holders[visit].discard(desk)
            joined[visit].discard(desk)
        elif kind in ("visit.cancelled", "visit.done"):
            holders[visit].clear()
            joined[visit].clear()
        if kind == "visit.step_done":
            agency = agency_of.get(desk or "", "?")
            # A desk joining a consultation for an agency the visitor had no open step with
            # gets a new step (source "joint"): serving a need again that way is by design.
            steps = (e.data.get("visit") or {}).get("steps") or []
            joint = {
                st.get("need")
                for st in steps
                if st.get("source") == "joint" and st.get("agency") == agency
            }
            for need in e.data.get("needs", []):
                if need not in joint:
                    served[(visit, need, agency)] += 1
        if len(holders[visit]) > 1:
            problems.append(f"seq {e.seq}: {visit} busy at {holders[visit]}")
    problems += [f"{v} served {n} at {a} {c} times" for (v, n, a), c in served.items() if c > 1]
    return problems


@pytest.mark.parametrize(
    "db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_desks_kiosks_and_joint_accepts_race_on_two_workers(db_url: str) -> None:
    server = LiveServer(db_url, workers=2, quiet=True).start(timeout=60)
    race = Race(server)
    rng = random.Random(15)
    try:
        race.admin = {"Authorization": f"Bearer {await login(race.clients[0], 'admin')}"}
        race.clients[0].cookies.clear()
        display = await race.get(
            "/api/v1/centers/lippe/display", headers={"Authorization": f"Bearer {DISPLAY}"}
        )
        desks = [d["code"] for d in display.json()["desks"]]
        agency_of = {d["code"]: d["agency"] for d in display.json()["desks"]}
        others = [d for d in desks if d not in (HOST, *JOINERS)]
        stop = asyncio.Event()
        poller = asyncio.create_task(poll(race, desks, stop))
        keys_task = asyncio.create_task(kiosks(race, rng, VISITORS))
        workers = [asyncio.create_task(desk_work(race, d, 8)) for d in others]
        joints = await joint_races(race, 4)
        keys = await keys_task
        await asyncio.gather(*workers)
        # Then everyone drains what is left, the joint desks too.
        await asyncio.gather(*(desk_work(race, d, 10) for d in desks))
        stop.set()
        rounds = await poller
    finally:
        await race.close()
        server.stop()

    assert not race.failures, race.failures[:8]
    assert rounds >= 5, "the poller hardly ran"
    assert joints, "no joint request was ever made"
    for codes in joints:
        assert codes == (200, 409), f"two desks accepting one request: {codes}"
    assert all(len(v) == 1 for v in keys.values()), {k: v for k, v in keys.items() if len(v) > 1}

    db = Database(db_url)
    try:
        async with db.read() as session:
            events = list((await session.scalars(select(Event).order_by(Event.seq))).all())
            lippe = {e.center_id for e in events}
            assert len(lippe) == 1
            visits = (await session.scalars(select(Visit))).all()
            idem = (await session.scalars(select(IdempotencyKey))).all()
    finally:
        await db.dispose()
    assert len(visits) == len(keys) == VISITORS
    assert len({v.ticket for v in visits}) == len(visits), "a ticket was handed out twice"
    assert len({k.key for k in idem}) == len(idem) == VISITORS
    assert {k.visit_id for k in idem} == {v.id for v in visits}
    assert check_log(events, agency_of) == []
    assert sum(1 for e in events if e.type == "joint.accepted") == len(joints)

"""Two server processes writing one SQLite file at once: the database lock, contested.

In one process an asyncio lock already serialises a center's writes, so only separate
processes show whether SQLite's `BEGIN IMMEDIATE` keeps writers in line: a deferred
`BEGIN` reads first and fails to upgrade its lock when the other process wrote meanwhile
(SQLITE_BUSY at once, the busy timeout does not help).
"""

from __future__ import annotations

import asyncio
import random
import shutil
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live.live import KIOSK, LiveServer, login

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

NEEDS = ["residence", "work", "counselling", "language_course", "case_management"]
RELEASE = {"visit.step_done", "visit.requeued", "visit.no_show", "visit.cancelled"}


async def test_two_processes_check_in_and_call_next_at_once(
    template_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "welcome.db"
    shutil.copy(template_db, path)
    url = f"sqlite+aiosqlite:///{path}"
    servers = [LiveServer(url, quiet=True).start(), LiveServer(url, quiet=True).start()]
    failures: list[str] = []
    try:
        clients = [httpx.AsyncClient(base_url=s.http, timeout=60) for s in servers]
        admin = {"Authorization": f"Bearer {await login(clients[0], 'admin')}"}
        kiosk = {"Authorization": f"Bearer {KIOSK}"}
        rng = random.Random(11)

        async def post(i: int, where: str, **kw: Any) -> httpx.Response:
            r = await clients[i % 2].post(where, **kw)
            if r.status_code >= 500:
                failures.append(f"{where}: {r.status_code} {r.text[:200]}")
            return r

        checked = await asyncio.gather(
            *(
                post(
                    i,
                    "/api/v1/centers/lippe/visits",
                    headers=kiosk,
                    json={
                        "language": "en",
                        "needs": rng.sample(NEEDS, rng.randint(1, 3)),
                        "residence_status": "tolerated",
                    },
                )
                for i in range(40)
            )
        )
        visits = [r.json() for r in checked if r.status_code == 201]
        display = await clients[0].get(
            "/api/v1/centers/lippe/display",
            headers={"Authorization": "Bearer demo-display-token-wartebereich"},
        )
        desks = [d["code"] for d in display.json()["desks"]]

        async def work(n: int, desk: str) -> None:
            # Each desk alternates between the two processes, so decisions interleave.
            for k in range(100):
                r = await post(n + k, f"/api/v1/desks/{desk}/call-next", headers=admin)
                if r.status_code != 200:
                    return
                here = [s["need"] for s in r.json()["steps"] if s["status"] == "called"]
                await post(n + k + 1, f"/api/v1/desks/{desk}/start", headers=admin)
                await post(
                    n + k, f"/api/v1/desks/{desk}/finish", headers=admin, json={"resolved": here}
                )

        for _ in range(4):  # more rounds: `before` frees steps for desks that found nobody
            await asyncio.gather(*(work(n, d) for n, d in enumerate(desks)))
        for c in clients:
            await c.aclose()
    finally:
        for s in servers:
            s.stop()

    assert not failures, failures[:5]
    assert len(visits) == 40
    assert len({v["ticket"] for v in visits}) == 40
    with sqlite3.connect(path) as db:
        events = db.execute("SELECT seq, type, visit_id, desk FROM events ORDER BY seq").fetchall()
        statuses = Counter(s for (s,) in db.execute("SELECT status FROM visits"))
    assert [e[0] for e in events] == list(range(1, len(events) + 1)), "seq has a gap"
    holder: dict[str, str] = {}
    for seq, kind, visit, desk in events:
        if kind == "visit.called":
            assert visit not in holder, f"seq {seq}: {visit} at {desk} and {holder.get(visit)}"
            holder[visit] = desk
        elif kind in RELEASE and visit in holder:
            del holder[visit]
    assert statuses == {"done": 40}, statuses

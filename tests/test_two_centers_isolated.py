"""Two centers in one database with overlapping agency codes never mix.

Every test database holds the demo center (Lippe) and Herford (tests/fixtures/herford.yaml,
loaded by tests/conftest.py): both have an `abh` and a `jobcenter` agency and the needs
`residence` and `work`, so only the center filter keeps queues, tickets, displays, event
streams, sockets and statistics apart, and only the access checks keep one center's staff
and devices away from the other.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.centers.context import load_context
from app.centers.models import Center
from app.journal.models import Event
from app.visits import learned
from tests.conftest import (
    DISPLAY,
    HERFORD_DISPLAY,
    HERFORD_KIOSK,
    KIOSK,
    Harness,
    desks_by_agency,
)
from tests.live.live import LiveServer, connect, login, recv

pytestmark = pytest.mark.anyio

HERFORD_ABH = ("herford_abh1", "herford-abh-secret")


async def herford_check_in(h: Harness, **body: Any) -> dict[str, Any]:
    body.setdefault("language", "de")
    r = await h.client.post(
        "/api/v1/centers/herford/visits",
        json=body,
        headers={"Authorization": f"Bearer {HERFORD_KIOSK}"},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def display(h: Harness, slug: str, token: str) -> dict[str, Any]:
    r = await h.client.get(
        f"/api/v1/centers/{slug}/display", headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_desks_call_and_list_only_their_own_centers_visitors(harness: Harness) -> None:
    h = harness
    # Herford's visitor comes first: a queue that mixed centers would call them first.
    herford = await herford_check_in(h, needs=["residence"])
    h.clock.advance(5)
    lippe = await h.check_in(needs=["residence"], residence_status="recognised")

    code = (await desks_by_agency(h))["abh"][0]
    staff = await h.login("abh1")
    queue = await h.client.get(f"/api/v1/desks/{code}/queue", headers=staff)
    assert [v["id"] for v in queue.json()] == [lippe["id"]]
    called = await h.desk(code, "call-next", staff)
    assert called.status_code == 200 and called.json()["id"] == lippe["id"]
    await h.desk(code, "finish", staff, resolved=["residence"])
    assert (await h.desk(code, "call-next", staff)).status_code == 204

    # And the other way round: Herford's desk sees Herford's visitor only.
    other = await h.login(*HERFORD_ABH)
    queue = await h.client.get("/api/v1/desks/hf1/queue", headers=other)
    assert [v["id"] for v in queue.json()] == [herford["id"]]
    assert (await h.desk(code, "call-next", other)).status_code == 403


async def test_tickets_seq_and_displays_are_counted_per_center(harness: Harness) -> None:
    h = harness
    first = [await herford_check_in(h, needs=["residence"]) for _ in range(3)]
    lippe = await h.check_in(needs=["residence"])
    # Each center counts its own tickets: Herford's three check-ins do not move Lippe's.
    assert lippe["ticket"] == first[0]["ticket"]
    assert len({v["ticket"] for v in first}) == 3

    hf = await display(h, "herford", HERFORD_DISPLAY)
    lp = await display(h, "lippe", DISPLAY)
    assert hf["waiting"] == [v["ticket"] for v in first]
    assert lp["waiting"] == [lippe["ticket"]]
    assert {d["code"] for d in hf["desks"]} == {"hf1", "hf2"}
    assert not {"hf1", "hf2"} & {d["code"] for d in lp["desks"]}
    assert hf["seq"] == 3 and lp["seq"] == 1  # one gap-free seq per center-day

    # A call in Herford shows on Herford's display only.
    staff = await h.login(*HERFORD_ABH)
    called = await h.desk("hf1", "call-next", staff)
    assert called.status_code == 200 and called.json()["id"] == first[0]["id"]
    hf = await display(h, "herford", HERFORD_DISPLAY)
    lp = await display(h, "lippe", DISPLAY)
    assert [(c["ticket"], c["desk"]) for c in hf["calls"]] == [(first[0]["ticket"], "hf1")]
    assert lp["calls"] == [] and lp["seq"] == 1

    async with h.db.read() as session:
        rows = (await session.execute(select(Event.center_id, Event.seq, Event.visit_id))).all()
        ids = {slug: i for slug, i in (await session.execute(select(Center.slug, Center.id))).all()}
    per_center: dict[int, list[int]] = {}
    for center_id, seq, _ in rows:
        per_center.setdefault(center_id, []).append(seq)
    herford_seqs = sorted(per_center[ids["herford"]])
    assert herford_seqs == list(range(1, len(herford_seqs) + 1)) and len(herford_seqs) >= 4
    assert sorted(per_center[ids["lippe"]]) == [1]
    lippe_visits = {v for c, _, v in rows if c == ids["lippe"]}
    assert lippe_visits == {lippe["id"]}


async def test_staff_and_devices_of_one_center_never_reach_the_other(harness: Harness) -> None:
    h = harness
    lippe = await h.check_in(needs=["residence"])
    herford = await herford_check_in(h, needs=["residence"])
    lippe_staff, lippe_admin = await h.login("abh1"), await h.login("admin")
    herford_staff = await h.login(*HERFORD_ABH)
    herford_admin = await h.login("herford_admin", "herford-admin-secret")
    lippe_desk = (await desks_by_agency(h))["abh"][0]

    # Devices: a kiosk checks in and a display shows only at its own center.
    r = await h.client.post(
        "/api/v1/centers/lippe/visits",
        json={"language": "de", "needs": ["residence"]},
        headers={"Authorization": f"Bearer {HERFORD_KIOSK}"},
    )
    assert r.status_code == 403, r.text
    r = await h.client.post(
        "/api/v1/centers/herford/visits",
        json={"language": "de", "needs": ["residence"]},
        headers={"Authorization": f"Bearer {KIOSK}"},
    )
    assert r.status_code == 403, r.text
    for slug, token in (("lippe", HERFORD_DISPLAY), ("herford", DISPLAY)):
        r = await h.client.get(
            f"/api/v1/centers/{slug}/display", headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 403, (slug, r.text)

    # Staff and admins: same agency code, other center: every desk action is refused.
    for who, desk in (
        (herford_staff, lippe_desk),
        (herford_admin, lippe_desk),
        (lippe_staff, "hf1"),
        (lippe_admin, "hf1"),
    ):
        for action in ("open", "call-next", "close"):
            r = await h.desk(desk, action, who)
            assert r.status_code == 403, (desk, action, r.text)
        for path in (f"/api/v1/desks/{desk}", f"/api/v1/desks/{desk}/queue"):
            r = await h.client.get(path, headers=who)
            assert r.status_code == 403, (path, r.text)

    # A desk of one center opens no visitor card of the other, by id.
    for desk, visit, who in (
        (lippe_desk, herford, lippe_staff),
        (lippe_desk, herford, lippe_admin),
        ("hf1", lippe, herford_staff),
    ):
        r = await h.client.get(f"/api/v1/desks/{desk}/visits/{visit['id']}", headers=who)
        assert r.status_code in (403, 404), r.text
        assert visit["token"] not in r.text

    # The desks a signed-in member may work at are their own center's.
    mine = await h.client.get("/api/v1/me/desks", headers=herford_admin)
    assert mine.status_code == 200, mine.text
    codes = json.dumps(mine.json())
    assert "hf1" in codes and lippe_desk not in codes
    mine = await h.client.get("/api/v1/me/desks", headers=lippe_admin)
    assert "hf1" not in json.dumps(mine.json())


async def test_learned_minutes_are_per_center(harness: Harness) -> None:
    """Statistics: an hour-long consultation in Herford teaches Lippe nothing."""
    h = harness
    staff = await h.login(*HERFORD_ABH)
    for _ in range(3):
        await herford_check_in(h, needs=["residence"])
    for _ in range(3):
        assert (await h.desk("hf1", "call-next", staff)).status_code == 200
        assert (await h.desk("hf1", "start", staff)).status_code == 200
        h.clock.advance(40)  # under the staff session's idle timeout
        assert (await h.desk("hf1", "finish", staff, resolved=["residence"])).status_code == 200
    h.clear_caches()
    async with h.db.read() as session:
        centers = {c.slug: c for c in (await session.scalars(select(Center))).all()}
        ctx_h = await load_context(session, centers["herford"], now=h.clock())
        ctx_l = await load_context(session, centers["lippe"], now=h.clock())
        herford_minutes = (await learned.refresh(session, ctx_h)).minutes("residence")
        lippe_minutes = (await learned.refresh(session, ctx_l)).minutes("residence")
    assert herford_minutes > 25  # learned from 40-minute consultations
    assert lippe_minutes == float(ctx_l.needs["residence"].minutes)


@pytest.mark.slow
async def test_sockets_carry_only_their_own_centers_events(
    template_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "welcome.db"
    shutil.copy(template_db, path)
    server = LiveServer(f"sqlite+aiosqlite:///{path}", quiet=True).start()
    try:
        async with httpx.AsyncClient(base_url=server.http, timeout=30) as client:
            herford_token = await login_as(client, *HERFORD_ABH)
            herford_staff = {"Authorization": f"Bearer {herford_token}"}
            lippe_staff = await login(client, "abh1")
            client.cookies.clear()
            # Refused: the other center's display token, a desk of the other center.
            for url in (
                f"{server.ws}/ws/centers/lippe/display?token={HERFORD_DISPLAY}",
                f"{server.ws}/ws/centers/herford/display?token={DISPLAY}",
                f"{server.ws}/ws/desks/hf1?token={lippe_staff}",
            ):
                with pytest.raises(Exception) as refused:
                    ws = await connect(url)
                    await recv(ws, 5)  # a close 1008 before any message also counts
                text = str(refused.value)
                assert "403" in text or "401" in text or "1008" in text, text

            lippe_ws = await connect(f"{server.ws}/ws/centers/lippe/display?token={DISPLAY}")
            herford_ws = await connect(
                f"{server.ws}/ws/centers/herford/display?token={HERFORD_DISPLAY}"
            )
            desk_ws = await connect(f"{server.ws}/ws/desks/hf1?token={herford_token}")
            try:
                for ws in (lippe_ws, herford_ws, desk_ws):
                    assert (await recv(ws))["type"] == "snapshot"
                r = await client.post(
                    "/api/v1/centers/herford/visits",
                    json={"language": "de", "needs": ["residence"]},
                    headers={"Authorization": f"Bearer {HERFORD_KIOSK}"},
                )
                assert r.status_code == 201, r.text
                ticket = r.json()["ticket"]
                r = await client.post("/api/v1/desks/hf1/call-next", headers=herford_staff)
                assert r.status_code == 200, r.text
                got = [await recv(herford_ws) for _ in range(3)]
                assert {m["type"] for m in got} == {
                    "visit.checked_in",
                    "desk.opened",
                    "visit.called",
                }
                assert ticket in json.dumps(got)
                desk_got = [await recv(desk_ws) for _ in range(3)]
                assert [m["seq"] for m in desk_got] == [m["seq"] for m in got]
                # Lippe's screen heard nothing of it (a ping answers with a pong at once).
                await lippe_ws.send(json.dumps({"type": "ping"}))
                while True:
                    message = await recv(lippe_ws, 5)
                    if message["type"] == "pong":
                        break
                    raise AssertionError(f"Herford's event on Lippe's screen: {message}")
            finally:
                await asyncio.gather(
                    *(ws.close() for ws in (lippe_ws, herford_ws, desk_ws)),
                    return_exceptions=True,
                )
    finally:
        server.stop()


async def login_as(client: httpx.AsyncClient, username: str, password: str) -> str:
    r = await client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    client.cookies.clear()  # a sign-in over a session cookie ends that session
    return str(r.json()["access_token"])


def test_the_fixture_center_overlaps_the_demo_centers_codes() -> None:
    """If the fixtures drifted apart, these tests would prove nothing."""
    from app.cli import DEMO_FILE
    from tests.conftest import HERFORD_FILE

    herford, demo = HERFORD_FILE.read_text(), DEMO_FILE.read_text()
    for code in ("code: abh", "code: jobcenter", "code: residence", "code: work"):
        assert code in herford and code in demo

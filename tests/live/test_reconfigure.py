"""A config load reaches open screens: `center.configured`, then a fresh snapshot."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
import websockets

from app.centers.loader import load_config_file
from app.cli import DEMO_FILE
from app.db import Database
from tests.conftest import TEST_DAY
from tests.live.live import DISPLAY, LiveServer, check_in, connect, login, recv

pytestmark = pytest.mark.anyio


async def load(server: LiveServer, text: str, tmp_path: Path) -> str:
    """As `welcome-center load-config` does: another process's write, seen through the log."""
    path = tmp_path / "lippe.yaml"
    path.write_text(text, encoding="utf-8")
    db = Database(server.db_url)
    try:
        return str(await load_config_file(db, path))
    finally:
        await db.dispose()


async def test_screens_get_the_event_and_then_a_fresh_snapshot(
    server: LiveServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    # Today's day as the server's setup added it (ensure_day): kept, not deleted by the load.
    today = f'days:\n  - {{date: {TEST_DAY}, opens: "08:00", closes: "18:00"}}\n'
    demo = DEMO_FILE.read_text(encoding="utf-8").replace("days:\n", today)
    # Rooms are named in all eight languages: change the German and English ones.
    changed = demo.replace('{de: "Raum 1.12", en: "Room 1.12"', '{de: "Raum 0.12", en: "Room 0.12"')
    changed = re.sub(
        r"  - code: r113\n    room: \{[^}]*\}\n    agency: abh\n    languages: \[de, en, ar\]\n",
        "",
        changed,
    )
    assert changed.count("r113") == 0 and "Raum 0.12" in changed
    staff = await login(client, "abh1")
    display = await connect(f"{server.ws}/ws/centers/lippe/display?token={DISPLAY}")
    desk = await connect(f"{server.ws}/ws/desks/r113?token={staff}")
    try:
        snap = await recv(display)
        assert (await recv(desk))["seq"] == snap["seq"]
        rooms = {d["code"]: d["room"] for d in snap["data"]["desks"]}
        assert rooms["r112"] == "Raum 1.12" and "r113" in rooms

        assert "deleted 1 desks" in await load(server, changed, tmp_path)
        event = await recv(display)
        assert event["type"] == "center.configured" and event["seq"] == snap["seq"] + 1
        fresh = await recv(display)
        assert fresh["type"] == "snapshot" and fresh["seq"] == event["seq"]
        rooms = {d["code"]: d["room"] for d in fresh["data"]["desks"]}
        assert rooms["r112"] == "Raum 0.12" and "r113" not in rooms

        # The full event (desk screens) names what changed, by code and count only.
        full = await recv(desk)
        assert full["type"] == "center.configured" and full["seq"] == event["seq"]
        # (the desks after r113 moved up one position: updated too)
        assert {"r112", "r113", "r114"} <= set(full["data"]["codes"]["desks"])
        assert full["data"]["deleted"] == {"desks": 1} and "users" not in full["data"]["codes"]
        assert "demo-" not in str(full["data"])  # no password or token
        # The removed desk's screen cannot be rebuilt: closed like a refused handshake.
        with pytest.raises(websockets.ConnectionClosed) as info:
            await recv(desk)
        assert info.value.rcvd is not None and info.value.rcvd.code == 1008

        # A resumed screen that missed the event gets it and the snapshot too.
        async with await connect(
            f"{server.ws}/ws/centers/lippe/display?token={DISPLAY}&since={snap['seq']}"
        ) as late:
            assert (await recv(late))["type"] == "center.configured"
            assert (await recv(late))["type"] == "snapshot"

        # Loading the same file again changes nothing and tells nobody.
        assert await load(server, changed, tmp_path) == "lippe: unchanged"
        await check_in(client)
        nxt = await recv(display)
        assert nxt["type"] == "visit.checked_in" and nxt["seq"] == fresh["seq"] + 1
    finally:
        await display.close()
        await desk.close()
        await load(server, demo, tmp_path)  # leave the module's server as it was

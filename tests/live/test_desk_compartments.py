"""The compartments on the desk socket (docs/privacy.md): its snapshot and its events,
per field, for an involved and an uninvolved agency, with and without consent; and
the snapshot's read is in the audit log. Against a real server, like tests/live."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.live.live import LiveServer, check_in, connect, login, recv
from tests.visits.test_compartments import ANSWERS, SERVING, check, expected

pytestmark = pytest.mark.anyio


async def until(ws: Any, kind: str) -> dict[str, Any]:
    while True:
        msg = await recv(ws)
        if msg["type"] == kind:
            return msg


# Each case at its own desks, so the cases do not wait for each other's visitors.
CASES = [(True, "r112", "r114"), (False, "r113", "r115")]


@pytest.mark.parametrize(("consent", "involved", "uninvolved"), CASES, ids=["consent", "no"])
async def test_the_desk_socket_shows_each_agency_its_compartment(
    server: LiveServer, client: httpx.AsyncClient, consent: bool, involved: str, uninvolved: str
) -> None:
    abh = await login(client, "abh1")
    client.cookies.clear()
    jobcenter = await login(client, "jobcenter1")
    client.cookies.clear()
    visit = await check_in(
        client,
        language="ar",
        needs=["residence", "work"],
        consent_share=consent,
        **ANSWERS,
        **SERVING,
    )
    mine = expected(involved=True, consent=consent)
    other = expected(involved=False, consent=consent)
    async with (
        await connect(f"{server.ws}/ws/desks/{involved}?token={abh}") as ws_in,
        await connect(f"{server.ws}/ws/desks/{uninvolved}?token={jobcenter}") as ws_out,
    ):
        snap = await recv(ws_in)
        assert snap["type"] == "snapshot"
        entry = next(e for e in snap["data"]["queue"] if e["id"] == visit["id"])
        check("snapshot queue", entry, mine)
        snap_out = await recv(ws_out)
        assert visit["id"] not in [e["id"] for e in snap_out["data"]["queue"]]

        r = await client.post(
            f"/api/v1/desks/{involved}/call-next", headers={"Authorization": f"Bearer {abh}"}
        )
        assert r.status_code == 200 and r.json()["id"] == visit["id"]
        called_in = await until(ws_in, "visit.called")
        called_out = await until(ws_out, "visit.called")
        assert called_in["seq"] == called_out["seq"]
        # Events never carry the answers or the token; the rest follows the table.
        for event, table in ((called_in, mine), (called_out, other)):
            data = event["data"]["visit"]
            assert not set(ANSWERS) & set(data) and "token" not in data
            check("event", data, {k: v for k, v in table.items() if k not in {*ANSWERS, "token"}})

    # A new snapshot has the visitor at the desk, through the same filter.
    async with await connect(f"{server.ws}/ws/desks/{involved}?token={abh}") as ws:
        snap = await recv(ws)
        check("snapshot desk", snap["data"]["desk"]["current"], mine)

    admin = await login(client, "admin")
    client.cookies.clear()
    page = (
        await client.get(
            "/api/v1/centers/lippe/audit",
            params={"desk": involved, "visit_id": visit["id"], "action": "read"},
            headers={"Authorization": f"Bearer {admin}"},
        )
    ).json()
    # With consent: both snapshots and the call-next answer showed the answers, each recorded.
    assert page["total"] == (3 if consent else 0), page


def test_an_event_is_encoded_once_per_agency_not_per_socket() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from app.journal.models import Event
    from app.kinds import EventType
    from app.live.messages import outgoing
    from tests.visits.test_compartments import event as event_data

    at = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    tz = ZoneInfo("Europe/Berlin")
    called = Event(
        center_id=1,
        date=at.date(),
        seq=7,
        type=EventType.VISIT_CALLED,
        at=at,
        visit_id="v1",
        data=event_data(False),
    )
    out = outgoing(called, tz)
    abh = out.text(redact=False, agency="abh")
    assert out.text(redact=False, agency="abh") is abh  # the second abh socket reuses it
    assert '"sprache"' not in out.text(redact=False, agency="aa")
    assert set(out.per_agency) == {"abh", "aa"}
    assert out.text(redact=False) is out.full  # the visitor's own channel
    opened = Event(
        center_id=1,
        date=at.date(),
        seq=8,
        type=EventType.DESK_OPENED,
        at=at,
        data={"desk": "r112", "state": "open"},
    )
    plain = outgoing(opened, tz)
    assert plain.text(redact=False, agency="abh") is plain.full and not plain.per_agency

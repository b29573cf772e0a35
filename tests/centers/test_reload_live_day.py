"""Config reload on a migrated database in the middle of a live day.

The running app (tests/conftest.py `harness`, on SQLite and PostgreSQL) has visitors
waiting, called and in service when the center's file is loaded again with desks and
needs added, changed and removed: what staff, the display and the visitor's phone see
next. (A busy desk's removal or move is refused: tests/centers/test_config_loader.py.)
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from app.centers.loader import ConfigError, LoadReport, apply_config, parse_config
from app.centers.models import Center
from app.cli import DEMO_FILE
from tests.conftest import DISPLAY, TEST_DAY, Harness

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.parametrize(
        "db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
    ),
]

# Today's day as the test database has it (ensure_day: every agency): kept by the load.
TODAY = f'days:\n  - {{date: {TEST_DAY}, opens: "08:00", closes: "18:00"}}\n'
DEMO = DEMO_FILE.read_text(encoding="utf-8").replace("days:\n", TODAY)


def desk_block(code: str) -> str:
    match = re.search(rf"  - code: {code}\n(?:    .*\n)+?(?=  - code: |\n)", DEMO)
    assert match, code
    return match.group(0)


def need_block(code: str) -> str:
    match = re.search(rf"  - code: {code}\n(?:    .*\n|      .*\n)+?\n", DEMO)
    assert match, code
    return match.group(0)


async def reload(h: Harness, text: str) -> LoadReport:
    """What `welcome-center load-config` does, at the harness clock's now."""
    config = parse_config(text, "lippe.yaml")
    async with h.db.read() as session:
        center_id = await session.scalar(select(Center.id).where(Center.slug == "lippe"))
    async with h.db.write(center_id) as session:
        return await apply_config(session, config, now=h.clock())


async def display(h: Harness) -> dict[str, Any]:
    r = await h.client.get(
        "/api/v1/centers/lippe/display", headers={"Authorization": f"Bearer {DISPLAY}"}
    )
    assert r.status_code == 200, r.text
    return r.json()


async def phone(h: Harness, visit: dict[str, Any]) -> dict[str, Any]:
    r = await h.client.get(f"/api/v1/visits/{visit['token']}")
    assert r.status_code == 200, r.text
    return r.json()


async def live_day(h: Harness) -> dict[str, dict[str, Any]]:
    """Mid-morning: one visitor in service, one called, three waiting."""
    abh = await h.login("abh1")
    v = {
        "residence": await h.check_in(needs=["residence"], residence_status="recognised"),
        "work_permit": await h.check_in(needs=["work_permit"], residence_status="recognised"),
        "counselling": await h.check_in(needs=["counselling"], residence_status="recognised"),
        "work": await h.check_in(needs=["work"], residence_status="tolerated"),  # aa
        "income": await h.check_in(needs=["income"], residence_status="recognised"),
    }
    # The routing policy picks which of the two abh visitors each desk calls.
    r = await h.desk("r113", "call-next", abh)
    assert r.status_code == 200, r.text
    serving = r.json()["ticket"]
    assert (await h.desk("r113", "start", abh)).json()["status"] == "in_service"
    r = await h.desk("r112", "call-next", abh)
    assert r.status_code == 200, r.text
    abh_visitors = {
        v["residence"]["ticket"]: "residence",
        v["work_permit"]["ticket"]: "work_permit",
    }
    assert {serving, r.json()["ticket"]} == set(abh_visitors)
    v["in_service"] = v[abh_visitors[serving]]
    v["called"] = v[abh_visitors[r.json()["ticket"]]]
    return v


async def test_a_new_desk_is_callable_at_once_and_a_renamed_room_shows_everywhere(
    harness: Harness,
) -> None:
    h = harness
    v = await live_day(h)
    r117 = desk_block("r117")
    r118 = r117.replace("r117", "r118").replace("1.17", "1.18")
    changed = DEMO.replace(r117, r117 + r118).replace(
        '{de: "Raum 1.12", en: "Room 1.12"', '{de: "Raum 0.12", en: "Room 0.12"'
    )
    report = await reload(h, changed)
    assert report.created["desks"] == 1 and report.updated["desks"] >= 1, str(report)

    # The new desk: on the display and callable by its agency straight away.
    snap = await display(h)
    desks = {d["code"]: d for d in snap["desks"]}
    assert desks["r118"]["agency"] == "aa" and desks["r118"]["room"] == "Raum 1.18"
    aa = await h.login("aa1")
    r = await h.desk("r118", "call-next", aa)
    assert r.status_code == 200, r.text
    assert r.json()["ticket"] == v["work"]["ticket"]
    assert r.json()["current"]["room"] == "Raum 1.18"

    # The renamed room: the display's desk list and call, and the called visitor's phone.
    snap = await display(h)
    assert {d["code"]: d["room"] for d in snap["desks"]}["r112"] == "Raum 0.12"
    calls = {c["ticket"]: c for c in snap["calls"]}
    assert calls[v["called"]["ticket"]]["room"] == "Raum 0.12"
    assert calls[v["called"]["ticket"]]["room_labels"]["en"] == "Room 0.12"
    assert calls[v["work"]["ticket"]]["room"] == "Raum 1.18"
    mine = await phone(h, v["called"])
    assert mine["status"] == "called" and mine["current"]["desk"] == "r112"
    assert mine["current"]["room"] == "Raum 0.12"

    # The visitor in service is untouched and the desk finishes as usual.
    abh = await h.login("abh1")
    need = v["in_service"]["steps"][0]["need"]
    r = await h.desk("r113", "finish", abh, resolved=[need])
    assert r.status_code == 200 and r.json()["status"] == "done", r.text
    # The called visitor is still the renamed desk's and is served there.
    assert (await h.desk("r112", "start", abh)).json()["current"]["room"] == "Raum 0.12"


async def test_a_removed_need_stays_servable_by_its_agency_for_who_already_waits(
    harness: Harness,
) -> None:
    """Decision: a visitor who checked in for a need the new file no longer offers keeps
    the step and their place; the agency the step was routed to serves and ends it as
    usual. Only new check-ins can no longer choose the need."""
    h = harness
    v = await live_day(h)
    beratung = await h.login("beratung1")
    assert (await h.desk("r204", "open", beratung)).status_code == 200
    changed = DEMO.replace(need_block("counselling"), "")
    assert "code: counselling" not in changed
    report = await reload(h, changed)
    assert report.deleted["needs"] == 1, str(report)

    r = await h.client.get("/api/v1/centers/lippe/today")
    assert r.status_code == 200 and "counselling" not in {n["code"] for n in r.json()["needs"]}
    await h.check_in(expect=422, needs=["counselling"], residence_status="recognised")

    waiting = v["counselling"]
    mine = await phone(h, waiting)
    assert mine["status"] == "waiting"
    assert [(s["need"], s["agency"], s["status"]) for s in mine["steps"]] == [
        ("counselling", "beratung", "pending")
    ]
    snap = await display(h)
    assert waiting["ticket"] in snap["waiting"]
    assert {a["agency"]: a["waiting"] for a in snap["agencies"]}["beratung"] == 1

    r = await h.client.get("/api/v1/desks/r204/queue", headers=beratung)
    assert r.status_code == 200, r.text
    assert [e["ticket"] for e in r.json()] == [waiting["ticket"]]
    r = await h.desk("r204", "call-next", beratung)
    assert r.status_code == 200 and r.json()["ticket"] == waiting["ticket"], r.text
    assert (await phone(h, waiting))["current"]["room"] == "Raum 2.04"
    assert (await h.desk("r204", "start", beratung)).status_code == 200
    r = await h.desk("r204", "finish", beratung, resolved=["counselling"])
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "done"
    assert [s["status"] for s in r.json()["steps"]] == ["done"]


async def test_a_changed_need_routes_new_visitors_and_keeps_waiting_ones_in_place(
    harness: Harness,
) -> None:
    """Counselling moves from the Migrationsberatung to the KIM, with a new label: the
    visitor already waiting stays in the Migrationsberatung's queue (routed at check-in),
    the next one goes to the KIM, and the kiosk offers the new label."""
    h = harness
    v = await live_day(h)
    block = need_block("counselling")
    moved = block.replace("- agency: beratung", "- agency: kim").replace(
        "de: Migrationsberatung", "de: Beratung zur Migration"
    )
    assert moved != block
    report = await reload(h, DEMO.replace(block, moved))
    assert report.updated["needs"] == 1, str(report)

    r = await h.client.get("/api/v1/centers/lippe/today")
    labels = {n["code"]: n["label"] for n in r.json()["needs"]}
    assert labels["counselling"]["de"] == "Beratung zur Migration"
    later = await h.check_in(needs=["counselling"], residence_status="recognised")
    assert [s["agency"] for s in later["steps"]] == ["kim"]
    assert [s["agency"] for s in (await phone(h, v["counselling"]))["steps"]] == ["beratung"]

    beratung, kim = await h.login("beratung1"), await h.login("kim1")
    r = await h.desk("r204", "call-next", beratung)
    assert r.status_code == 200 and r.json()["ticket"] == v["counselling"]["ticket"], r.text
    r = await h.desk("r201", "call-next", kim)
    assert r.status_code == 200 and r.json()["ticket"] == later["ticket"], r.text


async def test_an_idle_desk_moves_to_another_agency(harness: Harness) -> None:
    h = harness
    v = await live_day(h)
    aa, jobcenter = await h.login("aa1"), await h.login("jobcenter1")
    assert (await h.desk("r117", "open", aa)).status_code == 200  # open, nobody called
    r117 = desk_block("r117")
    report = await reload(h, DEMO.replace(r117, r117.replace("agency: aa", "agency: jobcenter")))
    assert report.updated["desks"] == 1, str(report)

    assert {d["code"]: d["agency"] for d in (await display(h))["desks"]}["r117"] == "jobcenter"
    assert (await h.desk("r117", "call-next", aa)).status_code == 403
    r = await h.desk("r117", "call-next", jobcenter)
    assert r.status_code == 200, r.text
    assert r.json()["ticket"] == v["income"]["ticket"]  # the jobcenter's, not aa's visitor
    assert (await phone(h, v["income"]))["current"]["room"] == "Raum 1.17"
    # aa's visitor still waits, for aa's remaining desk.
    r = await h.desk("r116", "call-next", aa)
    assert r.status_code == 200 and r.json()["ticket"] == v["work"]["ticket"], r.text


async def test_an_agency_removed_while_visitors_wait_for_it_strands_nobody(
    harness: Harness,
) -> None:
    """Removing the language school's agency, need, desk and user mid-day. Either the
    load is refused (as a busy desk's removal is), or no visitor is left waiting for a
    step that no desk of the center can ever call."""
    h = harness
    only = await h.check_in(needs=["language_course"], residence_status="recognised")
    also = await h.check_in(needs=["language_course", "residence"], residence_status="recognised")
    text = DEMO.replace(need_block("language_course"), "").replace(desk_block("r206"), "")
    text = re.sub(r"  - code: sprache\n    name:\n(?:      .*\n)+", "", text)
    text = text.replace(
        "  - {username: sprache1, role: staff, agency: sprache, password: demo-sprache}\n", ""
    )
    text = text.replace(", sprache]", "]")  # the days' agency lists
    assert "code: sprache" not in text and "agency: sprache" not in text
    try:
        await reload(h, text)
    except ConfigError as exc:
        # Refused, naming the agency and who waits for it; nothing written.
        assert "'sprache'" in str(exc) and only["ticket"] in str(exc) and also["ticket"] in str(exc)
        assert (await phone(h, only))["steps"][0]["agency"] == "sprache"
        return
    served_by = {d["agency"] for d in (await display(h))["desks"]}
    for visit in (only, also):
        mine = await phone(h, visit)
        stranded = [
            s["need"]
            for s in mine["steps"]
            if s["status"] == "pending" and s["agency"] not in served_by
        ]
        assert stranded == [], f"{mine['ticket']} waits for {stranded}, which nobody serves"

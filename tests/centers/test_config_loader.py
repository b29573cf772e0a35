"""The configuration file: parsing with line numbers, idempotent loading, refusals."""

from __future__ import annotations

import hashlib
import textwrap
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

import app.models  # noqa: F401  (registers every table on Base.metadata)
from app.auth.models import Device, StaffToken, User
from app.auth.security import hash_password, hash_token, verify_password
from app.centers.loader import (
    ConfigError,
    apply_config,
    ensure_day,
    load_config_file,
    parse_config,
)
from app.centers.models import Center, ConfigLoad, Day, Desk, Need
from app.centers.schema import CenterConfig
from app.db import Base, Database, utcnow
from app.journal.models import Event
from app.visits.models import Step, Visit

pytestmark = pytest.mark.anyio

DEMO = Path(__file__).resolve().parents[2] / "app" / "demo" / "lippe.yaml"

# Line numbers in the refusal table below refer to this text: keep them in step.
BASE = textwrap.dedent(
    """\
    center:
      slug: test
      name: Test center
      timezone: Europe/Berlin
      languages: [de, en]
      municipalities: [Detmold, Lemgo]
    agencies:
      - code: abh
        name: {de: Ausländerbehörde}
      - code: aa
        name: {de: Agentur für Arbeit}
    needs:
      - code: residence
        label: {de: Aufenthalt, en: Residence}
        minutes: 15
        served_by:
          - agency: abh
        before: [work]
      - code: work
        label: {de: Arbeit, en: Work}
        minutes: 20
        served_by:
          - agency: aa
            when: {residence_status: [tolerated], municipality: [Detmold]}
          - agency: aa
    desks:
      - code: t101
        room: {de: Raum 1.01}
        agency: abh
      - code: t102
        room: {de: Raum 1.02}
        agency: aa
    users:
      - {username: tadmin, role: admin}
      - {username: tabh1, role: staff, agency: abh}
    devices:
      - {name: kiosk, kind: kiosk, token: test-kiosk-token-0001}
    days:
      - {date: 2026-12-01, opens: "09:00", closes: "13:00", agencies: [abh, aa]}
    """
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/t.db")
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield database
    await database.dispose()


def write(tmp_path: Path, text: str, name: str = "t.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    async with db.read() as session:
        for table in Base.metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            out[table.name] = [tuple(row) for row in (await session.execute(query)).all()]
    return out


async def count(db: Database, model: Any) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


# ---- (a) the demo center -------------------------------------------------------------------


def test_demo_file_parses() -> None:
    config = parse_config(DEMO.read_text(encoding="utf-8"), DEMO.name)
    assert config.center.slug == "lippe"
    assert config.center.languages == ["de", "en", "ar", "uk", "ru", "tr", "fa", "ro"]
    assert len(config.center.municipalities or []) == 16
    agencies = [a.code for a in config.agencies]
    assert {"abh", "jobcenter", "aa", "kim", "tm_mitte", "tm_kreis"} <= set(agencies)
    for need in config.needs:
        assert {"de", "en"} <= set(need.label), need.code
        assert need.icon, need.code
    staff = {u.username: u.agency for u in config.users if u.role == "staff"}
    assert staff == {f"{code}1": code for code in agencies}
    assert {d.name: d.kind for d in config.devices} == {
        "kiosk-foyer": "kiosk",
        "display-wartebereich": "display",
    }
    assert any(d.agencies and "anerkennung" not in d.agencies for d in config.days)


@pytest.mark.anyio
async def test_demo_file_loads(db: Database) -> None:
    report = await load_config_file(db, DEMO)

    assert report.changed
    assert report.created["needs"] == 12
    assert report.created["users"] == 11  # an admin, a lead, one staff user per agency
    async with db.read() as session:
        center = await session.scalar(select(Center).where(Center.slug == "lippe"))
        admin = await session.scalar(select(User).where(User.username == "admin"))
        kiosk = await session.scalar(select(Device).where(Device.name == "kiosk-foyer"))
        needs = (await session.scalars(select(Need).order_by(Need.position))).all()
    assert center is not None and admin is not None and kiosk is not None
    assert center.config_hash == hashlib.sha256(DEMO.read_bytes()).hexdigest()
    assert verify_password(admin.password_hash, "demo-admin")
    assert kiosk.token_hash == hash_token("demo-kiosk-token-foyer")
    assert [n.code for n in needs][:3] == ["residence", "work_permit", "opportunity"]
    assert needs[0].before == ["work", "training"]
    assert await count(db, ConfigLoad) == 1


# ---- (b) idempotency -----------------------------------------------------------------------


@pytest.mark.anyio
async def test_loading_twice_changes_nothing(db: Database) -> None:
    await load_config_file(db, DEMO)
    before = await dump(db)

    report = await load_config_file(db, DEMO)

    assert not report.changed
    assert report.describe() == "lippe: unchanged"
    assert await dump(db) == before


# ---- (c) a changed file --------------------------------------------------------------------

NEW_NEED = """\
  - code: housing
    icon: house
    label: {de: Wohnen, en: Housing}
    minutes: 15
    served_by:
      - agency: beratung

desks:
"""
# The last desk of the demo file, its room in every language (one line in the file).
REMOVED_DESK = "".join(
    [
        "  - code: r206\n",
        '    room: {de: "Raum 2.06", en: "Room 2.06", ar: "الغرفة 2.06", uk: "Кабінет 2.06", ',
        'ru: "Кабинет 2.06", tr: "Oda 2.06", fa: "اتاق 2.06", ro: "Camera 2.06"}\n',
        "    agency: sprache\n",
        "    languages: [de, en, tr, ro]\n",
    ]
)


def changed_demo() -> str:
    text = DEMO.read_text(encoding="utf-8")
    assert REMOVED_DESK in text and '"Raum 1.12"' in text
    text = text.replace('"Raum 1.12"', '"Raum 1.20"').replace(REMOVED_DESK, "")
    return text.replace("desks:\n", NEW_NEED, 1)


async def add_visit(db: Database, center_id: int) -> str:
    visit_id = str(uuid.uuid4())
    async with db.write(center_id) as session:
        session.add(
            Visit(
                id=visit_id,
                center_id=center_id,
                date=date(2026, 12, 1),
                ticket="A001",
                token=uuid.uuid4().hex,
                language="ar",
            )
        )
        session.add(Step(visit_id=visit_id, position=0, need="language_course", agency="sprache"))
    return visit_id


@pytest.mark.anyio
async def test_changed_file_updates_in_place_and_keeps_history(
    db: Database, tmp_path: Path
) -> None:
    first = await load_config_file(db, DEMO)
    visit_id = await add_visit(db, first.center_id)
    async with db.read() as session:
        desk_ids = dict((await session.execute(select(Desk.code, Desk.id))).all())
        need_ids = dict((await session.execute(select(Need.code, Need.id))).all())

    report = await load_config_file(db, write(tmp_path, changed_demo(), "lippe.yaml"))

    assert report.created["needs"] == 1 and report.updated["desks"] == 1
    assert report.deleted["desks"] == 1
    assert sum(report.deleted.values()) == 1
    async with db.read() as session:
        desks = {d.code: d for d in await session.scalars(select(Desk))}
        needs = {n.code: n for n in await session.scalars(select(Need))}
        visit = await session.get(Visit, visit_id)
        steps = (await session.scalars(select(Step).where(Step.visit_id == visit_id))).all()
    assert "r206" not in desks
    assert desks["r112"].room["de"] == "Raum 1.20" and desks["r112"].room["en"] == "Room 1.12"
    assert desks["r112"].id == desk_ids["r112"]
    assert all(needs[code].id == need_id for code, need_id in need_ids.items())
    assert needs["housing"].position == 12
    assert visit is not None and [s.need for s in steps] == ["language_course"]
    assert await count(db, ConfigLoad) == 2


@pytest.mark.anyio
async def test_changed_password_replaces_hash_and_revokes_tokens(
    db: Database, tmp_path: Path
) -> None:
    with_password = BASE.replace("role: admin}", "role: admin, password: first-secret}")
    await load_config_file(db, write(tmp_path, with_password))
    async with db.write() as session:
        admin = await session.scalar(select(User).where(User.username == "tadmin"))
        assert admin is not None
        session.add(
            StaffToken(
                user_id=admin.id,
                token_hash=hash_token("t"),
                expires_at=utcnow() + timedelta(hours=1),
            )
        )

    changed = with_password.replace("first-secret", "second-secret")
    report = await load_config_file(db, write(tmp_path, changed))

    assert report.updated["users"] == 1
    async with db.read() as session:
        admin = await session.scalar(select(User).where(User.username == "tadmin"))
    assert admin is not None and verify_password(admin.password_hash, "second-secret")
    assert await count(db, StaffToken) == 0


@pytest.mark.anyio
async def test_password_hash_is_stored_as_given(db: Database, tmp_path: Path) -> None:
    stored = hash_password("from-elsewhere")
    text = BASE.replace("role: admin}", f'role: admin, password_hash: "{stored}"}}')
    await load_config_file(db, write(tmp_path, text))
    async with db.read() as session:
        admin = await session.scalar(select(User).where(User.username == "tadmin"))
    assert admin is not None and admin.password_hash == stored


# ---- (d) refusals --------------------------------------------------------------------------

BROKEN = [
    pytest.param(
        'closes: "13:00", agencies: [abh, aa]}\n',
        'closes: "13:00", agencies: [abh, aa]}\ncolour: red\n',
        "t.yaml:40: colour: unknown key",
        id="unknown-top-level-key",
    ),
    pytest.param(
        "    minutes: 20\n",
        "    minutes: 20\n    colour: red\n",
        "t.yaml:22: needs[1].colour: unknown key",
        id="unknown-key-in-need",
    ),
    pytest.param(
        "      - agency: aa\n        when",
        "      - agency: jobcentre\n        when",
        "t.yaml:23: needs[1].served_by[0].agency: unknown agency 'jobcentre'",
        id="unknown-agency-in-served-by",
    ),
    pytest.param(
        "before: [work]",
        "before: [work, housing]",
        "t.yaml:18: needs[0].before[1]: unknown need 'housing'",
        id="unknown-need-in-before",
    ),
    pytest.param(
        "    minutes: 20\n",
        "    minutes: 20\n    before: [residence]\n",
        "t.yaml:22: needs[1].before[0]: before forms a cycle: residence -> work -> residence",
        id="before-cycle",
    ),
    pytest.param(
        "Europe/Berlin",
        "Europe/Detmold",
        "t.yaml:4: center.timezone: unknown timezone 'Europe/Detmold'",
        id="bad-timezone",
    ),
    pytest.param(
        "label: {de: Arbeit, en: Work}",
        "label: {en: Work}",
        "t.yaml:20: needs[1].label: missing the default language 'de'",
        id="missing-default-label",
    ),
    pytest.param(
        "code: t102",
        "code: t101",
        "t.yaml:30: desks[1].code: duplicate desk code 't101'",
        id="duplicate-desk-code",
    ),
    pytest.param(
        "role: staff, agency: abh}",
        "role: staff}",
        "t.yaml:35: users[1].agency: a staff user needs an agency",
        id="staff-without-agency",
    ),
    pytest.param(
        'opens: "09:00"',
        'opens: "25:00"',
        "t.yaml:39: days[0].opens: '25:00' is not a time of day",
        id="bad-time",
    ),
    pytest.param(
        'closes: "13:00"',
        'closes: "08:30"',
        "t.yaml:39: days[0].closes: closes 08:30 is not after opens 09:00",
        id="opens-after-closes",
    ),
    pytest.param(
        "residence_status: [tolerated]",
        "residence_status: [geduldet]",
        "t.yaml:24: needs[1].served_by[0].when.residence_status[0]: "
        "unknown residence_status 'geduldet'",
        id="unknown-residence-status",
    ),
    pytest.param(
        "municipality: [Detmold]",
        "municipality: [Paderborn]",
        "t.yaml:24: needs[1].served_by[0].when.municipality[0]: unknown municipality 'Paderborn'",
        id="municipality-not-listed",
    ),
    pytest.param(
        "agencies: [abh, aa]",
        "agencies: [abh, sprache]",
        "t.yaml:39: days[0].agencies[1]: unknown agency 'sprache'",
        id="unknown-agency-on-day",
    ),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("old", "new", "expected"), BROKEN)
async def test_broken_file_is_refused_and_nothing_written(
    db: Database, tmp_path: Path, old: str, new: str, expected: str
) -> None:
    await load_config_file(db, write(tmp_path, BASE))
    before = await dump(db)
    assert old in BASE
    broken = BASE.replace(old, new, 1).replace("Test center", "Renamed center")

    with pytest.raises(ConfigError) as refused:
        await load_config_file(db, write(tmp_path, broken))

    assert any(problem.startswith(expected) for problem in refused.value.problems), (
        refused.value.problems
    )
    assert await dump(db) == before


def test_every_problem_is_listed() -> None:
    broken = BASE.replace("Europe/Berlin", "Mars/Olympus").replace("- agency: abh", "- agency: x")

    with pytest.raises(ConfigError) as refused:
        parse_config(broken, "t.yaml")

    assert [p.split(": ")[0] for p in refused.value.problems] == ["t.yaml:4", "t.yaml:17"]


def test_references_are_checked_without_the_loader_too() -> None:
    data = {
        "center": {"slug": "x", "name": "X", "timezone": "UTC", "languages": ["de"]},
        "agencies": [{"code": "abh", "name": {"de": "ABH"}}],
        "desks": [{"code": "d1", "room": {"de": "1"}, "agency": "nope"}],
    }
    with pytest.raises(ValidationError, match=r"desks\[0\]\.agency: unknown agency 'nope'"):
        CenterConfig.model_validate(data)


# ---- (e) YAML syntax -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (BASE.replace("before: [work]", "before: [work"), 19),
        (BASE.replace("    minutes: 20\n", "    minutes: 20\n    minutes: 25\n"), 22),
        (BASE.replace("  slug: test", "  slug: test\n slug: tab"), 3),
    ],
    ids=["unclosed-flow-list", "duplicate-key", "bad-indentation"],
)
def test_yaml_syntax_error_names_the_line(text: str, line: int) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config(text, "t.yaml")

    [problem] = refused.value.problems
    assert problem.startswith(f"t.yaml:{line}: YAML syntax error"), problem


def test_invalid_calendar_date_names_the_line() -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config(BASE.replace("2026-12-01", "2026-13-01"), "t.yaml")

    assert refused.value.problems[0].startswith("t.yaml:39: days[0].date: ")


# ---- (f) installation-wide names -----------------------------------------------------------


@pytest.mark.anyio
async def test_desk_code_of_another_center_is_refused(db: Database, tmp_path: Path) -> None:
    await load_config_file(db, write(tmp_path, BASE))
    before = await dump(db)
    other = (
        BASE.replace("slug: test", "slug: other")
        .replace("code: t102", "code: o102")
        .replace("tadmin", "oadmin")
        .replace("tabh1", "oabh1")
        .replace("test-kiosk-token-0001", "other-kiosk-token-001")
    )

    with pytest.raises(ConfigError) as refused:
        await load_config_file(db, write(tmp_path, other, "other.yaml"))

    assert refused.value.problems == [
        "other.yaml:27: desks[0].code: desk code 't101' is already used by center 'test'"
    ]
    assert await dump(db) == before


@pytest.mark.anyio
async def test_username_and_token_of_another_center_are_refused(
    db: Database, tmp_path: Path
) -> None:
    await load_config_file(db, write(tmp_path, BASE))
    other = BASE.replace("slug: test", "slug: other").replace("code: t10", "code: o10")

    with pytest.raises(ConfigError) as refused:
        await load_config_file(db, write(tmp_path, other, "other.yaml"))

    assert [p.split(" is already")[0] for p in refused.value.problems] == [
        "other.yaml:34: users[0].username: username 'tadmin'",
        "other.yaml:35: users[1].username: username 'tabh1'",
        "other.yaml:37: devices[0].token: this device token",
    ]


# ---- the demo command's open day -----------------------------------------------------------


@pytest.mark.anyio
async def test_ensure_day_adds_a_day_once(db: Database, tmp_path: Path) -> None:
    report = await load_config_file(db, write(tmp_path, BASE))
    today = date(2026, 11, 21)

    async with db.write(report.center_id) as session:
        added = await ensure_day(session, center_id=report.center_id, day=today)
    async with db.write(report.center_id) as session:
        again = await ensure_day(session, center_id=report.center_id, day=today)
        known = await ensure_day(session, center_id=report.center_id, day=date(2026, 12, 1))

    assert (added, again, known) == (True, False, False)
    async with db.read() as session:
        day = await session.scalar(select(Day).where(Day.date == today))
    assert day is not None and (day.opens, day.closes, day.agencies) == ("08:00", "18:00", None)


@pytest.mark.anyio
async def test_apply_config_leaves_the_commit_to_the_caller(db: Database) -> None:
    config = parse_config(BASE, "t.yaml")
    async with db.sessions() as session:
        report = await apply_config(session, config)
        await session.rollback()

    assert report.changed and report.created["desks"] == 2
    assert await count(db, Center) == 0


@pytest.mark.anyio
async def test_items_left_out_of_the_file_are_deleted(db: Database, tmp_path: Path) -> None:
    await load_config_file(db, write(tmp_path, BASE))
    minimal = BASE.split("needs:\n")[0].replace(
        "  - code: aa\n    name: {de: Agentur für Arbeit}\n", ""
    )

    report = await load_config_file(db, write(tmp_path, minimal))

    assert report.deleted == {
        "center": 0,
        "agencies": 1,
        "needs": 2,
        "desks": 2,
        "users": 2,
        "devices": 1,
        "days": 1,
    }
    assert report.describe().startswith("test: deleted 1 agencies, 2 needs")
    for model in (Need, Desk, User, Device, Day):
        assert await count(db, model) == 0, model


async def test_passwords_are_hashed_in_threads_before_the_write(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from app.centers import loader

    seen: list[tuple[bool, bool]] = []
    real = loader._password_hash

    def watched(item: Any, stored: str | None) -> str | None:
        if item.password is None:
            return real(item, stored)  # nothing to hash
        lock = db._locks.get(0)
        seen.append(
            (threading.current_thread() is threading.main_thread(), bool(lock and lock.locked()))
        )
        return real(item, stored)

    monkeypatch.setattr(loader, "_password_hash", watched)
    text = BASE.replace(
        "{username: tadmin, role: admin}", '{username: tadmin, role: admin, password: "pw-1"}'
    )
    await load_config_file(db, write(tmp_path, text))
    await load_config_file(db, write(tmp_path, text))  # unchanged: the stored hash is kept
    assert seen == [(False, False), (False, False)]  # a worker thread, no write lock held


# ---- house rules: screens are told, busy desks are kept --------------------------------------


async def events(db: Database) -> list[Event]:
    async with db.read() as session:
        return list((await session.scalars(select(Event).order_by(Event.seq))).all())


async def test_a_change_writes_one_center_configured_event_with_counts_and_codes(
    db: Database, tmp_path: Path
) -> None:
    await load_config_file(db, write(tmp_path, BASE))
    assert await events(db) == []  # a new center: no screen can be watching it yet
    changed = BASE.replace("room: {de: Raum 1.02}", "room: {de: Raum 2.02}").replace(
        "{name: kiosk, kind: kiosk, token: test-kiosk-token-0001}",
        "{name: kiosk, kind: kiosk, token: test-kiosk-token-0002}",
    )
    changed = changed.replace(
        "{username: tadmin, role: admin}", '{username: tadmin, role: admin, password: "s3cret-pw"}'
    )

    await load_config_file(db, write(tmp_path, changed))
    before = await dump(db)
    await load_config_file(db, write(tmp_path, changed))  # unchanged: nothing written
    assert await dump(db) == before

    (event,) = await events(db)
    today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    assert (event.type, event.date, event.seq) == ("center.configured", today, 1)
    assert event.data == {
        "created": {},
        "updated": {"desks": 1, "users": 1, "devices": 1},
        "deleted": {},
        "codes": {"desks": ["t102"]},
    }
    assert "s3cret" not in str(event.data) and "token" not in str(event.data)


async def busy_visit(db: Database, *, desk: str, status: str = "called") -> None:
    today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    async with db.write() as session:
        center = await session.scalar(select(Center).where(Center.slug == "test"))
        assert center is not None
        visit = Visit(
            id=str(uuid.uuid4()),
            center_id=center.id,
            date=today,
            ticket="A001",
            token=uuid.uuid4().hex,
            status=status,
            language="de",
        )
        session.add(visit)
        step = Step(visit_id=visit.id, position=0, need="work", agency="aa", status=status)
        step.desk = desk
        session.add(step)


@pytest.mark.parametrize("status", ["called", "in_service"])
async def test_a_desk_serving_someone_may_not_be_removed_or_reassigned(
    db: Database, tmp_path: Path, status: str
) -> None:
    await load_config_file(db, write(tmp_path, BASE))
    await busy_visit(db, desk="t102", status=status)
    before = await dump(db)
    removed = BASE.replace("  - code: t102\n    room: {de: Raum 1.02}\n    agency: aa\n", "")
    moved = BASE.replace(
        "room: {de: Raum 1.02}\n    agency: aa", "room: {de: Raum 1.02}\n    agency: abh"
    )

    with pytest.raises(ConfigError) as refused:
        await load_config_file(db, write(tmp_path, removed))
    assert refused.value.problems == [
        f"t.yaml:26: desks: desk 't102' is removed while it serves A001 ({status}); "
        "finish or no-show that visitor first, then load again"
    ]
    with pytest.raises(ConfigError) as refused:
        await load_config_file(db, write(tmp_path, moved))
    assert refused.value.problems == [
        f"t.yaml:32: desks[1].agency: desk 't102' moves from 'aa' to 'abh' while it serves "
        f"A001 ({status}); finish or no-show that visitor first, then load again"
    ]
    assert await dump(db) == before
    # Another desk may change, and the busy desk may change anything but its agency.
    other = BASE.replace("room: {de: Raum 1.02}", "room: {de: Raum 9.99}").replace(
        "  - code: t101\n    room: {de: Raum 1.01}\n    agency: abh\n", ""
    )
    report = await load_config_file(db, write(tmp_path, other))
    assert report.deleted["desks"] == 1 and report.updated["desks"] == 1


async def test_a_desk_whose_visitor_is_done_may_go(db: Database, tmp_path: Path) -> None:
    await load_config_file(db, write(tmp_path, BASE))
    await busy_visit(db, desk="t102", status="done")
    removed = BASE.replace("  - code: t102\n    room: {de: Raum 1.02}\n    agency: aa\n", "")
    assert (await load_config_file(db, write(tmp_path, removed))).deleted["desks"] == 1

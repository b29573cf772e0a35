"""The config export: the file the loader reads, byte-identical through export → load →
export, and a load of it changes nothing (no `center.configured`)."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.centers.export import export_config
from app.centers.loader import load_config_file, parse_config
from app.centers.models import Center
from app.journal.models import Event
from tests.conftest import TEST_DAY, Harness

pytestmark = pytest.mark.anyio
ROOT = Path(__file__).resolve().parents[2]


async def export(h: Harness, slug: str) -> str:
    async with h.db.read() as session:
        center = await session.scalar(select(Center).where(Center.slug == slug))
        assert center is not None
        return await export_config(session, center)


async def event_count(h: Harness) -> int:
    async with h.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(Event)) or 0)


@pytest.mark.parametrize(
    "db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
@pytest.mark.parametrize("slug", ["lippe", "herford"])  # app/demo/lippe.yaml, tests/fixtures
async def test_export_load_export_is_byte_identical(
    harness: Harness, tmp_path: Path, slug: str
) -> None:
    first = await export(harness, slug)
    assert first.startswith("# ") and "password_hash: " in first and "token_hash: " in first
    assert "password: " not in first and "demo-admin" not in first
    before = await event_count(harness)
    path = tmp_path / f"{slug}.yaml"
    path.write_text(first, encoding="utf-8")
    report = await load_config_file(harness.db, path)
    assert not report.changed, report.describe()
    assert await event_count(harness) == before  # no center.configured
    assert await export(harness, slug) == first


async def test_what_the_browser_changed_is_in_the_file(harness: Harness, tmp_path: Path) -> None:
    admin = await harness.login("admin")
    mobile = (TEST_DAY + timedelta(days=400)).isoformat()
    r = await harness.client.post(
        "/api/v1/admin/centers/lippe/days",
        json={
            "date": mobile,
            "opens": "10:00",
            "closes": "12:30",
            "agencies": ["abh", "aa"],
            "site": "Lügde: Rathaus",
            "note": {"en": "Bring your passport", "de": "Pass mitbringen"},
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    await harness.client.post(
        f"/api/v1/admin/centers/lippe/days/{TEST_DAY.isoformat()}/cancel", headers=admin
    )
    r = await harness.client.get("/api/v1/centers/lippe/config.yaml", headers=admin)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/yaml")
    assert 'filename="lippe.yaml"' in r.headers["content-disposition"]
    text = r.text
    assert text == await export(harness, "lippe")
    config = parse_config(text)
    day = next(d for d in config.days if d.date.isoformat() == mobile)
    assert (day.site, day.agencies, day.opens) == ("Lügde: Rathaus", ["abh", "aa"], "10:00")
    assert day.note == {"de": "Pass mitbringen", "en": "Bring your passport"}
    assert next(d for d in config.days if d.date == TEST_DAY).cancelled is True
    path = tmp_path / "lippe.yaml"
    path.write_text(text, encoding="utf-8")
    assert not (await load_config_file(harness.db, path)).changed


def test_the_command_writes_the_same_file(sqlite_url: str, tmp_path: Path) -> None:
    out = tmp_path / "herford.yaml"
    env = {"WELCOME_DATABASE_URL": sqlite_url, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "export-config", "herford", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()
    to_stdout = subprocess.run(
        [sys.executable, "-m", "app.cli", "export-config", "herford"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert to_stdout.stdout.decode() == out.read_text(encoding="utf-8")
    assert parse_config(out.read_text(encoding="utf-8")).center.slug == "herford"
    missing = subprocess.run(
        [sys.executable, "-m", "app.cli", "export-config", "nowhere"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert missing.returncode == 1 and b"no center 'nowhere'" in missing.stderr

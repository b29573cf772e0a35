"""Two centers in one database with overlapping agency codes never share a queue."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.centers.loader import ensure_day, load_config_file
from app.centers.models import Center
from tests.conftest import TEST_DAY, Harness, desks_by_agency

pytestmark = pytest.mark.anyio

HERFORD_KIOSK = "herford-kiosk-token-eingang"
# A second center: its own slug, desks, users and devices, but the same agency and need
# codes as the demo center (`abh`, `residence`), so only the center filter keeps them apart.
HERFORD = f"""
center:
  {{slug: herford, name: Welcome-Center Herford, timezone: Europe/Berlin, languages: [de, en]}}
agencies:
  - {{code: abh, name: {{de: Ausländerbehörde Herford}}}}
needs:
  - {{code: residence, label: {{de: Aufenthalt}}, minutes: 15, served_by: [{{agency: abh}}]}}
desks:
  - {{code: hf1, room: {{de: "Raum 1"}}, agency: abh, languages: [de]}}
users:
  - {{username: herford_abh1, role: staff, agency: abh, password: herford-abh-secret}}
devices:
  - {{name: kiosk-eingang, kind: kiosk, token: {HERFORD_KIOSK}}}
"""


async def _second_center(h: Harness, tmp_path: Path) -> None:
    path = tmp_path / "herford.yaml"
    path.write_text(HERFORD, encoding="utf-8")
    await load_config_file(h.db, path)
    async with h.db.write() as session:
        center = await session.scalar(select(Center).where(Center.slug == "herford"))
        assert center is not None
        await ensure_day(session, center_id=center.id, day=TEST_DAY)


async def test_desks_call_and_list_only_their_own_centers_visitors(
    harness: Harness, tmp_path: Path
) -> None:
    h = harness
    await _second_center(h, tmp_path)
    # Herford's visitor comes first: a queue that mixed centers would call them first.
    r = await h.client.post(
        "/api/v1/centers/herford/visits",
        json={"language": "de", "needs": ["residence"]},
        headers={"Authorization": f"Bearer {HERFORD_KIOSK}"},
    )
    assert r.status_code == 201, r.text
    herford = r.json()
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
    other = await h.login("herford_abh1", "herford-abh-secret")
    queue = await h.client.get("/api/v1/desks/hf1/queue", headers=other)
    assert [v["id"] for v in queue.json()] == [herford["id"]]
    assert (await h.desk(code, "call-next", other)).status_code == 403

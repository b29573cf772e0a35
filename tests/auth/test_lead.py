"""The read-only lead: configured in the file, signs in, reads, never works at a desk.

Which routes a lead reaches is in tests/auth/matrix.py (LEAD) and runs in
test_authorisation.py; this file checks the role itself.
"""

from __future__ import annotations

import pytest

from app.auth.access import require_manager_of, require_staff_at
from app.auth.principal import Principal
from app.centers.loader import ConfigError, parse_config
from app.centers.models import Center, Desk
from app.cli import DEMO_FILE
from app.errors import Forbidden, NotFound
from app.kinds import PrincipalKind
from tests.conftest import Harness

CONFIG = """\
center: {slug: t, name: T, timezone: Europe/Berlin, languages: [de]}
agencies:
  - {code: abh, name: {de: Ausländerbehörde}}
needs:
  - {code: residence, label: {de: Aufenthalt}, minutes: 15, served_by: [{agency: abh}]}
desks:
  - {code: t1, room: {de: "Raum 1"}, agency: abh}
users:
  - {username: tlead, role: lead}
"""


def test_a_lead_in_the_file_has_no_agency() -> None:
    config = parse_config(CONFIG, "t.yaml")
    assert [(u.username, u.role, u.agency) for u in config.users] == [("tlead", "lead", None)]
    with pytest.raises(ConfigError) as refused:
        parse_config(CONFIG.replace("role: lead}", "role: lead, agency: abh}"), "t.yaml")
    assert refused.value.problems == [
        "t.yaml:9: users[0].agency: a lead belongs to the center, not to an agency"
    ]


def test_the_demo_has_a_lead() -> None:
    config = parse_config(DEMO_FILE.read_text(encoding="utf-8"))
    assert [u.username for u in config.users if u.role == "lead"] == ["lead1"]


def principal(kind: PrincipalKind, center_id: int = 1, agency: str | None = None) -> Principal:
    return Principal(kind=kind, center_id=center_id, name="x", agency=agency)


def test_manager_checks() -> None:
    center = Center(id=1, slug="lippe", name="L")
    require_manager_of(principal(PrincipalKind.LEAD), center)
    require_manager_of(principal(PrincipalKind.ADMIN), center)
    for kind in (PrincipalKind.STAFF, PrincipalKind.KIOSK, PrincipalKind.DISPLAY):
        with pytest.raises(Forbidden):
            require_manager_of(principal(kind, agency="abh"), center)
    # Another center's lead or admin is told the center does not exist.
    for kind in (PrincipalKind.LEAD, PrincipalKind.ADMIN):
        with pytest.raises(NotFound):
            require_manager_of(principal(kind, center_id=2), center)


def test_a_lead_works_at_no_desk() -> None:
    desk = Desk(code="r112", center_id=1, agency_code="abh")
    with pytest.raises(Forbidden):
        require_staff_at(principal(PrincipalKind.LEAD), desk)


@pytest.mark.anyio
async def test_a_lead_signs_in_as_lead_and_changes_nothing(harness: Harness) -> None:
    r = await harness.client.post(
        "/api/v1/auth/login", json={"username": "lead1", "password": "demo-lead"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["user"] == {"username": "lead1", "role": "lead", "agency": None}
    harness.client.cookies.clear()
    lead = {"Authorization": f"Bearer {r.json()['access_token']}"}
    me = await harness.client.get("/api/v1/auth/me", headers=lead)
    assert me.json()["role"] == "lead"
    center = await harness.client.get("/api/v1/me/center", headers=lead)
    assert center.json() == {"slug": "lippe", "name": center.json()["name"]}
    for action in ("open", "call-next"):
        r = await harness.desk("r112", action, lead)
        assert r.status_code == 403, r.text
    r = await harness.client.post("/api/v1/admin/users/abh1/end-sessions", headers=lead)
    assert r.status_code == 403

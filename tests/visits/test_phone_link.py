"""The honest wait (no desk open: no number) and the phone link: public URL, QR, short code."""

from __future__ import annotations

import re

import pytest

from app.visits.phone import parse_code
from tests.conftest import Harness

pytestmark = pytest.mark.anyio


async def test_no_open_desk_means_no_estimate_and_names_the_agency(harness: Harness) -> None:
    h = harness
    visit = await h.check_in(needs=["residence", "work"], residence_status="tolerated")
    # Every demo desk starts closed: a forecast would promise 0 minutes.
    assert visit["estimated_wait_minutes"] is None
    assert visit["closed_agencies"] == ["aa", "abh"]
    staff = await h.login("abh1")
    await h.desk("r112", "open", staff)
    after = (await h.client.get(f"/api/v1/visits/{visit['token']}")).json()
    assert after["closed_agencies"] == ["aa"]
    assert isinstance(after["estimated_wait_minutes"], int)


async def test_phone_link_uses_the_public_url_and_a_short_code_resolves(
    harness: Harness,
) -> None:
    h = harness
    h.app.state.settings.public_url = "https://welcome.example.org/"
    visit = await h.check_in(needs=["residence"])
    r = await h.client.post("/api/v1/visits/phone-link", json={"token": visit["token"]})
    assert r.status_code == 200, r.text
    link = r.json()
    assert link["url"] == f"https://welcome.example.org/visit/#t={visit['token']}&c=lippe"
    assert link["code_url"] == "https://welcome.example.org/visit/"
    assert link["qr_svg"].startswith("<svg") and 'class="qr"' in link["qr_svg"]
    assert re.fullmatch(rf"{visit['ticket']}-[A-Z2-9]{{5}}", link["code"])

    typed = link["code"].lower().replace("-", " ")
    r = await h.client.post("/api/v1/visits/by-code", json={"code": typed})
    assert r.status_code == 200, r.text
    assert r.json() == {"token": visit["token"], "center": "lippe"}

    wrong = link["code"][:-1] + ("A" if link["code"][-1] != "A" else "B")
    r = await h.client.post("/api/v1/visits/by-code", json={"code": wrong})
    assert r.status_code == 404 and r.json()["code"] == "unknown_code"
    r = await h.client.post("/api/v1/visits/phone-link", json={"token": "nope"})
    assert r.status_code == 404 and r.json()["code"] == "unknown_visit"


async def test_guessing_codes_is_throttled(harness: Harness) -> None:
    h = harness
    visit = await h.check_in(needs=["residence"])
    statuses = []
    for n in range(35):
        guess = f"{visit['ticket']}-{n:05d}".replace("0", "A").replace("1", "B")
        r = await h.client.post("/api/v1/visits/by-code", json={"code": guess})
        statuses.append(r.status_code)
    assert 429 in statuses and statuses.index(429) <= 30
    assert set(statuses) <= {404, 429}


def test_typed_codes_parse_forgivingly() -> None:
    assert parse_code("a017-7kx4m") == ("A017", "7KX4M")
    assert parse_code(" A017 7KX4M ") == ("A017", "7KX4M")
    assert parse_code("A017") is None
    assert parse_code("A017-7KX4") is None

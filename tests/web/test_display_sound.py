"""The display in Chromium as an unattended TV: it speaks calls, reconnects, signs a door.

Chromium runs with --autoplay-policy=no-user-gesture-required, the flag README gives for
a TV nobody touches: the page plays the chime and the server's speech without a touch.
SCREENSHOTS=1 also writes docs/screenshots/display-*.png (1920×1080).
"""

from __future__ import annotations

import io
import math
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import wave
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import DISPLAY_TOKEN, ROOT, SERVER, chromium, fresh_page

pytestmark = pytest.mark.browser
SHOTS = ROOT / "docs" / "screenshots"
needs_engine = pytest.mark.skipif(
    shutil.which("espeak-ng") is None and os.environ.get("CI") != "true",
    reason="espeak-ng is missing (make system-deps installs it)",
)


@pytest.fixture(scope="module")
def tv() -> Iterator[Any]:
    # An unattended TV: sound without a touch, as README's kiosk flags set it up.
    yield from chromium("--autoplay-policy=no-user-gesture-required")


@pytest.fixture
def screen(tv: Any) -> Iterator[Any]:
    yield from fresh_page(tv, 1920, 1080)


def rms(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as w:
        samples = array("h", w.readframes(w.getnframes()))
    return math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


def call(server: Any, desk: str, user: str, password: str) -> dict[str, Any]:
    staff = server.login(user, password)
    server.api("POST", f"/api/v1/desks/{desk}/open", token=staff)
    status, visit = server.api("POST", f"/api/v1/desks/{desk}/call-next", token=staff)
    assert status == 200, visit
    return visit


@needs_engine
def test_the_display_speaks_the_call_in_german_and_the_visitors_language(
    screen: Any, server: Any
) -> None:
    wavs: list[str] = []
    screen.on("request", lambda r: wavs.append(r.url) if "announce.wav" in r.url else None)
    screen.goto(f"{server.base}/display/?center=lippe&token={DISPLAY_TOKEN}")
    screen.wait_for_function("() => window.welcomeDisplay.live === 'open'")
    visit = server.check_in(language="ar", needs=["residence"])
    call(server, "r113", "abh1", "demo-abh")
    expect(screen.locator("#now-ticket")).to_have_text(visit["ticket"])
    screen.wait_for_function(
        "() => window.welcomeDisplay.audio.filter((a) => a.played).length >= 2", timeout=20_000
    )
    played = screen.evaluate("window.welcomeDisplay.audio")
    assert [(a["ticket"], a["lang"]) for a in played] == [
        (visit["ticket"], "de"),
        (visit["ticket"], "ar"),
    ]
    assert screen.evaluate("window.welcomeDisplay.sound") == "running"  # no touch needed
    expect(screen.locator("#sound")).to_be_hidden()
    arabic = next(u for u in wavs if "lang=ar" in u)
    assert f"ticket={visit['ticket']}" in arabic and "desk=r113" in arabic
    request = urllib.request.Request(arabic, headers={"Authorization": f"Bearer {DISPLAY_TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"] == "audio/wav"
        assert rms(response.read()) > 500, "the Arabic call is silent"


def test_waits_per_agency_and_no_open_desk_said(screen: Any, server: Any) -> None:
    screen.goto(f"{server.base}/display/?center=lippe&token={DISPLAY_TOKEN}")
    server.check_in(language="de", needs=["residence"])
    abh = screen.locator('.agency-wait[data-agency="abh"]')
    expect(abh.locator("[data-testid=range]")).to_contain_text("kein Schalter geöffnet")
    expect(abh.locator("[data-testid=count]")).to_have_text("1")
    staff = server.login("abh1", "demo-abh")
    server.api("POST", "/api/v1/desks/r112/open", token=staff)
    expect(abh.locator("[data-testid=range]")).to_contain_text("Min.")
    assert "<" not in (abh.text_content() or "")


def test_the_display_survives_a_server_restart(screen: Any, server: Any, tmp_path: Path) -> None:
    screen.goto(f"{server.base}/display/?center=lippe&token={DISPLAY_TOKEN}")
    screen.wait_for_function("() => window.welcomeDisplay.live === 'open'")
    server.process.terminate()
    server.process.wait(timeout=10)
    expect(screen.locator("#offline")).to_be_visible(timeout=15_000)
    port = server.base.rsplit(":", 1)[1]
    env = {
        **os.environ,
        "WELCOME_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'welcome.db'}",
        "WELCOME_SECRET_KEY": "browser-tests-only-secret-0123456789",
        "WELCOME_ALLOWED_ORIGINS": server.base,
        "WELCOME_PUBLIC_URL": server.base,
    }
    log = (tmp_path / "server2.log").open("wb")
    server.process = subprocess.Popen(
        [sys.executable, "-c", SERVER, port], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if server.api("GET", "/api/v1/centers/lippe/today")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    expect(screen.locator("#offline")).to_be_hidden(timeout=20_000)
    screen.wait_for_function("() => window.welcomeDisplay.live === 'open'", timeout=20_000)
    visit = server.check_in(language="uk", needs=["work"], residence_status="recognised")
    call(server, "r114", "jobcenter1", "demo-jobcenter")
    expect(screen.locator("#now-ticket")).to_have_text(visit["ticket"], timeout=5000)


def test_the_door_sign_shows_its_desks_current_ticket(screen: Any, server: Any) -> None:
    screen.set_viewport_size({"width": 1024, "height": 600})
    screen.goto(f"{server.base}/display/?center=lippe&token={DISPLAY_TOKEN}&desk=r113")
    expect(screen.locator("#door-room")).to_have_text("Raum 1.13")
    expect(screen.locator("#door-state")).to_contain_text("Geschlossen")
    other = server.check_in(language="de", needs=["residence"])
    call(server, "r112", "abh1", "demo-abh")  # another desk's call: not this door's
    visit = server.check_in(language="fa", needs=["residence"])
    call(server, "r113", "abh1", "demo-abh")
    expect(screen.locator("#door-ticket")).to_have_text(visit["ticket"])
    assert other["ticket"] not in (screen.locator("#door").text_content() or "")
    if os.environ.get("SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        screen.screenshot(path=str(SHOTS / "display-door-sign.png"))


@pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="SCREENSHOTS=1 writes them")
def test_screenshots(screen: Any, server: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    abh = server.login("abh1", "demo-abh")
    jc = server.login("jobcenter1", "demo-jobcenter")
    aa = server.login("aa1", "demo-aa")
    for desk, token in (("r112", abh), ("r113", abh), ("r114", jc), ("r116", aa)):
        server.api("POST", f"/api/v1/desks/{desk}/open", token=token)
    for lang, needs, status in [
        ("de", ["residence"], None),
        ("tr", ["work"], "recognised"),
        ("ru", ["residence", "work"], "tolerated"),
        ("uk", ["income"], "recognised"),
        ("de", ["work"], "asylum_pending"),
        ("fa", ["residence"], None),
        ("ro", ["language_course"], None),
        ("en", ["counselling"], None),
    ]:
        body: dict[str, Any] = {"language": lang, "needs": needs}
        if status:
            body["residence_status"] = status
        server.check_in(**body)
    for desk, token in (("r112", abh), ("r114", jc), ("r116", aa)):
        server.api("POST", f"/api/v1/desks/{desk}/call-next", token=token)
    screen.goto(f"{server.base}/display/?center=lippe&token={DISPLAY_TOKEN}&sound=0")
    screen.wait_for_function("() => window.welcomeDisplay.live === 'open'")
    time.sleep(9)  # the newest call's flash is over
    screen.screenshot(path=str(SHOTS / "display-de.png"))
    server.check_in(language="ar", needs=["residence"])
    server.api("POST", "/api/v1/desks/r113/call-next", token=abh)
    expect(screen.locator("#now .translated")).to_have_attribute("lang", "ar")
    time.sleep(1)
    screen.screenshot(path=str(SHOTS / "display-call-ar.png"))

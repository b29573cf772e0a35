"""A whole consultation day against a real `welcome-center serve`, its stdout and stderr
captured: not one token, password, session cookie or personal answer in the log, in
either format; every line of the JSON log is JSON with a request id on each request."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.conftest import DISPLAY, KIOSK

FORMATS = [{"WELCOME_LOG_FORMAT": "json"}, {"WELCOME_LOG_FORMAT": "text"}]
# Towns with ASCII names, none of them a substring of anything else the day logs.
TOWNS = ["Augustdorf", "Blomberg", "Extertal", "Kalletal", "Oerlinghausen", "Barntrup"]
PASSWORDS = {"admin": "demo-admin", "abh1": "demo-abh", "jobcenter1": "demo-jobcenter"}


class Day:
    """Drives the day and keeps every secret and answer it handed out."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.ws = base.replace("http", "ws", 1)
        self.secrets: set[str] = {KIOSK, DISPLAY, *PASSWORDS.values()}
        self.answers: set[str] = set()  # free text: notes, reasons, a wrong password
        self.towns: set[str] = set()
        self.kiosk = {"Authorization": f"Bearer {KIOSK}"}

    def unique(self, label: str) -> str:
        """A personal answer nobody could find in a log by chance."""
        text = f"{label}-{uuid.uuid4().hex[:10]}"
        self.answers.add(text)
        return text

    def login(self, client: httpx.Client, username: str) -> dict[str, str]:
        r = client.post(
            "/api/v1/auth/login", json={"username": username, "password": PASSWORDS[username]}
        )
        assert r.status_code == 200, r.text
        body = r.json()
        self.secrets.update({body["access_token"], body["csrf_token"]})
        self.secrets.update(value for value in client.cookies.values())  # signed cookie
        return {"Authorization": f"Bearer {body['access_token']}"}

    def check_in(self, client: httpx.Client, needs: list[str]) -> dict[str, str]:
        town = TOWNS[len(self.towns) % len(TOWNS)]
        self.towns.add(town)
        body = {
            "language": "de",
            "needs": needs,
            "municipality": town,
            "age": 37,
            "residence_status": "tolerated",
        }
        r = client.post("/api/v1/centers/lippe/visits", json=body, headers=self.kiosk)
        assert r.status_code == 201, r.text
        visit: dict[str, str] = r.json()
        self.secrets.add(visit["token"])
        return visit

    def socket(self, path: str, first_message: str | None = None, **headers: str) -> None:
        origin = {"Origin": self.base, **headers}
        with connect(f"{self.ws}{path}", additional_headers=origin, open_timeout=10) as ws:
            if first_message is not None:
                ws.send(json.dumps({"token": first_message}))
            assert '"snapshot"' in str(ws.recv(timeout=10))


def run_day(day: Day) -> None:
    with httpx.Client(base_url=day.base, timeout=15) as c:
        # Morning: devices set up by their addresses, staff sign in.
        assert c.get(f"/kiosk/?center=lippe&token={KIOSK}").status_code == 200
        assert c.get(f"/display/?center=lippe&token={DISPLAY}").status_code == 200
        admin = day.login(c, "admin")
        c.cookies.clear()
        abh = day.login(c, "abh1")
        session_cookies = dict(c.cookies)
        csrf = c.cookies["wc_csrf"]
        c.cookies.clear()
        jobcenter = day.login(c, "jobcenter1")
        c.cookies.clear()
        wrong = {"username": "abh1", "password": day.unique("falsches-passwort")}
        assert c.post("/api/v1/auth/login", json=wrong).status_code == 401

        # Check-ins, one refused for a bad field (its answer must not be echoed to a log).
        visits = [day.check_in(c, ["residence"]) for _ in range(4)]
        visits += [day.check_in(c, ["income"]) for _ in range(2)]
        bad = {"language": "de", "needs": [], "municipality": day.unique("Ort")}
        assert c.post("/api/v1/centers/lippe/visits", json=bad, headers=day.kiosk).status_code
        for visit in visits:
            token = visit["token"]
            assert c.get(f"/api/v1/visits/{token}").status_code == 200
            assert c.get(f"/visit/?c=lippe&t={token}").status_code == 200

        # Screens and phones connect: token in the query, as first message, in the path,
        # and the desk by its session cookie.
        day.socket(f"/ws/centers/lippe/display?token={DISPLAY}")
        day.socket("/ws/centers/lippe/display", first_message=DISPLAY)
        day.socket(f"/ws/desks/r112?token={abh['Authorization'][7:]}")
        day.socket("/ws/desks/r114", first_message=jobcenter["Authorization"][7:])
        cookie = "; ".join(f"{k}={v}" for k, v in session_cookies.items())
        day.socket("/ws/desks/r113", Cookie=cookie)
        for visit in visits[:2]:
            day.socket(f"/ws/visits/{visit['token']}")

        # The desks work: call, start, finish with a note, hold with a note, no-show.
        def act(desk: str, action: str, who: dict[str, str], **body: object) -> None:
            r = c.post(f"/api/v1/desks/{desk}/{action}", json=body or None, headers=who)
            assert r.status_code < 300, (action, r.text)

        for desk, who in (("r112", abh), ("r114", jobcenter)):
            act(desk, "open", who)
            act(desk, "call-next", who)
            act(desk, "start", who)
            act(desk, "finish", who, note=day.unique("Notiz"))
        act("r112", "call-next", abh)
        act("r112", "hold", abh, reason="documents", note=day.unique("Unterlagen"))
        act("r112", "call-next", abh)
        act("r112", "no-show", abh)
        # The cookie-signed desk page: the same actions with the CSRF token.
        c.cookies.update(session_cookies)
        r = c.post("/api/v1/desks/r113/open", headers={"X-CSRF-Token": csrf})
        assert r.status_code < 300, r.text
        c.cookies.clear()

        # A visitor cancels, with a reason in their own words.
        reason = {"reason": day.unique("Grund")}
        r = c.post(f"/api/v1/visits/{visits[-1]['token']}/cancel", json=reason)
        assert r.status_code < 300, r.text

        # The administrator looks around; staff sign out.
        assert c.get("/api/v1/auth/sessions", headers=abh).status_code == 200
        assert c.get("/api/v1/centers/lippe/display", headers=admin).status_code == 200
        for who in (abh, jobcenter, admin):
            assert c.post("/api/v1/auth/logout", headers=who).status_code == 204


@pytest.mark.parametrize("served", FORMATS, indirect=True, ids=["json", "text"])
def test_a_full_day_leaves_no_secret_in_the_log(served: tuple[str, Path]) -> None:
    base, log = served
    day = Day(base)
    run_day(day)
    # A request id from a proxy is kept and echoed; anything else is replaced.
    given = f"proxy-{uuid.uuid4().hex[:12]}"
    r = httpx.get(f"{base}/healthz", headers={"X-Request-ID": given})
    assert r.headers["x-request-id"] == given
    r = httpx.get(f"{base}/healthz", headers={"X-Request-ID": "a b;c" * 20})
    assert r.headers["x-request-id"] != "a b;c" * 20 and len(r.headers["x-request-id"]) == 32
    time.sleep(0.5)  # the last lines reach the file

    text = log.read_text()
    assert len(day.secrets) >= 15 and len(day.answers) >= 6 and len(day.towns) == 6
    for secret in day.secrets:
        assert secret not in text, f"a secret in the log: {secret[:6]}…"
    for answer in day.answers | day.towns | {"tolerated"}:
        assert answer not in text, f"a personal answer in the log: {answer}"
    # The day is in the log, masked, and the proxy's id with its request.
    assert "/api/v1/visits/***" in text and "/ws/desks/r112?token=***" in text
    assert "/api/v1/desks/r112/finish" in text and "/visit/?c=lippe&t=***" in text
    assert given in text


@pytest.mark.parametrize("served", FORMATS[:1], indirect=True, ids=["json"])
def test_json_lines_carry_a_request_id(served: tuple[str, Path]) -> None:
    base, log = served
    day = Day(base)
    with httpx.Client(base_url=base, timeout=10) as client:
        r = client.get("/api/v1/centers/lippe/today")
        request_id = r.headers["x-request-id"]
        visit = day.check_in(client, ["residence"])
    with connect(
        f"{day.ws}/ws/visits/{visit['token']}",
        additional_headers={"Origin": base, "X-Request-ID": "socket-req-1"},
        open_timeout=10,
    ) as ws:
        assert ws.response is not None
        assert ws.response.headers["x-request-id"] == "socket-req-1"
        ws.recv(timeout=10)
    time.sleep(0.5)

    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert access and all(len(line["request_id"]) >= 8 for line in access)
    today = [line for line in access if line["path"] == "/api/v1/centers/lippe/today"]
    assert [(t["request_id"], t["method"], t["status"]) for t in today] == [
        (request_id, "GET", 200)
    ]
    socket = [line for line in lines if line.get("request_id") == "socket-req-1"]
    assert any("/ws/visits/***" in line["event"] for line in socket), socket
    assert all({"timestamp", "level", "event"} <= line.keys() for line in lines)

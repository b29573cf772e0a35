"""GET announce.wav: only call texts, only for a display, only called tickets; cached."""

from __future__ import annotations

import io
import math
import os
import shutil
import wave
from array import array
from typing import Any

import pytest

from app.announce.routes import speaker_of
from app.announce.speech import call_text, fix_sizes, room_in, spoken_ticket
from tests.conftest import Harness

pytestmark = pytest.mark.anyio
needs_engine = pytest.mark.skipif(
    shutil.which("espeak-ng") is None and os.environ.get("CI") != "true",
    reason="espeak-ng is missing (make system-deps installs it)",
)
URL = "/api/v1/centers/lippe/announce.wav"


def rms(data: bytes) -> float:
    """Root mean square of 16-bit mono samples, 0..32767."""
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        frames = w.readframes(w.getnframes())
    samples = array("h", frames)
    return math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


async def called(h: Harness, language: str) -> dict[str, Any]:
    visit = await h.check_in(language=language, needs=["residence"])
    staff = await h.login("abh1")
    assert (await h.desk("r113", "open", staff)).status_code == 200
    r = await h.desk("r113", "call-next", staff)
    assert r.status_code == 200 and r.json()["ticket"] == visit["ticket"], r.text
    return visit


def test_the_text_is_built_from_ticket_room_and_language() -> None:
    assert spoken_ticket("A017") == "A 17"
    assert call_text("de", "A017", "Raum 1.13") == "Nummer A 17, bitte zu Raum 1.13."
    assert room_in("ar", {"de": "Raum 1.13", "en": "Room 1.13"}, "de") == "الغرفة 1.13"
    assert room_in("ar", {"de": "Raum 1.13", "ar": "غرفة ١٫١٣"}, "de") == "غرفة ١٫١٣"
    assert "الرقم A 17" in call_text("ar", "A017", "الغرفة 1.13")


def test_wav_sizes_are_fixed() -> None:
    header = b"RIFF\xff\xff\xff\x7fWAVEfmt " + bytes(20) + b"data\xff\xff\xff\x7f"
    fixed = fix_sizes(header + bytes(100))
    assert int.from_bytes(fixed[4:8], "little") == len(fixed) - 8
    assert int.from_bytes(fixed[40:44], "little") == 100


@needs_engine
async def test_the_call_is_spoken_in_german_and_the_visitors_language(
    h: Harness, display_headers: dict[str, str]
) -> None:
    visit = await called(h, "ar")
    for lang in ("de", "ar"):
        query = {"ticket": visit["ticket"], "desk": "r113", "lang": lang}
        r = await h.client.get(URL, params=query, headers=display_headers)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "audio/wav"
        assert rms(r.content) > 500, f"{lang}: silent"
    speaker = speaker_of_app(h)
    renders = speaker.renders
    r = await h.client.get(
        URL,
        params={"ticket": visit["ticket"], "desk": "r113", "lang": "ar"},
        headers=display_headers,
    )
    assert r.status_code == 200 and speaker.renders == renders  # from the cache


@needs_engine
async def test_only_what_was_called_is_spoken(
    h: Harness, display_headers: dict[str, str], kiosk_headers: dict[str, str]
) -> None:
    visit = await called(h, "ar")
    ticket = visit["ticket"]

    async def get(headers: dict[str, str] | None = None, **query: str) -> Any:
        return await h.client.get(
            URL, params={"ticket": ticket, "desk": "r113", "lang": "de", **query}, headers=headers
        )

    assert (await get()).status_code == 401
    assert (await get(kiosk_headers)).status_code == 403
    # Another desk, a ticket nobody called, a language neither default nor the visitor's.
    assert (await get(display_headers, desk="r112")).json()["code"] == "not_called"
    assert (await get(display_headers, ticket="Z999")).json()["code"] == "not_called"
    assert (await get(display_headers, lang="tr")).json()["code"] == "not_spoken"
    # No free text: anything but a ticket, a desk code and a language is refused.
    for bad in ({"ticket": "hello world"}, {"lang": "de; rm"}, {"desk": "R 1"}):
        r = await get(display_headers, **bad)
        assert r.status_code == 422, bad
    assert (await get(display_headers, desk="nope")).json()["code"] == "unknown_desk"


def speaker_of_app(h: Harness) -> Any:
    class Request:
        app = h.app

    return speaker_of(Request())  # type: ignore[arg-type]


@pytest.fixture
def h(harness: Harness) -> Harness:
    return harness

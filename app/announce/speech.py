"""Spoken calls: the text of a call in a language, and its speech, rendered offline.

Only call texts are ever spoken: the text is built here from a ticket, a room and a
language (`call_text`), never taken from a request. Speech comes from Debian's
`espeak-ng` (offline, all eight kiosk languages) in a subprocess, off the event loop,
at most RENDERS at a time. Each (language, text) is rendered once and kept in memory
(`Speaker`, bounded by bytes, least recently used out); several screens asking for the
same call at once share one render.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import struct
from collections import OrderedDict

log = logging.getLogger("welcome_center.announce")

ENGINE = "espeak-ng"
RENDERS = 2  # subprocesses at a time
TIMEOUT = 10.0  # seconds for one render
CACHE_BYTES = 32 * 1024 * 1024  # ~250 calls of ~3 s each
SPEED = 140  # words per minute: slower than espeak's 175, read in a noisy room

# "Number A 17, please go to Room 1.12": translations should be reviewed by native speakers.
CALL = {
    "de": "Nummer {ticket}, bitte zu {room}.",
    "en": "Number {ticket}, please go to {room}.",
    "ar": "الرقم {ticket}، يرجى التوجه إلى {room}.",
    "uk": "Номер {ticket}, будь ласка, пройдіть до: {room}.",
    "ru": "Номер {ticket}, пожалуйста, пройдите: {room}.",
    "tr": "Numara {ticket}, lütfen şuraya gidin: {room}.",
    "fa": "شماره {ticket}، لطفاً به {room} بروید.",
    "ro": "Numărul {ticket}, vă rugăm să mergeți la {room}.",
}
# Used when a desk's room has no label in the language: the word and the room's number.
ROOM_WORD = {
    "de": "Raum",
    "en": "Room",
    "ar": "الغرفة",
    "uk": "Кімната",
    "ru": "Кабинет",
    "tr": "Oda",
    "fa": "اتاق",
    "ro": "Camera",
}
TICKET = re.compile(r"^([A-Z]{1,3})(\d{1,4})$")
NUMBER = re.compile(r"(\d[\w.\-/]*)\s*$")


class SpeechUnavailable(Exception):
    """The engine is missing or failed: the screen plays its chime without speech."""


def speakable(language: str) -> bool:
    return language.split("-")[0] in CALL


def spoken_ticket(ticket: str) -> str:
    """A017 is said "A 17": the letter, then the number without leading zeros."""
    found = TICKET.match(ticket)
    if not found:
        return ticket
    return f"{found.group(1)} {int(found.group(2))}"


def room_in(language: str, labels: dict[str, str], default: str) -> str:
    """The room's label in the language; else the word for room there with its number."""
    if labels.get(language):
        return labels[language]
    base = labels.get(default) or next(iter(labels.values()), "")
    number = NUMBER.search(base)
    if number and language in ROOM_WORD:
        return f"{ROOM_WORD[language]} {number.group(1)}"
    return labels.get("en") or base


def call_text(language: str, ticket: str, room: str) -> str:
    template = CALL.get(language.split("-")[0], CALL["en"])
    return template.format(ticket=spoken_ticket(ticket), room=room)


class Speaker:
    """Renders call texts to WAV with espeak-ng, once per (language, text)."""

    def __init__(self, engine: str | None = None, max_bytes: int = CACHE_BYTES) -> None:
        self.engine = engine or shutil.which(ENGINE)
        self.max_bytes = max_bytes
        self.cache: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self.size = 0
        self.renders = 0  # subprocesses run (tests: the cache works)
        self._pending: dict[tuple[str, str], asyncio.Future[bytes]] = {}
        self._slots = asyncio.Semaphore(RENDERS)

    @property
    def available(self) -> bool:
        return self.engine is not None

    async def wav(self, language: str, text: str) -> bytes:
        key = (language, text)
        found = self.cache.get(key)
        if found is not None:
            self.cache.move_to_end(key)
            return found
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            data = await self._render(language, text)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: nobody else may be waiting
            raise
        finally:
            self._pending.pop(key, None)
        future.set_result(data)
        self._keep(key, data)
        return data

    def _keep(self, key: tuple[str, str], data: bytes) -> None:
        if len(data) > self.max_bytes:
            return
        self.cache[key] = data
        self.size += len(data)
        while self.size > self.max_bytes:
            _, dropped = self.cache.popitem(last=False)
            self.size -= len(dropped)

    async def _render(self, language: str, text: str) -> bytes:
        if self.engine is None:
            raise SpeechUnavailable(f"{ENGINE} is not installed")
        voice = language.split("-")[0]
        async with self._slots:
            self.renders += 1
            proc = await asyncio.create_subprocess_exec(
                self.engine,
                "-v",
                voice,
                "-s",
                str(SPEED),
                "--stdout",
                "--",  # the text is ours, but never read as an option
                text,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            try:
                out, err = await asyncio.wait_for(proc.communicate(), TIMEOUT)
            except TimeoutError:
                proc.kill()
                await proc.wait()
                raise SpeechUnavailable(f"{ENGINE} took longer than {TIMEOUT} s") from None
        if proc.returncode != 0 or not out.startswith(b"RIFF"):
            detail = err.decode(errors="replace").strip()[:200]
            log.warning("%s failed for %s: %s", ENGINE, voice, detail)
            raise SpeechUnavailable(f"{ENGINE} failed ({proc.returncode}): {detail}")
        return fix_sizes(out)


def fix_sizes(wav: bytes) -> bytes:
    """espeak-ng writes to a pipe, so its header says "unknown length" (0x7ffff…):
    set the RIFF and data sizes to the real ones, which every decoder accepts."""
    at = wav.find(b"data", 12)
    if at < 0:
        return wav
    body = len(wav) - (at + 8)
    return (
        wav[:4]
        + struct.pack("<I", len(wav) - 8)
        + wav[8:at]
        + b"data"
        + struct.pack("<I", body)
        + wav[at + 8 :]
    )

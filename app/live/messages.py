"""What goes over the wire: the envelope of API.md §4, encoded once per event.

The display variant is built from a whitelist: a waiting-room screen is public, so
it gets tickets, rooms, agencies and the language to announce in, nothing else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from app.journal.models import Event

DESK_KEYS = ("desk", "room", "room_labels", "agency", "state")
VISIT_KEYS = ("ticket", "status", "language")
CURRENT_KEYS = ("desk", "room", "room_labels", "agency")


def encode(seq: int, type: str, at: datetime, data: dict[str, Any], tz: tzinfo) -> str:
    body = {"seq": seq, "type": type, "at": at.astimezone(tz).isoformat(), "data": data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def display_visit(visit: dict[str, Any]) -> dict[str, Any]:
    current = visit.get("current") or {}
    out = {key: visit.get(key) for key in VISIT_KEYS}
    out.update({key: current.get(key) for key in CURRENT_KEYS})
    return out


def display_data(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {key: data[key] for key in DESK_KEYS if key in data}
    if isinstance(data.get("visit"), dict):
        out["visit"] = display_visit(data["visit"])
    if isinstance(data.get("freed_desks"), list):
        out["freed_desks"] = [str(code) for code in data["freed_desks"]]
    return out


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One event, encoded for each audience; every socket of a process shares it."""

    seq: int
    visit_id: str | None
    full: str
    display: str
    type: str = ""  # the stream sends a fresh snapshot after `center.configured`

    def text(self, *, redact: bool) -> str:
        return self.display if redact else self.full


def outgoing(event: Event, tz: tzinfo) -> Outgoing:
    data = event.data or {}
    return Outgoing(
        seq=event.seq,
        visit_id=event.visit_id,
        full=encode(event.seq, event.type, event.at, data, tz),
        display=encode(event.seq, event.type, event.at, display_data(data), tz),
        type=event.type,
    )

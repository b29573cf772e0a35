"""What goes over the wire: the envelope of API.md §4, encoded once per event.

The display variant is built from a whitelist: a waiting-room screen is public, so
it gets tickets, rooms, agencies and the language to announce in, nothing else. A desk
gets each event through its agency's compartment (visits.compartments).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.journal.models import Event
from app.kinds import DeskState, EventType
from app.visits.compartments import Viewer, redact_event

Control = Literal["snapshot", "pong"]


class Message(BaseModel):
    """Every socket message: an event, the snapshot a connection starts from, or a pong."""

    seq: int = Field(description="the last event included; events rise by one per center-day")
    type: EventType | Control
    at: datetime
    data: dict[str, Any]


class DisplayVisit(BaseModel):
    """A visit on the public screen: ticket, where to go; nothing personal."""

    ticket: str | None = None
    status: str | None = None
    language: str | None = Field(None, description="to announce the call in")
    desk: str | None = None
    room: str | None = None
    room_labels: dict[str, str] | None = None
    agency: str | None = None


class DisplayEventData(BaseModel):
    """The whitelist of an event's data that a display receives."""

    desk: str | None = None
    room: str | None = None
    room_labels: dict[str, str] | None = None
    agency: str | None = None
    state: DeskState | None = None
    visit: DisplayVisit | None = None
    freed_desks: list[str] | None = None


def encode(
    seq: int, type: EventType | Control, at: datetime, data: dict[str, Any], tz: tzinfo
) -> str:
    return Message(seq=seq, type=type, at=at.astimezone(tz), data=data).model_dump_json()


def display_visit(visit: dict[str, Any]) -> DisplayVisit:
    current = visit.get("current") or {}
    return DisplayVisit(
        ticket=visit.get("ticket"),
        status=visit.get("status"),
        language=visit.get("language"),
        desk=current.get("desk"),
        room=current.get("room"),
        room_labels=current.get("room_labels"),
        agency=current.get("agency"),
    )


def display_data(data: dict[str, Any]) -> dict[str, Any]:
    """Only what the whitelist names, and only what the event has (no nulls added)."""
    out = DisplayEventData(
        desk=data.get("desk"),
        room=data.get("room"),
        room_labels=data.get("room_labels"),
        agency=data.get("agency"),
        state=data.get("state"),
    )
    present = {key for key in ("desk", "room", "room_labels", "agency", "state") if key in data}
    if isinstance(data.get("visit"), dict):
        out.visit = display_visit(data["visit"])
        present.add("visit")
    if isinstance(data.get("freed_desks"), list):
        out.freed_desks = [str(code) for code in data["freed_desks"]]
        present.add("freed_desks")
    return out.model_dump(mode="json", include=present)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One event, encoded for each audience; every socket of a process shares it.

    The display's and the full text are encoded at once. A desk socket gets the event as
    its desk's agency may see it (visits.compartments): encoded lazily, once per agency
    per event, by the first desk socket of that agency to send it; the others reuse it.
    """

    seq: int
    visit_id: str | None
    full: str
    display: str
    type: str = ""  # the stream sends a fresh snapshot after `center.configured`
    at: datetime | None = None
    tz: tzinfo | None = None
    data: dict[str, Any] | None = None  # kept only for events about a visit
    per_agency: dict[str, str] = field(default_factory=dict)

    def text(self, *, redact: bool, agency: str | None = None) -> str:
        if redact:
            return self.display
        if agency is None or self.data is None or self.at is None or self.tz is None:
            return self.full  # the visitor's own channel, or nothing of a visitor
        found = self.per_agency.get(agency)
        if found is None:
            data = redact_event(self.data, Viewer.of_agency(agency))
            kind = EventType(self.type)
            found = self.per_agency[agency] = encode(self.seq, kind, self.at, data, self.tz)
        return found


def outgoing(event: Event, tz: tzinfo) -> Outgoing:
    data = event.data or {}
    return Outgoing(
        seq=event.seq,
        visit_id=event.visit_id,
        full=encode(event.seq, event.type, event.at, data, tz),
        display=encode(event.seq, event.type, event.at, display_data(data), tz),
        type=event.type,
        at=event.at,
        tz=tz,
        data=data if isinstance(data.get("visit"), dict) else None,
    )

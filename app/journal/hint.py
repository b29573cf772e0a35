"""The commit-time hint: "event N of a center-day exists", sent with the writing transaction.

The journal sends it (PostgreSQL NOTIFY inside the transaction); the live bus receives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

CHANNEL = "welcome_events"


@dataclass(frozen=True)
class Hint:
    center_id: int
    day: date
    seq: int

    def encode(self) -> str:
        # NOTIFY payloads must stay under 8000 bytes: ids and a number only.
        return f"{self.center_id}:{self.day.isoformat()}:{self.seq}"

    @classmethod
    def decode(cls, payload: str) -> Hint | None:
        try:
            center, day, seq = payload.split(":")
            return cls(int(center), date.fromisoformat(day), int(seq))
        except ValueError:
            return None

"""What the waiting-room screen adds to its snapshot: waits per agency, the center's options.

Response models only (DisplaySnapshot carries them); display.py computes them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class AgencyWait(BaseModel):
    """One agency present today, as the waiting room sees it."""

    agency: str
    waiting: int = Field(description="visitors with a step for this agency still to be called")
    open_desks: int = Field(description="desks of the agency open now")
    paused_desks: int = Field(description="desks of the agency paused now")
    wait_min: int | None = Field(
        description="a newcomer's wait for this agency, lower end, minutes; "
        "null when no desk of the agency is open: nobody can say"
    )
    wait_max: int | None = Field(description="upper end, minutes; null with wait_min")
    estimated_wait_range: tuple[int, int] | None = Field(
        None,
        description="[wait_min, wait_max]: the calibrated range around a newcomer's wait "
        "(about 80 % of actual waits fall inside, docs/routing.md); null with wait_min",
    )


class AnnounceOptions(BaseModel):
    chime: bool = True
    speak: bool = True
    languages: Literal["visitor", "default"] = "visitor"


class ScreenOptions(BaseModel):
    """The center's screen options (config `center.announce`, `center.display`)."""

    announce: AnnounceOptions = Field(default_factory=AnnounceOptions)
    agency_names: bool = Field(True, description="false: rooms only, no agency names")

"""The per-day statistics rollup: a cache of what the event log says, never a source.

One row per closed center-day: the anonymous visit facts `app.stats.compute.day_facts`
read from that day's log (and the next day's, where consultations ran over midnight).
A row is used only while the facts' version and both days' last seq still match;
otherwise it is read from the log again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class StatsDay(Base):
    __tablename__ = "stats_days"

    center_id: Mapped[int] = mapped_column(
        ForeignKey("centers.id", ondelete="CASCADE"), primary_key=True
    )
    date: Mapped[date] = mapped_column(Date, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    last_seq: Mapped[int] = mapped_column(Integer)  # the day's log when read
    next_seq: Mapped[int] = mapped_column(Integer)  # the next day's log when read
    facts: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

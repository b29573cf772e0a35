"""The append-only event log: one gap-free seq per center-day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.columns import EnumText
from app.db import Base, UTCDateTime
from app.kinds import EventType


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("center_id", "date", "seq"),
        Index("ix_events_visit", "visit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[EventType] = mapped_column(EnumText(EventType, 32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    visit_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    desk: Mapped[str | None] = mapped_column(String(64), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

"""Audit entries: apart from the event log (which holds no personal data), own retention."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_center_at", "center_id", "at"),
        Index("ix_audit_entries_visit", "visit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))  # username (or device name)
    role: Mapped[str] = mapped_column(String(16))
    agency: Mapped[str | None] = mapped_column(String(64), nullable=True)
    desk: Mapped[str | None] = mapped_column(String(64), nullable=True)
    visit_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    ticket: Mapped[str | None] = mapped_column(String(8), nullable=True)
    action: Mapped[str] = mapped_column(String(32))  # read | change | export | ...
    # Which personal fields were read or changed: names only, never their values.
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)

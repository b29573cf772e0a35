"""Joint consultations: a desk serving a visitor asks another agency (or desk) to join."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.columns import EnumText
from app.db import Base, UTCDateTime
from app.kinds import JointStatus


class JointRequest(Base):
    __tablename__ = "joint_requests"
    __table_args__ = (
        Index("ix_joint_requests_center_date_status", "center_id", "date", "status"),
        Index("ix_joint_requests_visit", "visit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    host_desk: Mapped[str] = mapped_column(String(64))
    host_agency: Mapped[str] = mapped_column(String(64))
    agency: Mapped[str] = mapped_column(String(64))  # the agency asked to join
    desk: Mapped[str | None] = mapped_column(String(64), nullable=True)  # a specific desk
    status: Mapped[JointStatus] = mapped_column(EnumText(JointStatus))
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lapses_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The desk that accepted (or declined); its step is in service with the host's.
    answered_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    step_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

"""Visits, their steps (one per need), and check-in idempotency keys."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.columns import EnumText
from app.db import Base, UTCDateTime, utcnow
from app.kinds import HoldReason, StepSource, StepStatus, VisitStatus


class Visit(Base):
    __tablename__ = "visits"
    __table_args__ = (
        UniqueConstraint("center_id", "date", "ticket"),
        Index("ix_visits_center_date_status", "center_id", "date", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    ticket: Mapped[str] = mapped_column(String(8))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[VisitStatus] = mapped_column(EnumText(VisitStatus), default=VisitStatus.WAITING)
    language: Mapped[str] = mapped_column(String(16))
    residence_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    municipality: Mapped[str | None] = mapped_column(String(100), nullable=True)
    age: Mapped[int | None] = mapped_column(Integer, nullable=True)
    leave_by: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    priority_children: Mapped[bool] = mapped_column(Boolean, default=False)
    priority_accessibility: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_share: Mapped[bool] = mapped_column(Boolean, default=False)
    invitation_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    unavailable: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Several agencies handle the case together; the shared note exists only with consent.
    case_conference: Mapped[bool] = mapped_column(Boolean, default=False)
    shared_note: Mapped[str | None] = mapped_column(String(4000), nullable=True)

    steps: Mapped[list[Step]] = relationship(
        back_populates="visit", lazy="raise", order_by="Step.position", cascade="all, delete-orphan"
    )


class Step(Base):
    __tablename__ = "steps"
    __table_args__ = (Index("ix_steps_visit", "visit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    need: Mapped[str] = mapped_column(String(64))
    agency: Mapped[str] = mapped_column(String(64))
    status: Mapped[StepStatus] = mapped_column(EnumText(StepStatus), default=StepStatus.PENDING)
    source: Mapped[StepSource] = mapped_column(EnumText(StepSource), default=StepSource.CHECKIN)
    # When the step last joined its agency's queue: the end of the queue after a no-show.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    desk: Mapped[str | None] = mapped_column(String(64), nullable=True)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    no_shows: Mapped[int] = mapped_column(Integer, default=0)
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    # A joining desk's step in a joint consultation: the host desk, whose room it is in.
    joint_host: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # "Comes back later": not callable while held; keeps queued_at, so it keeps its place.
    held_reason: Mapped[HoldReason | None] = mapped_column(EnumText(HoldReason), nullable=True)
    held_note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A referral: who sent the visitor here, and why (the receiving desk reads it).
    referred_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    referred_by_desk: Mapped[str | None] = mapped_column(String(64), nullable=True)
    referral_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)

    visit: Mapped[Visit] = relationship(back_populates="steps", lazy="raise")


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("center_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    body_hash: Mapped[str] = mapped_column(String(64))
    visit_id: Mapped[str] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

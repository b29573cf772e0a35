"""A center as configured: agencies, needs, desks and consultation days."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.columns import EnumText
from app.db import Base, UTCDateTime, utcnow
from app.kinds import DeskState


class Center(Base):
    __tablename__ = "centers"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    languages: Mapped[list[str]] = mapped_column(JSON)
    municipalities: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    config_hash: Mapped[str] = mapped_column(String(64), default="")
    # center.announce and center.display of the config file (CenterSection.screen);
    # null on a row loaded before they existed: the defaults.
    screen: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agencies: Mapped[list[Agency]] = relationship(
        back_populates="center", lazy="raise", cascade="all, delete-orphan"
    )


class Agency(Base):
    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("center_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[dict[str, str]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer, default=0)

    center: Mapped[Center] = relationship(back_populates="agencies", lazy="raise")


class Need(Base):
    __tablename__ = "needs"
    __table_args__ = (UniqueConstraint("center_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    label: Mapped[dict[str, str]] = mapped_column(JSON)
    minutes: Mapped[int] = mapped_column(Integer)
    # [{"agency": "aa", "when": {"residence_status": [...]}}], first match wins
    served_by: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    before: Mapped[list[str]] = mapped_column(JSON, default=list)
    icon: Mapped[str | None] = mapped_column(String(64), nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Desk(Base):
    __tablename__ = "desks"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"), index=True)
    # Desk URLs carry no center slug, so a code is unique across the installation.
    code: Mapped[str] = mapped_column(String(64), unique=True)
    room: Mapped[dict[str, str]] = mapped_column(JSON)
    agency_code: Mapped[str] = mapped_column(String(64))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[DeskState] = mapped_column(EnumText(DeskState), default=DeskState.CLOSED)
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Day(Base):
    __tablename__ = "days"
    __table_args__ = (UniqueConstraint("center_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"), index=True)
    date: Mapped[date] = mapped_column(Date)
    opens: Mapped[str] = mapped_column(String(5))
    closes: Mapped[str] = mapped_column(String(5))
    agencies: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)  # None = all
    # Where a mobile day is held (a town, an address); None: at the center itself.
    site: Mapped[str | None] = mapped_column(String(200), nullable=True, default=None)
    # A word for the public per language ({de: "...", en: "..."}), on the public day list.
    note: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True, default=None)
    # Called off: kept (so the public list can say so) but not open; the kiosk says closed.
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class DayCounter(Base):
    """Per center-day counters, bumped under the center's write lock: gap-free seq, tickets."""

    __tablename__ = "day_counters"

    center_id: Mapped[int] = mapped_column(
        ForeignKey("centers.id", ondelete="CASCADE"), primary_key=True
    )
    date: Mapped[date] = mapped_column(Date, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_ticket: Mapped[int] = mapped_column(Integer, default=0)


class ConfigLoad(Base):
    """Audit of configuration loads that changed something."""

    __tablename__ = "config_loads"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    config_hash: Mapped[str] = mapped_column(String(64))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)

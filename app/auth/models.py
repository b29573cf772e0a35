"""Staff users, their bearer tokens, and devices (kiosks, displays)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.columns import EnumText
from app.db import Base, UTCDateTime, utcnow
from app.kinds import PrincipalKind


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[PrincipalKind] = mapped_column(EnumText(PrincipalKind))  # admin | staff
    agency_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)


class StaffToken(Base):
    __tablename__ = "staff_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the absolute lifetime
    # The inactivity timeout counts from here (updated at most once a minute).
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Device(Base):
    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("center_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[PrincipalKind] = mapped_column(EnumText(PrincipalKind))  # kiosk | display
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A one-time pairing code (its SHA-256) the device exchanges for its token
    # (app/auth/devices.py); None once used, revoked or never asked for.
    pairing_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    pairing_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

"""Settings from the environment (prefix WELCOME_)."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "var" / "welcome.db"
INSECURE_KEYS = {"", "change-me", "secret", "changeme", "demo"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WELCOME_", extra="ignore")

    database_url: str = f"sqlite+aiosqlite:///{DEFAULT_DB}"
    secret_key: str = ""
    demo: bool = False
    # A plain comma-separated string: pydantic-settings would parse a list as JSON.
    allowed_origins: str = "http://127.0.0.1:8000,http://localhost:8000"
    # A staff session ends this long after sign-in (the absolute lifetime) ...
    staff_token_hours: float = Field(default=12.0, gt=0)
    # ... or after this long without activity. Not 30: a consultation runs 45 minutes
    # without a click at the desk, and the clerk is sitting right there meanwhile.
    staff_idle_minutes: float = Field(default=60.0, gt=0)
    public_url: str = "http://127.0.0.1:8000"
    # Live updates: memory (one process), postgres (LISTEN/NOTIFY), auto picks by URL.
    event_bus: str = Field(default="auto", pattern="^(auto|memory|postgres)$")
    # The audit log (app.audit) is kept this long, apart from visits' personal data:
    # `welcome-center purge` deletes older entries.
    audit_retention_days: int = Field(default=730, ge=1)
    # Visitors' personal data is kept this many days (their answers, notes, tokens); the
    # server purges older days by itself each day at WELCOME_PURGE_AT, the center's local
    # time ("off": only `welcome-center purge` does; app/ops/purge.py).
    retention_days: int = Field(default=30, ge=1)
    purge_at: str = Field(default="03:00", pattern=r"^(off|([01]\d|2[0-3]):[0-5]\d)$")
    # How often a worker checks whether the purge is due.
    purge_check_seconds: float = Field(default=60.0, gt=0)
    # Statistics rollups of closed days are built this many seconds after startup, then
    # when a center's day changes (checked every purge_check_seconds); 0: only by
    # `welcome-center stats-rollup` and queries (app/stats/rollup.py).
    stats_rollup_after: float = Field(default=20.0, ge=0)
    # Messages a socket may fall behind before it is closed and told to resume.
    ws_queue_limit: int = Field(default=256, ge=1)
    # How often the hub checks the log for events whose hint never came (0: never).
    ws_sweep_seconds: float = Field(default=1.0, ge=0)
    # A joint-consultation request nobody answers lapses after this many seconds.
    joint_request_seconds: float = Field(default=120.0, gt=0)
    # How often time-driven changes are checked (lapsed requests, holds that end; 0: never).
    timer_seconds: float = Field(default=2.0, ge=0)
    # Bearer token for Prometheus at /metrics; unset: /metrics answers 404.
    metrics_token: str = ""
    # Request bodies larger than this are refused with 413 (ours are a few hundred bytes).
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For and
    # X-Forwarded-Proto count; empty: the headers are ignored (app/ops/edge.py).
    trusted_proxies: str = ""
    # Check-ins one kiosk device may make, per worker (a `limits` rate: "N/period"); a
    # person at a kiosk needs half a minute at least, a script flooding it far less.
    kiosk_checkins: str = Field(default="60/minute", pattern=r"^\d+ ?(/|per) ?\d* ?\w+$")
    # Log lines: json (one object per line, for a log collector) or text (for people);
    # unset: text in demo mode, json otherwise (app/ops/logs.py).
    log_format: str | None = Field(default=None, pattern="^(json|text)?$")  # "": unset

    @model_validator(mode="after")
    def _refuse_insecure_key(self) -> Settings:
        if not self.demo and (self.secret_key in INSECURE_KEYS or len(self.secret_key) < 16):
            raise ValueError(
                "WELCOME_SECRET_KEY must be set to a random value of at least 16 characters "
                "(only demo mode, WELCOME_DEMO=1, may run without one)"
            )
        return self

    @property
    def signing_key(self) -> bytes:
        """What signs the staff session cookie (app.auth.security.sign_session)."""
        if self.secret_key:
            return self.secret_key.encode()
        # Only demo mode gets here (the validator refuses it otherwise): a fixed key, no
        # weaker than the demo's published passwords, that all workers and restarts share.
        return b"welcome-center demo mode: not secret"

    @property
    def staff_idle(self) -> timedelta:
        return timedelta(minutes=self.staff_idle_minutes)

    @property
    def origins(self) -> set[str]:
        return {o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()}

    @property
    def log_style(self) -> Literal["json", "text"]:
        if self.log_format == "text" or (not self.log_format and self.demo):
            return "text"
        return "json"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def bus_kind(self) -> str:
        if self.event_bus != "auto":
            return self.event_bus
        return "postgres" if self.database_url.startswith("postgresql") else "memory"


@lru_cache
def get_settings() -> Settings:
    return Settings()

"""Every table, imported in one place for Alembic and the test setup."""

from app.audit.models import AuditEntry
from app.auth.models import Device, StaffToken, User
from app.centers.models import Agency, Center, ConfigLoad, Day, DayCounter, Desk, Need
from app.db import Base
from app.desks.models import JointRequest
from app.invitations.models import Invitation
from app.journal.models import Event
from app.stats.models import StatsDay
from app.visits.models import IdempotencyKey, Step, Visit

__all__ = [
    "Agency",
    "AuditEntry",
    "Base",
    "Center",
    "ConfigLoad",
    "Day",
    "DayCounter",
    "Desk",
    "Device",
    "Event",
    "IdempotencyKey",
    "Invitation",
    "JointRequest",
    "Need",
    "StaffToken",
    "StatsDay",
    "Step",
    "User",
    "Visit",
]

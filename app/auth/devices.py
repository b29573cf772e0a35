"""Kiosks and displays set up from the browser: create, pair once, revoke.

A new device gets a one-time pairing code (256 random bits, stored only as its SHA-256,
valid PAIRING_HOURS). The administrator's page shows it once, as a link and a QR code;
the device opens the link, exchanges the code for its token (`pair`) and keeps the
token. The token is made at that moment and handed out once: the server stores only its
hash, the code is spent. Until then the device's stored hash is that of a token nobody
was ever given. A new pairing for an existing device replaces its token when the new
device pairs (the old one is refused from then on).

Revoking deletes the device: its token opens nothing from the next request on, and the
`center.configured` it appends makes every open socket re-read its state, at which the
display channel checks its device again (app/live/ws.py) and closes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEntry
from app.auth.models import Device
from app.auth.principal import Principal
from app.auth.security import hash_token, new_token
from app.centers import changes
from app.centers.models import Center
from app.centers.schema import CODE_RE
from app.errors import Conflict, Invalid, NotAuthenticated, NotFound
from app.kinds import PrincipalKind

PAIRING_HOURS = 24
DEVICE_KINDS = (PrincipalKind.KIOSK, PrincipalKind.DISPLAY)


async def list_devices(session: AsyncSession, center: Center) -> Sequence[Device]:
    rows = await session.scalars(
        select(Device).where(Device.center_id == center.id).order_by(Device.id)
    )
    return rows.all()


async def device_by_name(session: AsyncSession, center: Center, name: str) -> Device:
    device = await session.scalar(
        select(Device).where(Device.center_id == center.id, Device.name == name)
    )
    if device is None:
        raise NotFound(f"unknown device '{name}'", code="unknown_device")
    return device


def check_new(name: str, kind: str) -> PrincipalKind:
    """The config file's rules for a device (DeviceConfig): a code-like name, a kind."""
    if not CODE_RE.match(name):
        raise Invalid("name", f"{name!r} is not a valid code (a-z, 0-9, _, -)", name)
    if kind not in DEVICE_KINDS:
        raise Invalid("kind", f"unknown kind {kind!r} (expected kiosk or display)", kind)
    return PrincipalKind(kind)


async def create_device(
    session: AsyncSession,
    center: Center,
    *,
    name: str,
    kind: str,
    principal: Principal,
    now: datetime,
) -> tuple[Device, str]:
    """The new device and its pairing code (shown once)."""
    device_kind = check_new(name, kind)
    taken = await session.scalar(
        select(Device.id).where(Device.center_id == center.id, Device.name == name)
    )
    if taken is not None:
        raise Conflict(
            f"a device named '{name}' exists already", code="device_exists", field="name"
        )
    code = new_token()
    device = Device(
        center_id=center.id,
        name=name,
        kind=device_kind,
        # A token nobody holds: the device gets its own when it pairs.
        token_hash=hash_token(new_token()),
        pairing_hash=hash_token(code),
        pairing_expires_at=now + timedelta(hours=PAIRING_HOURS),
    )
    session.add(device)
    await session.flush()
    await changes.configured(session, center, now=now, verb="created", kind="devices")
    changes.audit(session, principal, now=now, what=[f"devices.{name}.created", "kind"])
    return device, code


async def new_pairing(
    session: AsyncSession, center: Center, name: str, *, principal: Principal, now: datetime
) -> tuple[Device, str]:
    """A fresh pairing code for an existing device (a replaced tablet); the current token
    keeps working until the new device has paired."""
    device = await device_by_name(session, center, name)
    code = new_token()
    device.pairing_hash = hash_token(code)
    device.pairing_expires_at = now + timedelta(hours=PAIRING_HOURS)
    changes.audit(session, principal, now=now, what=[f"devices.{name}.pairing"])
    return device, code


def invalid_pairing() -> NotAuthenticated:
    return NotAuthenticated(
        "this pairing link is unknown, used or expired: ask for a new one",
        code="pairing_invalid",
    )


async def pair(session: AsyncSession, code: str, *, now: datetime) -> tuple[Device, Center, str]:
    """The device's token for a pairing code; the code is spent, the token given once."""
    device = await session.scalar(select(Device).where(Device.pairing_hash == hash_token(code)))
    if device is None or device.pairing_expires_at is None or device.pairing_expires_at <= now:
        raise invalid_pairing()
    center = await session.get(Center, device.center_id)
    assert center is not None
    token = new_token()
    device.token_hash = hash_token(token)
    device.pairing_hash = None
    device.pairing_expires_at = None
    # A new token: sockets opened with the one before (an old tablet) re-check and close.
    await changes.configured(session, center, now=now, verb="updated", kind="devices")
    session.add(
        AuditEntry(
            center_id=center.id,
            at=now,
            actor=device.name,
            role=device.kind.value,
            action=changes.AUDIT_ACTION,
            fields=[f"devices.{device.name}.paired"],
        )
    )
    return device, center, token


async def revoke_device(
    session: AsyncSession, center: Center, name: str, *, principal: Principal, now: datetime
) -> None:
    device = await device_by_name(session, center, name)
    await session.delete(device)
    await session.flush()
    await changes.configured(session, center, now=now, verb="deleted", kind="devices")
    changes.audit(session, principal, now=now, what=[f"devices.{name}.revoked"])

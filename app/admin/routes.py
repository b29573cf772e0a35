"""The administration API: days, devices, staff, the config export (docs/api.md §11).

Every route is an administrator's of the center in the path (`AdminCenter`: 401, 403,
404, 403 in that order), except the device's own pairing, whose credential is the
one-time code in its body. Bodies are read after those checks; each change is one
write under the center's lock.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import segno
from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from app.admin.schemas import (
    DayBody,
    DayOut,
    DaysOut,
    DeviceBody,
    DeviceCreated,
    DeviceOut,
    Disabled,
    PairBody,
    Paired,
    Pairing,
    PasswordBody,
    PasswordSet,
    StaffList,
    StaffOut,
    UserBody,
    UserCreated,
)
from app.auth import devices as device_service
from app.auth import users as user_service
from app.auth.access import AdminCenter
from app.auth.models import Device, User
from app.auth.security import hash_token
from app.centers import changes
from app.centers import days as day_service
from app.centers.export import export_config
from app.centers.models import Agency, Center, Day
from app.deps import ClockDep, DbDep, json_body_doc, no_content, parse_body
from app.errors import Invalid, problem_responses

router = APIRouter(
    prefix="/api/v1/admin/centers/{slug}",
    tags=["admin"],
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
public = APIRouter(prefix="/api/v1", tags=["devices"], responses=problem_responses(401, 422))
export = APIRouter(prefix="/api/v1/centers", tags=["admin"], responses=problem_responses(401, 403))


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid("date", f"{value!r} is not a date YYYY-MM-DD", value) from None


# ---- days ---------------------------------------------------------------------------------


def _day_out(day: Day, today: date) -> DayOut:
    return DayOut(
        date=day.date,
        opens=day.opens,
        closes=day.closes,
        agencies=day.agencies,
        site=day.site,
        note=day.note,
        cancelled=day.cancelled,
        today=day.date == today,
        past=day.date < today,
    )


@router.get("/days")
async def list_days(
    at: AdminCenter,
    db: DbDep,
    clock: ClockDep,
    past: Annotated[int, Query(ge=0, le=3660, description="days back to include")] = 30,
) -> DaysOut:
    """The center's consultation days from `past` days ago on, cancelled ones included."""
    today = changes.today_of(at.center, clock()).date()
    async with db.read() as session:
        agencies = (
            await session.scalars(
                select(Agency).where(Agency.center_id == at.center.id).order_by(Agency.position)
            )
        ).all()
        rows = await day_service.days_from(session, at.center, day_service.window(today, past))
        calendar = bool(rows) or await day_service.has_calendar(session, at.center)
    return DaysOut(
        today=today,
        agencies=[a.code for a in agencies],
        agency_names={a.code: a.name for a in agencies},
        languages=list(at.center.languages),
        open_every_day=not calendar,
        days=[_day_out(d, today) for d in rows],
    )


def _day_data(body: DayBody) -> dict[str, object]:
    # null and absent mean the same: the config file's default (or "missing").
    return {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}


@router.post("/days", status_code=201, openapi_extra=json_body_doc(DayBody))
async def add_day(request: Request, at: AdminCenter, db: DbDep, clock: ClockDep) -> DayOut:
    body = await parse_body(request, DayBody)
    now = clock()
    async with db.write(at.center.id) as session:
        center = await session.get(Center, at.center.id)
        assert center is not None
        day = await day_service.create_day(
            session, center, _day_data(body), principal=at.principal, now=now
        )
        out = _day_out(day, changes.today_of(center, now).date())
    return out


@router.put("/days/{day}", openapi_extra=json_body_doc(DayBody))
async def change_day(
    day: str, request: Request, at: AdminCenter, db: DbDep, clock: ClockDep
) -> DayOut:
    """Hours, agencies, site and note of a day (today's too: screens reload)."""
    on = _date(day)
    body = await parse_body(request, DayBody)
    now = clock()
    async with db.write(at.center.id) as session:
        center = await session.get(Center, at.center.id)
        assert center is not None
        row = await day_service.change_day(
            session, center, on, _day_data(body), principal=at.principal, now=now
        )
        out = _day_out(row, changes.today_of(center, now).date())
    return out


@router.post("/days/{day}/cancel")
async def cancel_day(day: str, at: AdminCenter, db: DbDep, clock: ClockDep) -> DayOut:
    """Call a day off: the kiosk says the center is closed; 409 while visitors wait today."""
    on = _date(day)
    now = clock()
    async with db.write(at.center.id) as session:
        center = await session.get(Center, at.center.id)
        assert center is not None
        row = await day_service.cancel_day(session, center, on, principal=at.principal, now=now)
        out = _day_out(row, changes.today_of(center, now).date())
    return out


@router.post("/days/{day}/reinstate")
async def reinstate_day(day: str, at: AdminCenter, db: DbDep, clock: ClockDep) -> DayOut:
    """A cancelled day takes place after all."""
    on = _date(day)
    now = clock()
    async with db.write(at.center.id) as session:
        center = await session.get(Center, at.center.id)
        assert center is not None
        row = await day_service.reinstate_day(session, center, on, principal=at.principal, now=now)
        out = _day_out(row, changes.today_of(center, now).date())
    return out


# ---- devices ------------------------------------------------------------------------------


def _device_out(device: Device, now: datetime) -> DeviceOut:
    pending = device.pairing_expires_at is not None and device.pairing_expires_at > now
    return DeviceOut(
        name=device.name,
        kind=device.kind,
        pairing_pending=pending,
        pairing_expires_at=device.pairing_expires_at if pending else None,
    )


def _pairing(request: Request, code: str, expires_at: datetime) -> Pairing:
    # The code rides in the fragment: browsers never send it to a server or a log.
    url = f"{str(request.base_url).rstrip('/')}/pair/#code={code}"
    qr = segno.make(url, error="m")
    return Pairing(
        url=url, expires_at=expires_at, qr_svg=qr.svg_data_uri(scale=5, border=2, dark="#000")
    )


@router.get("/devices")
async def list_devices(at: AdminCenter, db: DbDep, clock: ClockDep) -> list[DeviceOut]:
    now = clock()
    async with db.read() as session:
        rows = await device_service.list_devices(session, at.center)
    return [_device_out(d, now) for d in rows]


@router.post("/devices", status_code=201, openapi_extra=json_body_doc(DeviceBody))
async def add_device(
    request: Request, at: AdminCenter, db: DbDep, clock: ClockDep
) -> DeviceCreated:
    """A kiosk or display: its pairing link and QR code, shown this once."""
    body = await parse_body(request, DeviceBody)
    name, kind = body.name, body.kind
    if not isinstance(name, str) or not name:
        raise Invalid("name", "a name is required")
    if not isinstance(kind, str):
        raise Invalid("kind", "kiosk or display is required")
    now = clock()
    async with db.write(at.center.id) as session:
        center = await session.get(Center, at.center.id)
        assert center is not None
        device, code = await device_service.create_device(
            session, center, name=name, kind=kind, principal=at.principal, now=now
        )
        out = _device_out(device, now)
        expires = device.pairing_expires_at
    assert expires is not None
    return DeviceCreated(device=out, pairing=_pairing(request, code, expires))


@router.post("/devices/{name}/pairing")
async def new_pairing(
    name: str, request: Request, at: AdminCenter, db: DbDep, clock: ClockDep
) -> DeviceCreated:
    """A new pairing link for a device (a replaced tablet); the old token works until used."""
    now = clock()
    async with db.write(at.center.id) as session:
        device, code = await device_service.new_pairing(
            session, at.center, name, principal=at.principal, now=now
        )
        out = _device_out(device, now)
        expires = device.pairing_expires_at
    assert expires is not None
    return DeviceCreated(device=out, pairing=_pairing(request, code, expires))


@router.delete("/devices/{name}", status_code=204, responses=no_content("revoked"))
async def revoke_device(name: str, at: AdminCenter, db: DbDep, clock: ClockDep) -> Response:
    """The device is refused from its next request on; its open sockets close."""
    async with db.write(at.center.id) as session:
        await device_service.revoke_device(
            session, at.center, name, principal=at.principal, now=clock()
        )
    return Response(status_code=204)


@public.post("/devices/pair", openapi_extra=json_body_doc(PairBody))
async def pair_device(request: Request, db: DbDep, clock: ClockDep) -> Paired:
    """A device exchanges its one-time pairing code for its token (given this once)."""
    body = await parse_body(request, PairBody)
    async with db.read() as session:
        found = await session.scalar(
            select(Device.center_id).where(Device.pairing_hash == hash_token(body.code))
        )
    if found is None:  # no write (and no lock) for a guessed or spent code
        raise device_service.invalid_pairing()
    async with db.write(found) as session:
        device, center, token = await device_service.pair(session, body.code, now=clock())
        out = Paired(
            token=token,
            kind=device.kind,
            name=device.name,
            center=center.slug,
            start=f"/{device.kind.value}/?center={center.slug}",
        )
    return out


# ---- staff --------------------------------------------------------------------------------


def _staff_out(user: User, sessions: int) -> StaffOut:
    return StaffOut(
        username=user.username,
        role=user.role,
        agency=user.agency_code,
        enabled=user_service.enabled(user),
        sessions=sessions,
    )


@router.get("/users")
async def list_users(at: AdminCenter, db: DbDep, clock: ClockDep) -> StaffList:
    async with db.read() as session:
        rows = await user_service.list_users(session, at.center, now=clock())
        agencies = (
            await session.scalars(
                select(Agency).where(Agency.center_id == at.center.id).order_by(Agency.position)
            )
        ).all()
    return StaffList(
        roles=list(user_service.roles()),
        agencies=[a.code for a in agencies],
        agency_names={a.code: a.name for a in agencies},
        users=[_staff_out(u, n) for u, n in rows],
    )


async def _new_password(given: object) -> tuple[str, str | None]:
    """(the hash to store, the generated password to show once or None)."""
    if given is None or given == "":
        password = user_service.generate_password()
        return await user_service.hash_off_loop(password), password
    if not isinstance(given, str):
        raise Invalid("password", "must be text")
    user_service.check_password(given)
    return await user_service.hash_off_loop(given), None


@router.post("/users", status_code=201, openapi_extra=json_body_doc(UserBody))
async def add_user(request: Request, at: AdminCenter, db: DbDep, clock: ClockDep) -> UserCreated:
    body = await parse_body(request, UserBody)
    item = user_service.validate_user(body.model_dump(exclude_none=True))
    async with db.read() as session:  # refuse a taken name before spending argon2 on it
        await user_service.check_new_user(session, at.center, item)
    password_hash, shown = await _new_password(body.password)
    async with db.write(at.center.id) as session:
        user = await user_service.create_user(
            session,
            at.center,
            item,
            password_hash=password_hash,
            principal=at.principal,
            now=clock(),
        )
        out = _staff_out(user, 0)
    return UserCreated(user=out, password=shown)


@router.post("/users/{username}/password", openapi_extra=json_body_doc(PasswordBody))
async def reset_password(
    username: str, request: Request, at: AdminCenter, db: DbDep, clock: ClockDep
) -> PasswordSet:
    """A new password (given, or generated and shown once); every session of the user ends."""
    body = await parse_body(request, PasswordBody, empty_ok=True)
    async with db.read() as session:
        await user_service.user_by_name(session, at.center, username)
    password_hash, shown = await _new_password(body.password)
    async with db.write(at.center.id) as session:
        ended = await user_service.set_password(
            session,
            at.center,
            username,
            password_hash=password_hash,
            principal=at.principal,
            now=clock(),
        )
    return PasswordSet(username=username, password=shown, sessions_ended=ended)


@router.post("/users/{username}/disable")
async def disable_user(username: str, at: AdminCenter, db: DbDep, clock: ClockDep) -> Disabled:
    """No sign-in any more (no password) and every session ended; a reset enables again."""
    async with db.write(at.center.id) as session:
        ended = await user_service.disable_user(
            session, at.center, username, principal=at.principal, now=clock()
        )
    return Disabled(username=username, sessions_ended=ended)


# ---- the config file ----------------------------------------------------------------------


@export.get(
    "/{slug}/config.yaml",
    response_class=Response,
    responses={200: {"content": {"application/yaml": {}}, "description": "the center's file"}},
)
async def config_yaml(at: AdminCenter, db: DbDep, clock: ClockDep) -> Response:
    """The center as the YAML `welcome-center load-config` reads (hashes, never secrets)."""
    async with db.read() as session:
        text = await export_config(session, at.center)
    async with db.write() as session:
        changes.audit(session, at.principal, now=clock(), what=["config.exported"])
    return Response(
        text,
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{at.center.slug}.yaml"'},
    )

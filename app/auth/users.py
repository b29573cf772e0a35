"""Staff accounts from the browser: list, create, reset a password, disable.

The config file's rules apply (`UserConfig`: username, role, agency). A password set
here is at least MIN_PASSWORD characters (a generated one is shown once and never
stored in the clear); argon2 runs in a worker thread before the short write, as at
sign-in (app/auth/service.py), so neither the event loop nor the write lock waits for
it. A new password or a disabled account ends every session of the user. Disabled means
no password: the user cannot sign in, and the exported file says so by having none;
a password reset enables the account again.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any, get_args

from anyio import to_thread
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import service
from app.auth.models import StaffToken, User
from app.auth.principal import Principal
from app.auth.security import hash_password
from app.centers import changes
from app.centers.loader import problem_message
from app.centers.models import Agency, Center
from app.centers.schema import UserConfig, format_loc
from app.errors import Conflict, Invalid, NotFound
from app.kinds import PrincipalKind

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
ROLES: tuple[str, ...] = get_args(UserConfig.model_fields["role"].annotation)
# No 0/O, 1/l/I: a generated password is read off a screen and typed elsewhere.
ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_password() -> str:
    """Four groups of four (~93 bits), easy to read aloud and to type."""
    groups = ["".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid("password", f"at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise Invalid("password", f"at most {MAX_PASSWORD} characters")


async def hash_off_loop(password: str) -> str:
    return await to_thread.run_sync(hash_password, password)


async def list_users(
    session: AsyncSession, center: Center, *, now: datetime
) -> list[tuple[User, int]]:
    """The center's users, each with how many sessions they have open."""
    sessions = (
        select(StaffToken.user_id, func.count().label("n"))
        .where(StaffToken.expires_at > now)
        .group_by(StaffToken.user_id)
        .subquery()
    )
    rows = await session.execute(
        select(User, func.coalesce(sessions.c.n, 0))
        .outerjoin(sessions, sessions.c.user_id == User.id)
        .where(User.center_id == center.id)
        .order_by(User.id)
    )
    return [(user, int(n)) for user, n in rows.all()]


def validate_user(data: dict[str, Any]) -> UserConfig:
    """Username, role and agency by the config file's rules (the password is checked apart)."""
    try:
        return UserConfig.model_validate(
            {k: v for k, v in data.items() if k in ("username", "role", "agency")}
        )
    except ValidationError as exc:
        errors = [
            {"field": format_loc(tuple(e["loc"])), "message": problem_message(e)}
            for e in exc.errors(include_url=False)
        ]
        err = Invalid(errors[0]["field"], errors[0]["message"])
        err.extra["errors"] = errors
        raise err from None


async def check_new_user(session: AsyncSession, center: Center, item: UserConfig) -> None:
    if item.agency is not None:
        known = await session.scalar(
            select(Agency.id).where(Agency.center_id == center.id, Agency.code == item.agency)
        )
        if known is None:
            raise Invalid("agency", f"unknown agency {item.agency!r}", item.agency)
    taken = await session.scalar(select(User.id).where(User.username == item.username))
    if taken is not None:
        # Usernames are global (a sign-in names no center): say it is taken, not by whom.
        raise Conflict(
            f"the username '{item.username}' is taken", code="user_exists", field="username"
        )


async def create_user(
    session: AsyncSession,
    center: Center,
    item: UserConfig,
    *,
    password_hash: str,
    principal: Principal,
    now: datetime,
) -> User:
    await check_new_user(session, center, item)
    user = User(
        center_id=center.id,
        username=item.username,
        role=PrincipalKind(item.role),
        agency_code=item.agency,
        password_hash=password_hash,
    )
    session.add(user)
    await session.flush()
    await changes.configured(session, center, now=now, verb="created", kind="users")
    changes.audit(
        session, principal, now=now, what=[f"users.{item.username}.created", "role", "agency"]
    )
    return user


async def user_by_name(session: AsyncSession, center: Center, username: str) -> User:
    user = await session.scalar(select(User).where(User.username == username))
    if user is None or user.center_id != center.id:
        raise NotFound(f"unknown user '{username}'", code="unknown_user")
    return user


async def set_password(
    session: AsyncSession,
    center: Center,
    username: str,
    *,
    password_hash: str,
    principal: Principal,
    now: datetime,
) -> int:
    """The new hash in place, every session ended; how many sessions ended."""
    user = await user_by_name(session, center, username)
    user.password_hash = password_hash
    ended = await service.end_sessions(session, user_id=user.id)
    await changes.configured(session, center, now=now, verb="updated", kind="users")
    changes.audit(session, principal, now=now, what=[f"users.{username}.password_reset"])
    return ended


async def disable_user(
    session: AsyncSession, center: Center, username: str, *, principal: Principal, now: datetime
) -> int:
    user = await user_by_name(session, center, username)
    if user.id == principal.user_id:
        raise Conflict("you cannot disable your own account", code="own_account", field="username")
    ended = await service.end_sessions(session, user_id=user.id)
    if user.password_hash is not None:
        user.password_hash = None
        await changes.configured(session, center, now=now, verb="updated", kind="users")
        changes.audit(session, principal, now=now, what=[f"users.{username}.disabled"])
    return ended


def enabled(user: User) -> bool:
    return user.password_hash is not None


def roles() -> Sequence[str]:
    return ROLES

"""Load a center's YAML configuration: parse with line numbers, then upsert in place.

Loading is idempotent (same file, no writes) and never touches visit history:
visits, steps and events name agencies, needs and desks by code, so configured
rows can be replaced or removed without breaking what happened on past days.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from anyio import to_thread
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.auth.models import Device, StaffToken, User
from app.auth.security import hash_password, hash_token, normalise_token_hash, verify_password
from app.centers.models import Agency, Center, ConfigLoad, Day, Desk, Need
from app.centers.schema import (
    DEFER_CONSISTENCY,
    AgencyConfig,
    CenterConfig,
    ConfigSource,
    DayConfig,
    DeskConfig,
    DeviceConfig,
    Loc,
    NeedConfig,
    Problem,
    UserConfig,
    consistency_problems,
    format_loc,
)
from app.db import Base, Database, utcnow
from app.journal.log import append
from app.kinds import BUSY_STEP, OPEN_STEP, EventType
from app.visits.models import Step, Visit

KINDS = ("center", "agencies", "needs", "desks", "users", "devices", "days")
EVENT_CODES = ("agencies", "needs", "desks", "days")


class ConfigError(Exception):
    """The file was refused; each problem reads `file:line: key.path: what is wrong`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class LoadReport:
    slug: str
    center_id: int = 0
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    deleted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    # Which agencies, needs, desks and days changed (their codes are no secret; users'
    # and devices' names stay out of the event, which every desk reads).
    codes: dict[str, set[str]] = field(default_factory=dict)
    # What loads but reads badly: `file:line: key: …` (a label missing in a language).
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return (
            any(self.created.values()) or any(self.updated.values()) or any(self.deleted.values())
        )

    def __str__(self) -> str:
        return "\n".join([self.describe(), *(f"warning: {w}" for w in self.warnings)])

    def summary(self) -> dict[str, dict[str, int]]:
        return {"created": self.created, "updated": self.updated, "deleted": self.deleted}

    def note(self, verb: dict[str, int], kind: str, key: Any) -> None:
        verb[kind] += 1
        if kind in EVENT_CODES:
            self.codes.setdefault(kind, set()).add(str(key))

    def event_data(self) -> dict[str, Any]:
        """The center.configured payload: counts and codes of what changed, nothing else."""
        data: dict[str, Any] = {
            verb: {kind: n for kind, n in counts.items() if n}
            for verb, counts in self.summary().items()
        }
        data["codes"] = {
            kind: sorted(self.codes[kind]) for kind in EVENT_CODES if kind in self.codes
        }
        return data

    def describe(self) -> str:
        """One line for the command line: `lippe: created 1 center, 12 needs; deleted 1 desks`."""
        groups = []
        for verb, counts in self.summary().items():
            parts = [f"{count} {kind}" for kind, count in counts.items() if count]
            if parts:
                groups.append(f"{verb} {', '.join(parts)}")
        return f"{self.slug}: {'; '.join(groups) if groups else 'unchanged'}"


# ---- parsing ------------------------------------------------------------------------------


def parse_config(text: str, filename: str = "<config>") -> CenterConfig:
    """Validate the whole file and raise ConfigError listing every problem found."""
    tree = _load_yaml(text, filename)
    data = _plain(tree)
    if not isinstance(data, dict):
        raise ConfigError([f"{filename}:1: expected a mapping with center, agencies, needs, ..."])

    def line_of(loc: Loc) -> int:
        return _line_of(tree, loc)

    found: list[Problem] = []
    config: CenterConfig | None = None
    try:
        config = CenterConfig.model_validate(data, context={DEFER_CONSISTENCY: True})
    except ValidationError as exc:
        found += [(tuple(err["loc"]), _message(err)) for err in exc.errors(include_url=False)]
    found += consistency_problems(data)
    if found or config is None:
        raise ConfigError(_format_problems(found, filename, line_of))
    source = ConfigSource(filename, hashlib.sha256(text.encode()).hexdigest(), line_of)
    return config.with_source(source)


class _Constructor(RoundTripConstructor):
    """Round-trip loading, except that dates stay text.

    ruamel turns `2026-13-01` into a bare ValueError without a line; as text, the
    date goes to Pydantic and its error gets a key path and line like any other.
    """


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_scalar)


def _load_yaml(text: str, filename: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = exc.problem or "invalid YAML"
        if exc.context:
            what += f" ({exc.context})"
        raise ConfigError([f"{filename}:{line}: YAML syntax error: {what}"]) from exc
    except (YAMLError, ValueError) as exc:
        raise ConfigError([f"{filename}:1: YAML error: {exc}"]) from exc


def _plain(node: Any) -> Any:
    """ruamel's round-trip types as plain Python, so Pydantic sees ordinary values."""
    if isinstance(node, Mapping):
        return {_plain(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    for kind in (bool, str, int, float):
        if isinstance(node, kind):
            return kind(node)
    return node


def _line_of(tree: Any, loc: Loc) -> int:
    """1-based line of the deepest node on loc that exists in the file."""
    line = getattr(getattr(tree, "lc", None), "line", 0) or 0
    node = tree
    for part in loc:
        position = None
        if isinstance(node, CommentedMap) and part in node:
            position = _safe(partial(node.lc.key, part))
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            position = _safe(partial(node.lc.item, part))
            node = node[part]
        elif part != "[key]":
            break
        if position is not None:
            line = position[0]
    return line + 1


def _safe(get: Callable[[], tuple[int, int]]) -> tuple[int, int] | None:
    # Keys brought in by a YAML merge (<<:) have no position of their own.
    try:
        return get()
    except (KeyError, IndexError, TypeError):
        return None


_MESSAGES = {
    "extra_forbidden": "unknown key",
    "missing": "missing required key",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "dict_type": "expected a mapping",
    "list_type": "expected a list",
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
}


def problem_message(err: ErrorDetails) -> str:
    """A Pydantic error as the config file's refusal words it (the admin API's too)."""
    return _message(err)


def _message(err: ErrorDetails) -> str:
    if err["type"] == "value_error":
        return str(err.get("ctx", {}).get("error", err["msg"]))
    if err["type"] in _MESSAGES:
        return _MESSAGES[err["type"]]
    value = err.get("input")
    shown = f", got {value!r}" if isinstance(value, str | int | float) else ""
    return f"{err['msg'][0].lower()}{err['msg'][1:]}{shown}"


def _format_problems(
    problems: Iterable[Problem], filename: str, line_of: Callable[[Loc], int]
) -> list[str]:
    located = sorted(
        {(line_of(loc), format_loc(loc), msg) for loc, msg in problems},
        key=lambda p: (p[0], p[1]),
    )
    return [
        f"{filename}:{line}: {path}: {msg}" if path else f"{filename}:{line}: {msg}"
        for line, path, msg in located
    ]


def label_warnings(config: CenterConfig) -> list[str]:
    """Visitor-facing names missing in one of the center's languages.

    Agency names, room labels and need labels are shown in the visitor's language;
    a missing one falls back to the default language (the first of `languages`), which
    a visitor may not read. Each warning names the key, its line and the languages.
    """
    default = config.center.default_language
    out: list[str] = []
    sections: list[tuple[str, str, list[Any]]] = [
        ("agencies", "name", [a.name for a in config.agencies]),
        ("needs", "label", [n.label for n in config.needs]),
        ("desks", "room", [d.room for d in config.desks]),
    ]
    for section, key, labels in sections:
        for i, texts in enumerate(labels):
            missing = [lang for lang in config.center.languages if lang not in texts]
            if missing:
                out.append(
                    f"{_where(config, (section, i, key))}: no label in {', '.join(missing)}; "
                    f"visitors reading those see the {default!r} one"
                )
    return out


def _where(config: CenterConfig, loc: Loc) -> str:
    source = config.source
    path = format_loc(loc)
    return f"{source.filename}:{source.line_of(loc)}: {path}" if source else path


# ---- applying -----------------------------------------------------------------------------


async def load_config_file(db: Database, path: str | Path) -> LoadReport:
    """Parse the file, then apply it in one transaction: all of it or nothing."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")  # OSError (no such file) propagates as is
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{path.name}: not UTF-8 text: {exc.reason}"]) from exc
    config = parse_config(text, path.name)
    async with db.read() as session:
        center_id = await session.scalar(select(Center.id).where(Center.slug == config.center.slug))
        stored = await _stored_hashes(session, config)
    # argon2 (~50 ms a user) runs in threads before the write: neither the event loop
    # nor the write lock waits for it.
    passwords = await hash_passwords(config, stored)
    async with db.write(center_id) as session:
        return await apply_config(session, config, passwords=passwords)


async def apply_config(
    session: AsyncSession,
    config: CenterConfig,
    *,
    passwords: Passwords | None = None,
    now: datetime | None = None,
) -> LoadReport:
    """Make the database match the config; the caller commits.

    `passwords` are the users' hashes computed before the transaction (hash_passwords);
    without them they are computed here, in threads but inside the caller's transaction.
    A change to an existing center appends `center.configured` to its current day, so
    open screens reload; a new center has no day anyone could be watching yet.
    """
    if passwords is None:
        passwords = await hash_passwords(config, await _stored_hashes(session, config))
    now = now or utcnow()
    report = LoadReport(slug=config.center.slug, warnings=label_warnings(config))
    center = await session.scalar(select(Center).where(Center.slug == config.center.slug))
    # Checked before anything is added, so a refused file leaves the session clean.
    await _refuse_foreign_owners(session, config, center.id if center else None)
    # The day screens are on now: in the timezone its visits were dated in.
    today = now.astimezone(ZoneInfo(center.timezone)).date() if center else None
    if center is not None and today is not None:
        await _refuse_busy_desks(session, config, center.id, today)
        await _refuse_agencies_in_use(session, config, center.id, today)
    center = await _upsert_center(session, config, center, report)
    report.center_id = center.id
    await _sync_all(session, config, center.id, report, passwords)
    if report.changed:
        digest = config.source.sha256 if config.source else _config_digest(config)
        center.config_hash = digest
        center.updated_at = now
        session.add(ConfigLoad(center_id=center.id, config_hash=digest, summary=report.summary()))
        await session.flush()
        if today is not None:
            await append(
                session,
                center_id=center.id,
                day=today,
                type=EventType.CENTER_CONFIGURED,
                at=now,
                data=report.event_data(),
            )
    return report


async def ensure_day(
    session: AsyncSession, *, center_id: int, day: date, opens: str = "08:00", closes: str = "18:00"
) -> bool:
    """Add a consultation day with every agency unless the date has one already."""
    exists = await session.scalar(select(Day.id).where(Day.center_id == center_id, Day.date == day))
    if exists is not None:
        return False
    session.add(Day(center_id=center_id, date=day, opens=opens, closes=closes, agencies=None))
    await session.flush()
    return True


def _config_digest(config: CenterConfig) -> str:
    return hashlib.sha256(config.model_dump_json().encode()).hexdigest()


async def _upsert_center(
    session: AsyncSession, config: CenterConfig, center: Center | None, report: LoadReport
) -> Center:
    values = {
        "name": config.center.name,
        "timezone": config.center.timezone,
        "languages": config.center.languages,
        "municipalities": config.center.municipalities,
        "screen": config.center.screen(),
    }
    if center is None:
        center = Center(slug=config.center.slug, config_hash="", **values)
        session.add(center)
        await session.flush()
        report.note(report.created, "center", center.slug)
    elif _assign(center, values):
        report.note(report.updated, "center", center.slug)
    return center


def _assign(row: Base, values: Mapping[str, Any]) -> bool:
    """Set only what differs, so an unchanged file leaves rows (and their versions) alone."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


async def _refuse_foreign_owners(
    session: AsyncSession, config: CenterConfig, center_id: int | None
) -> None:
    """Desk codes, usernames and device tokens are global: desk URLs and logins name no center."""
    desks = [(("desks", i, "code"), d.code) for i, d in enumerate(config.desks)]
    users = [(("users", i, "username"), u.username) for i, u in enumerate(config.users)]
    devices = [(_token_loc(d, i), _device_hash(d)) for i, d in enumerate(config.devices)]
    problems: list[str] = []
    for column, wanted, what in (
        (Desk.code, desks, "desk code {!r}"),
        (User.username, users, "username {!r}"),
        (Device.token_hash, devices, "this device token"),  # never echo a secret's hash
    ):
        owners = await _foreign_owners(session, column, center_id, [v for _, v in wanted])
        problems += [
            f"{_where(config, loc)}: {what.format(value)} is already used by center {owner!r}"
            for loc, value in wanted
            if (owner := owners.get(value))
        ]
    if problems:
        raise ConfigError(problems)


async def _refuse_busy_desks(
    session: AsyncSession, config: CenterConfig, center_id: int, today: date
) -> None:
    """A desk serving someone now may be neither removed nor handed to another agency.

    Its visitor would be left called to a desk that no longer exists, or the desk would
    finish a consultation for an agency it no longer belongs to.
    """
    wanted = {d.code: (i, d) for i, d in enumerate(config.desks)}
    desks = await session.scalars(select(Desk).where(Desk.center_id == center_id))
    changing: dict[str, tuple[Loc, str]] = {}
    for desk in desks:
        if desk.code not in wanted:
            changing[desk.code] = (("desks",), f"desk {desk.code!r} is removed")
        elif wanted[desk.code][1].agency != desk.agency_code:
            index, item = wanted[desk.code]
            what = f"desk {desk.code!r} moves from {desk.agency_code!r} to {item.agency!r}"
            changing[desk.code] = (("desks", index, "agency"), what)
    if not changing:
        return
    busy = await session.execute(
        select(Step.desk, Visit.ticket, Step.status)
        .join(Visit, Visit.id == Step.visit_id)
        .where(
            Visit.center_id == center_id,
            Visit.date == today,
            Step.desk.in_(changing),
            Step.status.in_(BUSY_STEP),
        )
        .order_by(Step.desk)
    )
    problems = [
        f"{_where(config, changing[code][0])}: {changing[code][1]} while it serves "
        f"{ticket} ({status}); finish or no-show that visitor first, then load again"
        for code, ticket, status in busy.all()
        if code is not None
    ]
    if problems:
        raise ConfigError(problems)


async def _refuse_agencies_in_use(
    session: AsyncSession, config: CenterConfig, center_id: int, today: date
) -> None:
    """An agency that visitors still wait for today (or sit with) may not be removed.

    Their steps would stay open for an agency no desk can serve: they would wait for
    nothing, and the display would count them.
    """
    wanted = {a.code for a in config.agencies}
    removed = (
        set((await session.scalars(select(Agency.code).where(Agency.center_id == center_id))).all())
        - wanted
    )
    if not removed:
        return
    rows = await session.execute(
        select(Step.agency, Visit.ticket)
        .join(Visit, Visit.id == Step.visit_id)
        .where(
            Visit.center_id == center_id,
            Visit.date == today,
            Step.agency.in_(removed),
            Step.status.in_(OPEN_STEP),
        )
        .order_by(Step.agency, Visit.ticket)
    )
    waiting: dict[str, list[str]] = {}
    for agency, ticket in rows.all():
        waiting.setdefault(agency, []).append(ticket)
    problems = [
        f"{_where(config, ('agencies',))}: agency {agency!r} is removed while "
        f"{', '.join(tickets)} still wait for it today; serve or cancel them first, "
        "then load again"
        for agency, tickets in waiting.items()
    ]
    if problems:
        raise ConfigError(problems)


async def _foreign_owners(
    session: AsyncSession,
    column: InstrumentedAttribute[str],
    center_id: int | None,
    values: list[str],
) -> dict[str, str]:
    if not values:
        return {}
    model = column.class_
    query = select(column, Center.slug).join(Center, Center.id == model.center_id)
    query = query.where(column.in_(values))
    if center_id is not None:
        query = query.where(model.center_id != center_id)
    rows = await session.execute(query)
    return {value: slug for value, slug in rows.all()}


Build = Callable[[Any, Any], dict[str, Any]]


@dataclass(frozen=True)
class _Plan:
    """One configured table: rows keyed by `key` within the center, wanted as `items`."""

    kind: str
    model: Any
    key: str
    items: list[tuple[Any, Any]]  # (key value, config entry), in file order
    build: Build  # (config entry, existing row or None) -> column values


def _plans(config: CenterConfig, passwords: Passwords) -> list[_Plan]:
    def user_values(item: UserConfig, row: User | None) -> dict[str, Any]:
        return _user_values(item, row, passwords)

    return [
        _Plan("agencies", Agency, "code", [(a.code, a) for a in config.agencies], _agency_values),
        _Plan("needs", Need, "code", [(n.code, n) for n in config.needs], _need_values),
        _Plan("desks", Desk, "code", [(d.code, d) for d in config.desks], _desk_values),
        _Plan("days", Day, "date", [(d.date, d) for d in config.days], day_values),
        _Plan("users", User, "username", [(u.username, u) for u in config.users], user_values),
        _Plan("devices", Device, "name", [(d.name, d) for d in config.devices], _device_values),
    ]


async def _sync_all(
    session: AsyncSession,
    config: CenterConfig,
    center_id: int,
    report: LoadReport,
    passwords: Passwords,
) -> None:
    plans = _plans(config, passwords)
    existing = {plan.kind: await _rows(session, plan, center_id) for plan in plans}
    # Deletes go first: a unit of work inserts before it deletes, and a new row may
    # reuse a unique value (a device token) that a removed row still holds.
    for plan in plans:
        await _delete_missing(session, plan, existing[plan.kind], report)
    await session.flush()
    for plan in plans:
        await _upsert(session, plan, center_id, existing[plan.kind], report)
    await session.flush()


async def _rows(session: AsyncSession, plan: _Plan, center_id: int) -> dict[Any, Any]:
    result: Any = await session.scalars(select(plan.model).where(plan.model.center_id == center_id))
    return {getattr(row, plan.key): row for row in result}


async def _delete_missing(
    session: AsyncSession, plan: _Plan, existing: dict[Any, Any], report: LoadReport
) -> None:
    wanted = {key for key, _ in plan.items}
    for key, row in existing.items():
        if key not in wanted:
            await session.delete(row)
            report.note(report.deleted, plan.kind, key)


async def _upsert(
    session: AsyncSession,
    plan: _Plan,
    center_id: int,
    existing: dict[Any, Any],
    report: LoadReport,
) -> None:
    ordered = "position" in plan.model.__table__.columns
    for position, (key, item) in enumerate(plan.items):
        row = existing.get(key)
        values = plan.build(item, row) | ({"position": position} if ordered else {})
        if row is None:
            session.add(plan.model(center_id=center_id, **{plan.key: key}, **values))
            report.note(report.created, plan.kind, key)
        elif _assign(row, values):
            report.note(report.updated, plan.kind, key)
            if isinstance(row, User):
                await _revoke_tokens(session, row)


async def _revoke_tokens(session: AsyncSession, user: User) -> None:
    # A new password, role or agency in the file should not leave old sessions running.
    await session.execute(delete(StaffToken).where(StaffToken.user_id == user.id))


def _agency_values(item: AgencyConfig, _row: Agency | None) -> dict[str, Any]:
    return {"name": item.name}


def _need_values(item: NeedConfig, _row: Need | None) -> dict[str, Any]:
    return {
        "label": item.label,
        "minutes": item.minutes,
        "served_by": [entry.model_dump(exclude_none=True) for entry in item.served_by],
        "before": item.before,
        "icon": item.icon,
    }


def _desk_values(item: DeskConfig, _row: Desk | None) -> dict[str, Any]:
    return {"room": item.room, "agency_code": item.agency, "languages": item.languages}


def day_values(item: DayConfig, _row: Day | None = None) -> dict[str, Any]:
    """A day's columns from its configuration (the administration pages use them too)."""
    return {
        "opens": item.opens,
        "closes": item.closes,
        "agencies": item.agencies,
        "site": item.site,
        "note": item.note,
        "cancelled": item.cancelled,
    }


def _user_values(item: UserConfig, row: User | None, passwords: Passwords) -> dict[str, Any]:
    stored = row.password_hash if row else None
    seen, computed = passwords.get(item.username, (None, None))
    if item.username in passwords and seen == stored:
        password_hash = computed
    else:  # the row changed since hash_passwords read it (a concurrent load): redo it here
        password_hash = _password_hash(item, stored)
    return {"role": item.role, "agency_code": item.agency, "password_hash": password_hash}


# username -> (the stored hash it was computed against, the hash to store)
Passwords = dict[str, tuple[str | None, str | None]]


async def _stored_hashes(session: AsyncSession, config: CenterConfig) -> dict[str, str | None]:
    names = [u.username for u in config.users if u.password is not None]
    if not names:
        return {}
    rows = await session.execute(
        select(User.username, User.password_hash).where(User.username.in_(names))
    )
    return {name: password_hash for name, password_hash in rows.all()}


async def hash_passwords(config: CenterConfig, stored: dict[str, str | None]) -> Passwords:
    """Each plain password's hash, computed in a worker thread (argon2 is slow on purpose)."""
    out: Passwords = {}
    for item in config.users:
        if item.password is not None and item.password_hash is None:
            seen = stored.get(item.username)
            out[item.username] = (seen, await to_thread.run_sync(_password_hash, item, seen))
    return out


def _password_hash(item: UserConfig, stored: str | None) -> str | None:
    if item.password_hash is not None:
        return item.password_hash
    if item.password is None:
        return None  # no password: the user cannot log in
    # Rehashing would give a new salt and so a "change" on every load.
    if stored and verify_password(stored, item.password):
        return stored
    return hash_password(item.password)


def _device_values(item: DeviceConfig, _row: Device | None) -> dict[str, Any]:
    return {"kind": item.kind, "token_hash": _device_hash(item)}


def _device_hash(item: DeviceConfig) -> str:
    if item.token is not None:
        return hash_token(item.token)
    return normalise_token_hash(item.token_hash or "")


def _token_loc(item: DeviceConfig, index: int) -> Loc:
    return ("devices", index, "token" if item.token is not None else "token_hash")

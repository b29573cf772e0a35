"""The center configuration file (API.md §1) as Pydantic models.

Field-level checks live on the models; checks that need the whole file (references
between sections, duplicates, the default language) live in `consistency_problems`,
which works on the raw parsed YAML so that it can report alongside field errors
instead of only after the whole file validated.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from app.auth.security import hash_token, is_password_hash, normalise_token_hash
from app.routing.rules import RESIDENCE_STATUSES

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]

# Context flag for model_validate: the loader reports reference problems itself,
# with line numbers, so the model must not raise them a second time without lines.
DEFER_CONSISTENCY = "defer_consistency"

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")
TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TOKEN_HASH_RE = re.compile(r"^(sha256:)?[0-9a-fA-F]{64}$")
MIN_TOKEN_LENGTH = 16


def _pattern(regex: re.Pattern[str], what: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not regex.match(value):
            raise ValueError(f"{value!r} is not a valid {what}")
        return value

    return check


def _check_timezone(value: str) -> str:
    if value not in _timezones():
        raise ValueError(f"unknown timezone {value!r} (expected an IANA name like Europe/Berlin)")
    return value


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _check_residence_status(value: str) -> str:
    if value not in RESIDENCE_STATUSES:
        raise ValueError(
            f"unknown residence_status {value!r} (expected one of {', '.join(RESIDENCE_STATUSES)})"
        )
    return value


def _check_time(value: str) -> str:
    """HH:MM local time; a single-digit hour is padded so stored times sort as text."""
    match = TIME_RE.match(value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"{value!r} is not a time of day HH:MM between 00:00 and 23:59")
    return f"{int(match[1]):02d}:{match[2]}"


def _check_date(value: Any) -> Any:
    # Pydantic would read a bare number as a Unix timestamp; a config wants a calendar date.
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
        raise ValueError(f"{value!r} is not a date YYYY-MM-DD")
    if isinstance(value, str) and not DATE_RE.match(value):
        raise ValueError(f"{value!r} is not a date YYYY-MM-DD")
    return value


def _check_password_hash(value: str) -> str:
    if not is_password_hash(value):
        raise ValueError("password_hash must be an argon2 hash ($argon2id$...)")
    return value


def _unique(values: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{value!r} is listed twice")
        seen.add(value)
    return values


def _none_is_empty(value: Any) -> Any:
    # `users:` with every entry commented out parses as None; that means "none".
    return [] if value is None else value


Text = Annotated[str, Field(min_length=1, max_length=200)]
Slug = Annotated[str, AfterValidator(_pattern(SLUG_RE, "slug (a-z, 0-9, -)"))]
Code = Annotated[str, AfterValidator(_pattern(CODE_RE, "code (a-z, 0-9, _, -)"))]
Username = Annotated[str, AfterValidator(_pattern(USERNAME_RE, "username"))]
Language = Annotated[str, AfterValidator(_pattern(LANGUAGE_RE, "language code (like de, en)"))]
Timezone = Annotated[str, AfterValidator(_check_timezone)]
ResidenceStatus = Annotated[str, AfterValidator(_check_residence_status)]
TimeOfDay = Annotated[str, AfterValidator(_check_time)]
Labels = Annotated[dict[Language, Text], Field(min_length=1)]
Age = Annotated[int, Field(strict=True, ge=0, le=120)]
EmptyIfNone = BeforeValidator(_none_is_empty)


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


StrictBool = Annotated[bool, Field(strict=True)]


class AnnounceConfig(StrictModel):
    """How the waiting-room screen announces a call (`center.announce`)."""

    chime: StrictBool = True
    speak: StrictBool = True  # a spoken call, rendered on the server (espeak-ng)
    # visitor: in the default language, then in the visitor's; default: only the default.
    languages: Literal["visitor", "default"] = "visitor"


class DisplayConfig(StrictModel):
    """What the waiting-room screen shows (`center.display`)."""

    agency_names: StrictBool = True  # false: rooms only, no agency names on the screen


class CenterSection(StrictModel):
    slug: Slug
    name: Text
    timezone: Timezone
    languages: Annotated[list[Language], Field(min_length=1), AfterValidator(_unique)]
    municipalities: (
        Annotated[
            list[Annotated[str, Field(min_length=1, max_length=100)]],
            Field(min_length=1),
            AfterValidator(_unique),
        ]
        | None
    ) = None
    announce: AnnounceConfig = Field(default_factory=AnnounceConfig)
    display: DisplayConfig = Field(default_factory=DisplayConfig)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def screen(self) -> dict[str, Any]:
        """The screen options as the center row keeps them (`Center.screen`)."""
        return {"announce": self.announce.model_dump(), "display": self.display.model_dump()}


class Condition(StrictModel):
    """A `when:` test; every key given must hold (rules.matches)."""

    residence_status: (
        Annotated[list[ResidenceStatus], Field(min_length=1), AfterValidator(_unique)] | None
    ) = None
    municipality: (
        Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)] | None
    ) = None
    age_min: Age | None = None
    age_max: Age | None = None
    language: Annotated[list[Language], Field(min_length=1), AfterValidator(_unique)] | None = None

    @field_validator("age_max")
    @classmethod
    def _not_below_min(cls, value: int | None, info: ValidationInfo) -> int | None:
        age_min = info.data.get("age_min")
        if value is not None and age_min is not None and value < age_min:
            raise ValueError(f"age_max {value} is below age_min {age_min}")
        return value


class ServedBy(StrictModel):
    agency: Code
    when: Condition | None = None


class AgencyConfig(StrictModel):
    code: Code
    name: Labels


class NeedConfig(StrictModel):
    code: Code
    label: Labels
    minutes: Annotated[int, Field(strict=True, gt=0)]
    served_by: Annotated[list[ServedBy], Field(min_length=1)]
    before: Annotated[list[Code], EmptyIfNone, AfterValidator(_unique)] = []
    icon: Annotated[str, AfterValidator(_pattern(CODE_RE, "icon name"))] | None = None


class DeskConfig(StrictModel):
    code: Code
    room: Labels
    agency: Code
    languages: Annotated[list[Language], EmptyIfNone, AfterValidator(_unique)] = []


class UserConfig(StrictModel):
    username: Username
    role: Literal["admin", "staff", "lead"]
    agency: Code | None = Field(default=None, validate_default=True)
    password: Annotated[str, Field(min_length=1)] | None = None
    password_hash: Annotated[str, AfterValidator(_check_password_hash)] | None = Field(
        default=None, validate_default=True
    )

    @field_validator("agency")
    @classmethod
    def _staff_need_agency(cls, value: str | None, info: ValidationInfo) -> str | None:
        role = info.data.get("role")
        if value is None and role == "staff":
            raise ValueError("a staff user needs an agency")
        if value is not None and role == "lead":
            # A lead reads the whole center and works at no desk: an agency would suggest
            # a narrower view (or desk work) that the product does not give.
            raise ValueError("a lead belongs to the center, not to an agency")
        return value

    @field_validator("password_hash")
    @classmethod
    def _one_secret(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("password") is not None:
            raise ValueError("give either password or password_hash, not both")
        return value


class DeviceConfig(StrictModel):
    name: Code
    kind: Literal["kiosk", "display"]
    token: Annotated[str, Field(min_length=MIN_TOKEN_LENGTH)] | None = None
    token_hash: (
        Annotated[str, AfterValidator(_pattern(TOKEN_HASH_RE, "token_hash (sha256:<64 hex>)"))]
        | None
    ) = Field(default=None, validate_default=True)

    @field_validator("token_hash")
    @classmethod
    def _exactly_one_secret(cls, value: str | None, info: ValidationInfo) -> str | None:
        has_token = info.data.get("token") is not None
        if value is not None and has_token:
            raise ValueError("give either token or token_hash, not both")
        # A token that failed its own check is already reported; do not pile on.
        if value is None and not has_token and "token" in info.data:
            raise ValueError("a device needs a token or a token_hash")
        return value


PublicNote = Annotated[
    dict[Language, Annotated[str, Field(min_length=1, max_length=500)]], Field(min_length=1)
]


class DayConfig(StrictModel):
    date: Annotated[dt.date, BeforeValidator(_check_date)]
    opens: TimeOfDay
    closes: TimeOfDay
    agencies: Annotated[list[Code], Field(min_length=1), AfterValidator(_unique)] | None = None
    # A mobile day's town or address (docs/api.md: additions to the file); none: the center.
    site: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    # For the public day list, per language; needs the center's default language.
    note: PublicNote | None = None
    # Called off: the kiosk says the center is closed; the public list says cancelled.
    cancelled: StrictBool = False

    @field_validator("closes")
    @classmethod
    def _after_opening(cls, value: str, info: ValidationInfo) -> str:
        opens = info.data.get("opens")
        if opens is not None and value <= opens:
            raise ValueError(f"closes {value} is not after opens {opens}")
        return value


@dataclass(frozen=True)
class ConfigSource:
    """Where a parsed config came from, so later errors can still name file and line."""

    filename: str
    sha256: str
    line_of: Callable[[Loc], int]


class CenterConfig(StrictModel):
    center: CenterSection
    agencies: Annotated[list[AgencyConfig], Field(min_length=1)]
    needs: Annotated[list[NeedConfig], EmptyIfNone] = []
    desks: Annotated[list[DeskConfig], EmptyIfNone] = []
    users: Annotated[list[UserConfig], EmptyIfNone] = []
    devices: Annotated[list[DeviceConfig], EmptyIfNone] = []
    days: Annotated[list[DayConfig], EmptyIfNone] = []

    _source: ConfigSource | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> CenterConfig:
        if info.context and info.context.get(DEFER_CONSISTENCY):
            return self
        problems = consistency_problems(self.model_dump())
        if problems:
            raise ValueError("; ".join(f"{format_loc(loc)}: {msg}" for loc, msg in problems))
        return self

    @property
    def source(self) -> ConfigSource | None:
        return self._source

    def with_source(self, source: ConfigSource) -> CenterConfig:
        self._source = source
        return self


def format_loc(loc: Loc) -> str:
    """('needs', 1, 'served_by', 0, 'agency') -> 'needs[1].served_by[0].agency'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part != "[key]":  # Pydantic marks errors in a dict's key this way
            out += f".{part}" if out else str(part)
    return out


# ---- whole-file consistency, on raw data -------------------------------------------------
# Works on whatever the YAML gave: wrong types are Pydantic's to report, so every
# helper here skips what it cannot read instead of failing.


def consistency_problems(data: Mapping[str, Any]) -> list[Problem]:
    raw_center = data.get("center")
    center: Mapping[str, Any] = raw_center if isinstance(raw_center, Mapping) else {}
    problems: list[Problem] = []
    agencies = _codes(data, "agencies", "code", "agency code", problems)
    needs = _codes(data, "needs", "code", "need code", problems)
    _codes(data, "desks", "code", "desk code", problems)
    _codes(data, "users", "username", "username", problems)
    _codes(data, "devices", "name", "device name", problems)
    _codes(data, "days", "date", "date", problems)
    problems += _default_labels(data, _default_language(center))
    problems += _need_references(data, agencies, needs, center)
    problems += _before_cycles(data)
    problems += _agency_references(data, agencies)
    problems += _duplicate_tokens(data)
    return problems


def _items(data: Mapping[str, Any], section: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    entries = data.get(section)
    if isinstance(entries, list):
        for i, entry in enumerate(entries):
            if isinstance(entry, Mapping):
                yield i, entry


def _strings(value: Any) -> Iterator[tuple[int, str]]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                yield i, item


def _codes(
    data: Mapping[str, Any], section: str, key: str, what: str, problems: list[Problem]
) -> set[str]:
    """The section's keys; a repeated key is a problem at its second occurrence."""
    first: dict[str, int] = {}
    for i, entry in _items(data, section):
        value = entry.get(key)
        if not isinstance(value, str | dt.date):
            continue
        text = str(value)
        if text in first:
            problems.append(
                ((section, i, key), f"duplicate {what} {text!r} (also {section}[{first[text]}])")
            )
        else:
            first[text] = i
    return set(first)


def _default_language(center: Mapping[str, Any]) -> str | None:
    languages = center.get("languages")
    if isinstance(languages, list) and languages and isinstance(languages[0], str):
        return languages[0]
    return None


def _default_labels(data: Mapping[str, Any], default: str | None) -> list[Problem]:
    if default is None:
        return []
    problems: list[Problem] = []
    for section, key in (
        ("agencies", "name"),
        ("needs", "label"),
        ("desks", "room"),
        ("days", "note"),
    ):
        for i, entry in _items(data, section):
            labels = entry.get(key)
            if isinstance(labels, Mapping) and default not in labels:
                problems.append(((section, i, key), f"missing the default language {default!r}"))
    return problems


def _need_references(
    data: Mapping[str, Any], agencies: set[str], needs: set[str], center: Mapping[str, Any]
) -> list[Problem]:
    problems: list[Problem] = []
    for i, need in _items(data, "needs"):
        for j, entry in _items(need, "served_by"):
            loc = ("needs", i, "served_by", j)
            agency = entry.get("agency")
            if isinstance(agency, str) and agency not in agencies:
                problems.append(((*loc, "agency"), f"unknown agency {agency!r}"))
            if isinstance(entry.get("when"), Mapping):
                problems += _condition_problems(entry["when"], (*loc, "when"), center)
        for k, other in _strings(need.get("before")):
            loc = ("needs", i, "before", k)
            if other == need.get("code"):
                problems.append((loc, f"need {other!r} cannot come before itself"))
            elif other not in needs:
                problems.append((loc, f"unknown need {other!r}"))
    return problems


def _condition_problems(
    when: Mapping[str, Any], loc: Loc, center: Mapping[str, Any]
) -> list[Problem]:
    problems: list[Problem] = []
    towns = center.get("municipalities")
    if isinstance(towns, list):
        known = {t.casefold() for t in towns if isinstance(t, str)}
        for k, town in _strings(when.get("municipality")):
            if town.casefold() not in known:
                problems.append(
                    (
                        (*loc, "municipality", k),
                        f"unknown municipality {town!r}: not in center.municipalities",
                    )
                )
    languages = center.get("languages")
    if isinstance(languages, list):
        for k, language in _strings(when.get("language")):
            # A visitor can only choose a center language, so any other never matches.
            if language not in languages:
                problems.append(
                    ((*loc, "language", k), f"language {language!r} is not in center.languages")
                )
    return problems


def _before_graph(data: Mapping[str, Any]) -> dict[str, tuple[int, list[tuple[int, str]]]]:
    graph: dict[str, tuple[int, list[tuple[int, str]]]] = {}
    for i, need in _items(data, "needs"):
        code = need.get("code")
        if isinstance(code, str) and code not in graph:
            graph[code] = (i, list(_strings(need.get("before"))))
    return graph


def _before_cycles(data: Mapping[str, Any]) -> list[Problem]:
    """A cycle in `before` would make every need in it wait for another: nobody is called."""
    graph = _before_graph(data)
    problems: list[Problem] = []
    done: set[str] = set()

    def visit(code: str, path: list[str]) -> None:
        index, edges = graph[code]
        for k, other in edges:
            if other == code or other not in graph or other in done:
                continue  # self-references and unknown needs are reported elsewhere
            if other in path:
                cycle = [*path[path.index(other) :], code, other]
                problems.append(
                    (("needs", index, "before", k), f"before forms a cycle: {' -> '.join(cycle)}")
                )
            else:
                visit(other, [*path, code])
        done.add(code)

    for code in graph:
        if code not in done:
            visit(code, [])
    return problems


def _agency_references(data: Mapping[str, Any], agencies: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    for section in ("desks", "users"):
        for i, entry in _items(data, section):
            agency = entry.get("agency")
            if isinstance(agency, str) and agency not in agencies:
                problems.append(((section, i, "agency"), f"unknown agency {agency!r}"))
    for i, day in _items(data, "days"):
        for k, agency in _strings(day.get("agencies")):
            if agency not in agencies:
                problems.append((("days", i, "agencies", k), f"unknown agency {agency!r}"))
    return problems


def _duplicate_tokens(data: Mapping[str, Any]) -> list[Problem]:
    """Devices are told apart by their token alone, so two may not share one."""
    first: dict[str, int] = {}
    problems: list[Problem] = []
    for i, device in _items(data, "devices"):
        token, token_hash = device.get("token"), device.get("token_hash")
        if isinstance(token, str):
            key, digest = "token", hash_token(token)
        elif isinstance(token_hash, str):
            key, digest = "token_hash", normalise_token_hash(token_hash)
        else:
            continue
        if digest in first:
            problems.append(
                (("devices", i, key), f"same token as devices[{first[digest]}]; give each its own")
            )
        else:
            first[digest] = i
    return problems

"""A center as the YAML file the loader reads (API.md §1), written from the database.

What the administration pages change lives in the database; district IT keeps the file
in version control. The export is a pure function of the stored rows, written so that
loading it changes nothing: passwords as `password_hash`, device tokens as
`token_hash`, defaults left out (the loader fills them in again), keys in the file's
documented order, lists in the order the center shows them. Export → load → export is
therefore byte-identical, and the load appends no `center.configured`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import Device, User
from app.auth.security import TOKEN_HASH_PREFIX
from app.centers.models import Agency, Center, Day, Desk, Need
from app.centers.schema import AnnounceConfig, Condition, DisplayConfig

SECTIONS = {
    "agencies": "Agencies that consult at the center.",
    "needs": "What visitors come for, and which agency serves it (first matching entry wins).",
    "desks": "Desks: room per language, agency, languages spoken.",
    "users": "Staff who sign in; passwords only as argon2 hashes.",
    "devices": "Kiosks and displays; tokens only as SHA-256 hashes.",
    "days": "Consultation days (site: a mobile day's town; note: for the public).",
}
CONDITION_KEYS = tuple(Condition.model_fields)


def _flow_map(values: Mapping[str, Any]) -> CommentedMap:
    out = CommentedMap(values)
    out.fa.set_flow_style()
    return out


def _flow_seq(values: Iterable[Any]) -> CommentedSeq:
    out = CommentedSeq(values)
    out.fa.set_flow_style()
    return out


def _labels(texts: Mapping[str, str], languages: Sequence[str]) -> CommentedMap:
    """The center's languages first, in its order, then any others alphabetically."""
    order = [lang for lang in languages if lang in texts]
    order += sorted(lang for lang in texts if lang not in languages)
    return _flow_map({lang: texts[lang] for lang in order})


def _time(value: str) -> DoubleQuotedScalarString:
    # Quoted as in API.md §1: a YAML 1.1 reader would take 09:00 for a number.
    return DoubleQuotedScalarString(value)


def _center(center: Center) -> CommentedMap:
    out = CommentedMap()
    out["slug"] = center.slug
    out["name"] = center.name
    out["timezone"] = center.timezone
    out["languages"] = _flow_seq(center.languages)
    if center.municipalities:
        out["municipalities"] = _flow_seq(center.municipalities)
    screen = center.screen or {}
    # Only what differs from the defaults: the loader fills those in again.
    for key, model in (("announce", AnnounceConfig), ("display", DisplayConfig)):
        stored = screen.get(key)
        if stored is not None and stored != model().model_dump():
            out[key] = _flow_map(stored)
    return out


def _served_by(entry: Mapping[str, Any]) -> CommentedMap:
    out = CommentedMap({"agency": entry["agency"]})
    when = entry.get("when")
    if when:
        out["when"] = _flow_map(
            {
                key: _flow_seq(when[key]) if isinstance(when[key], list) else when[key]
                for key in CONDITION_KEYS
                if when.get(key) is not None
            }
        )
    out.fa.set_flow_style()
    return out


def _need(need: Need, languages: Sequence[str]) -> CommentedMap:
    out = CommentedMap()
    out["code"] = need.code
    out["label"] = _labels(need.label, languages)
    out["minutes"] = need.minutes
    if need.icon:
        out["icon"] = need.icon
    out["served_by"] = CommentedSeq(_served_by(entry) for entry in need.served_by)
    if need.before:
        out["before"] = _flow_seq(need.before)
    return out


def _desk(desk: Desk, languages: Sequence[str]) -> CommentedMap:
    out = CommentedMap()
    out["code"] = desk.code
    out["room"] = _labels(desk.room, languages)
    out["agency"] = desk.agency_code
    if desk.languages:
        out["languages"] = _flow_seq(desk.languages)
    out.fa.set_flow_style()
    return out


def _user(user: User) -> CommentedMap:
    out = CommentedMap({"username": user.username, "role": str(user.role)})
    if user.agency_code is not None:
        out["agency"] = user.agency_code
    if user.password_hash is not None:  # none: the user cannot sign in (disabled)
        out["password_hash"] = user.password_hash
    out.fa.set_flow_style()
    return out


def _device(device: Device) -> CommentedMap:
    out = CommentedMap(
        {
            "name": device.name,
            "kind": str(device.kind),
            "token_hash": f"{TOKEN_HASH_PREFIX}{device.token_hash}",
        }
    )
    out.fa.set_flow_style()
    return out


def _day(day: Day, languages: Sequence[str]) -> CommentedMap:
    out = CommentedMap()
    out["date"] = day.date
    out["opens"] = _time(day.opens)
    out["closes"] = _time(day.closes)
    if day.agencies is not None:
        out["agencies"] = _flow_seq(day.agencies)
    if day.site:
        out["site"] = day.site
    if day.note:
        out["note"] = _labels(day.note, languages)
    if day.cancelled:
        out["cancelled"] = True
    out.fa.set_flow_style()
    return out


def _header(center: Center) -> str:
    return "\n".join(
        [
            f"{center.name} ({center.slug}): the center's configuration.",
            "Written by `welcome-center export-config` (or the administration pages'",
            "download) from what is stored; `welcome-center load-config FILE` reads it",
            "back (docs/api.md §1), and loading it unchanged changes nothing.",
            "Passwords and device tokens appear only as hashes (password_hash, token_hash).",
        ]
    )


async def config_tree(session: AsyncSession, center: Center) -> CommentedMap:
    """The center's configuration as a YAML tree (comments included)."""
    cid = center.id
    languages = list(center.languages)

    async def rows(model: Any, *order: Any) -> list[Any]:
        query = select(model).where(model.center_id == cid).order_by(*order)
        result: Any = await session.scalars(query)
        return list(result.all())

    agencies = await rows(Agency, Agency.position, Agency.id)
    needs = await rows(Need, Need.position, Need.id)
    desks = await rows(Desk, Desk.position, Desk.id)
    users = await rows(User, User.id)
    devices = await rows(Device, Device.id)
    days = await rows(Day, Day.date)

    tree = CommentedMap()
    tree["center"] = _center(center)
    tree["agencies"] = CommentedSeq(
        _flow_map({"code": a.code, "name": _labels(a.name, languages)}) for a in agencies
    )
    tree["needs"] = CommentedSeq(_need(n, languages) for n in needs)
    tree["desks"] = CommentedSeq(_desk(d, languages) for d in desks)
    tree["users"] = CommentedSeq(_user(u) for u in users)
    tree["devices"] = CommentedSeq(_device(d) for d in devices)
    tree["days"] = CommentedSeq(_day(d, languages) for d in days)
    tree.yaml_set_start_comment(_header(center))
    for key, comment in SECTIONS.items():
        tree.yaml_set_comment_before_after_key(key, before="\n" + comment)
    return tree


def dump(tree: CommentedMap) -> str:
    yaml = YAML(typ="rt")
    yaml.width = 4096  # one entry per line, never folded
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_unicode = True
    out = io.StringIO()
    yaml.dump(tree, out)
    return out.getvalue()


async def export_config(session: AsyncSession, center: Center) -> str:
    """The YAML text of the center's configuration."""
    return dump(await config_tree(session, center))

"""Reading benchmark scenarios: a YAML file naming a center (file or inline) and a day."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from app.centers.loader import parse_config
from app.centers.schema import CenterConfig
from app.routing.rules import NeedSpec
from app.routing.simulate import CenterSpec, DeskSpec

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = Path(__file__).resolve().parent / "scenarios"


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    center: CenterSpec
    spec: dict[str, Any]


def _floor(code: str, room: dict[str, str]) -> int:
    """Room "1.12" or desk r112 is on floor 1: walking between floors takes longer."""
    for text in (*room.values(), code):
        digits = re.search(r"\d", text)
        if digits:
            return int(digits.group())
    return 0


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def center_spec(config: CenterConfig, day: date | None = None) -> CenterSpec:
    """The simulator's view of a configured center on one of its days (the first by default)."""
    chosen = next((d for d in config.days if day is None or d.date == day), None)
    if chosen is None:
        raise ValueError(f"no day {day} in the center's configuration")
    present = frozenset(chosen.agencies or [a.code for a in config.agencies])
    needs = {
        n.code: NeedSpec(
            code=n.code,
            minutes=float(n.minutes),
            served_by=tuple(s.model_dump(exclude_none=True) for s in n.served_by),
            before=frozenset(n.before),
        )
        for n in config.needs
    }
    desks = tuple(
        DeskSpec(d.code, d.agency, frozenset(d.languages), _floor(d.code, d.room))
        for d in config.desks
        if d.agency in present
    )
    closes = _minutes(chosen.closes) - _minutes(chosen.opens)
    return CenterSpec(needs=needs, desks=desks, present=present, closes=float(closes))


def _config(value: Any, base: Path) -> CenterConfig:
    if isinstance(value, str):
        path = (ROOT / value) if not (base / value).exists() else base / value
        return parse_config(path.read_text(encoding="utf-8"), str(path))
    return CenterConfig.model_validate(value)


def load(path: Path) -> Scenario:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    config = _config(data.pop("center"), path.parent)
    day = data.pop("day", None)
    center = center_spec(config, date.fromisoformat(str(day)) if day else None)
    return Scenario(
        name=str(data.pop("name", path.stem)),
        description=str(data.pop("description", "")),
        center=center,
        spec=data,
    )


def load_all(folder: Path = SCENARIOS) -> list[Scenario]:
    return [load(p) for p in sorted(folder.glob("*.yaml"))]

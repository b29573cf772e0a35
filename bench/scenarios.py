"""Reading benchmark scenarios: a YAML file naming a center (file or inline) and a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from app.centers.loader import parse_config
from app.centers.schema import CenterConfig
from app.centers.spec import center_spec
from app.sim.simulate import CenterSpec

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = Path(__file__).resolve().parent / "scenarios"


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    center: CenterSpec
    spec: dict[str, Any]


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

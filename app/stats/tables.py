"""Every statistics table as CSV: one header, flat columns (durations in minutes)."""

from __future__ import annotations

import csv
import io
from typing import Any

from pydantic import BaseModel

from app.stats.schemas import (
    AgencyRow,
    Durations,
    HourRow,
    JointRow,
    LanguageRow,
    NeedRow,
    ReferralRow,
    SiteRow,
    Stats,
    StatsDayRow,
)

PARTS = ("count", "mean", "median", "p90")

# table → (row model, the column that names the row: first)
ROWS: dict[str, tuple[type[BaseModel], str]] = {
    "days": (StatsDayRow, "date"),
    "hours": (HourRow, "hour"),
    "agencies": (AgencyRow, "agency"),
    "needs": (NeedRow, "need"),
    "referrals": (ReferralRow, "from_agency"),
    "joint": (JointRow, "host_agency"),
    "languages": (LanguageRow, "language"),
    "sites": (SiteRow, "site"),
}
TABLE_NAMES = ("summary", *ROWS)


def _columns(model: type[BaseModel], first: str) -> list[str]:
    names = [first, *(n for n in model.model_fields if n != first)]
    out: list[str] = []
    for name in names:
        if model.model_fields[name].annotation is Durations:
            out.extend(f"{name}_{part}" for part in PARTS)
        else:
            out.append(name)
    return out


def _flat(model: BaseModel) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, Durations):
            out.update({f"{name}_{part}": getattr(value, part) for part in PARTS})
        else:
            out[name] = value
    return out


def to_csv(stats: Stats, table: str) -> str:
    """One table of `TABLE_NAMES`; `summary` is the totals as figure,value lines."""
    out = io.StringIO()
    writer = csv.writer(out)
    if table == "summary":
        writer.writerow(["figure", "value"])
        writer.writerows(_flat(stats.totals).items())
    else:
        model, first = ROWS[table]
        columns = _columns(model, first)
        writer.writerow(columns)
        for row in getattr(stats, table):
            flat = _flat(row)
            writer.writerow(["" if flat[c] is None else flat[c] for c in columns])
    return out.getvalue()

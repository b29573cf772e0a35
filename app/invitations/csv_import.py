"""Reading an invitation list (CSV) wholly before anything is written: the first bad
cell stops the import with its row (as a spreadsheet numbers them: the header is row 1)
and its column."""

from __future__ import annotations

import csv
import io
from typing import Any

from pydantic import ValidationError

from app.errors import Invalid
from app.invitations.schemas import InvitationBody

COLUMNS = ("language", "needs", "residence_status", "town", "age", "leave_by", "name", "address")
MAX_ROWS = 500  # a day's list; planning 500 invitees took 32 s here (200: 10 s)


class CsvInvalid(Invalid):
    """A bad cell: the problem names row and column (and, as `field`, both together), and
    a machine `reason` the admin page words in its language."""

    def __init__(
        self, row: int, column: str, message: str, value: Any = None, *, reason: str = "invalid"
    ) -> None:
        super().__init__(f"row {row}, {column}", message, value)
        self.code = "invalid_csv"
        self.extra.update(row=row, column=column, reason=reason)
        self.extra["errors"][0].update(row=row, column=column, reason=reason)


# Why a value the schema accepted was refused, by field (app/invitations/service.check).
REASONS = {
    "language": "not_offered",
    "needs": "unknown_need",
    "residence_status": "unknown_status",
    "town": "unknown_town",
    "leave_by": "before_opening",
}
SCHEMA_REASONS = {
    "missing": "missing",
    "too_short": "missing",
    "string_too_short": "missing",
    "string_pattern_mismatch": "bad_format",
    "string_too_long": "too_long",
    "greater_than_equal": "out_of_range",
    "less_than_equal": "out_of_range",
}


def _cell(raw: dict[str, str | None], column: str) -> str | None:
    value = (raw.get(column) or "").strip()
    return value or None


def parse(text: str, day: str) -> list[tuple[int, InvitationBody]]:
    """(row number, body) per data row; CsvInvalid at the first bad cell."""
    if text.startswith("\ufeff"):  # spreadsheets write a BOM
        text = text[1:]
    sample = text[:2048]
    delimiter = (
        ";" if sample.count(";") > sample.count(",") and "," not in sample.split("\n")[0] else ","
    )
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise CsvInvalid(
            1,
            missing[0],
            f"the header row lacks the column '{missing[0]}'",
            reason="missing_column",
        )
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise CsvInvalid(1, unknown[0], f"unknown column '{unknown[0]}'", reason="unknown_column")
    reader.fieldnames = header
    out: list[tuple[int, InvitationBody]] = []
    for k, raw in enumerate(reader, start=2):
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue  # an empty line
        if None in raw:
            raise CsvInvalid(k, "address", "more cells than columns", reason="extra_cells")
        if len(out) >= MAX_ROWS:
            raise CsvInvalid(
                k, "language", f"at most {MAX_ROWS} invitees per upload", reason="too_many_rows"
            )
        age = _cell(raw, "age")
        if age is not None and not age.isdigit():
            raise CsvInvalid(k, "age", "a whole number of years", age, reason="not_a_number")
        needs = [n.strip() for n in (_cell(raw, "needs") or "").split(";") if n.strip()]
        fields = {
            "date": day,
            "language": _cell(raw, "language") or "",
            "needs": needs,
            "residence_status": _cell(raw, "residence_status"),
            "town": _cell(raw, "town"),
            "age": int(age) if age is not None else None,
            "leave_by": _leave_by(_cell(raw, "leave_by")),
            "name": _cell(raw, "name"),
            "address": _cell(raw, "address"),
        }
        try:
            body = InvitationBody.model_validate(
                {k2: v for k2, v in fields.items() if v is not None or k2 in ("language", "needs")}
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            column = str(first["loc"][0]) if first["loc"] else "language"
            reason = SCHEMA_REASONS.get(str(first["type"]), "invalid")
            raise CsvInvalid(k, column, first["msg"], raw.get(column), reason=reason) from None
        out.append((k, body))
    return out


def _leave_by(value: str | None) -> str | None:
    """9:30 as 09:30, as the check-in writes it."""
    if value is not None and len(value) == 4 and value[1] == ":":
        return "0" + value
    return value

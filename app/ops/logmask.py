"""Keep credentials out of the logs: uvicorn's access and WebSocket lines quote paths.

Visitor tokens travel in paths (`/api/v1/visits/<token>`, `/ws/visits/<token>`) and
device, staff and visitor tokens in query strings (`?token=`, the phone page's `?t=`).
`welcome-center serve` and `demo` install TokenMask on every log handler (app/ops/logs.py),
so every record they print, the access log's and the "WebSocket … [accepted]" lines of
uvicorn.error alike, is masked before it is formatted; structured fields named like a
secret or a visitor's answer are replaced (`masked_fields`). The one masking place.
"""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping
from typing import Any

MASK = "***"
_PATTERNS = (
    # Query parameters that carry a token; `t` is the phone page's visit token.
    (re.compile(r"(?i)([?&](?:token|t|access_token|csrf_token)=)[^&#\s\"']*"), rf"\g<1>{MASK}"),
    # A visit token as a path segment (phone-link and by-code are routes, not tokens).
    (
        re.compile(r"(/api/v1/visits/)(?!(?:phone-link|by-code)(?:[/?\s\"']|$))[^/?#\s\"']+"),
        rf"\g<1>{MASK}",
    ),
    (re.compile(r"(/ws/visits/)[^/?#\s\"']+"), rf"\g<1>{MASK}"),
    # Exception texts: SQLAlchemy appends the statement's bound values (a visit's token,
    # a town, a note) and pydantic the rejected input.
    (re.compile(r"(?m)^(\[parameters: ).*$"), rf"\g<1>{MASK}]"),
    (
        re.compile(r"(input_value=)(.*?(?=, input_type=)|'(?:[^'\\]|\\.)*'|[^,\s\]]+)"),
        rf"\g<1>{MASK}",
    ),
)


# Anything any pattern could change: one search decides whether the substitutions run
# (most lines hold nothing to mask, and every line passes here several times).
_TRIGGER = re.compile(
    r"(?i)[?&](?:token|t|access_token|csrf_token)=|/visits/|\[parameters: |input_value="
)


def mask(text: str) -> str:
    if _TRIGGER.search(text) is None:
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, tuple):
        return tuple(_masked(item) for item in value)
    return value


class TokenMask(logging.Filter):
    """Masks tokens in a record's message and arguments, keeping the arguments' shape
    (uvicorn's AccessFormatter unpacks them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _masked(arg) for key, arg in record.args.items()}
        return True


# Structured log fields that hold a secret or a visitor's answers: never printed, whoever
# logs them (`log.info("...", town=...)` would be a bug; this makes it a harmless one).
SECRET_FIELDS = frozenset(
    {
        "password",
        "token",
        "access_token",
        "visit_token",
        "authorization",
        "cookie",
        "set_cookie",
        "csrf",
        "csrf_token",
        "town",
        "note",
        "notes",
        "name",
        "first_name",
        "last_name",
        "address",
        "phone",
        "email",
        "answers",
        "birth_year",
        "age",
        "residence_status",
    }
)


# What the log formatter itself adds (app/ops/logs.py): nothing in them to mask.
OWN_FIELDS = frozenset({"level", "logger", "timestamp", "request_id", "method", "http", "status"})


def masked_fields(event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A structured event with secret fields replaced and tokens masked in its strings."""
    for key, value in event.items():
        if key.startswith("_") or key in OWN_FIELDS:
            continue  # structlog's own (the stdlib record), or what the formatter added
        if key.lower() in SECRET_FIELDS:
            event[key] = MASK
        elif isinstance(value, str):
            event[key] = mask(value)
    return event

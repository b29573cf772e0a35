"""Request JSON read within limits: nothing a client sends may reach a 500.

Python's json module recurses per nesting level (1,000 levels: RecursionError) and
refuses integers of more than 4,300 digits with a ValueError; PostgreSQL refuses NUL
characters in text and asyncpg cannot encode a lone surrogate ("\\ud800" is valid JSON).
All of these become a 422 naming the problem (and the field, where there is one) here,
before any model or database sees the value.
"""

from __future__ import annotations

import json
import re
from typing import Any

from app.errors import AppError, Invalid

# Our bodies nest three levels at most ({"priority": {...}}); 32 leaves room for any
# future body and stays far below the interpreter's recursion limit.
MAX_DEPTH = 32
# No field of ours is a number beyond an age or a count.
MAX_INT_DIGITS = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
# NUL and lone surrogates (a valid pair is one code point above U+FFFF once decoded).
_BAD_CHAR = re.compile("[\x00\ud800-\udfff]")


def nesting_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects, strings skipped (linear, no recursion)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _parse_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _TooLong(digits)
    return int(text)


class _TooLong(ValueError):
    def __init__(self, digits: int) -> None:
        super().__init__(digits)
        self.digits = digits


def load_json(raw: bytes) -> Any:
    """Parse a request body; malformed JSON is a 400, JSON beyond our limits a 422."""
    depth = nesting_depth(raw)
    if depth > MAX_DEPTH:
        raise Invalid("body", f"nested {depth} levels deep; at most {MAX_DEPTH} are accepted")
    try:
        data = json.loads(raw, parse_int=_parse_int)
    except _TooLong as exc:
        raise Invalid(
            "body", f"a number of {exc.digits} digits; at most {MAX_INT_DIGITS} are accepted"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AppError(f"body: not valid JSON ({exc})") from None
    except (RecursionError, ValueError) as exc:  # belt and braces: never a 500
        raise Invalid("body", f"cannot be read ({type(exc).__name__})") from None
    check_text(data)
    return data


def bad_char(text: str) -> str | None:
    """What is wrong with a string for our database, or None."""
    found = _BAD_CHAR.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains a NUL character (\\u0000)"
    return "contains a lone surrogate (an invalid character)"


def check_text(data: Any, field: str = "") -> None:
    """Refuse NUL and lone surrogates anywhere in parsed JSON, naming the field."""
    if isinstance(data, str):
        problem = bad_char(data)
        if problem:
            raise Invalid(field or "body", problem)
    elif isinstance(data, dict):
        for key, value in data.items():
            name = f"{field}.{key}" if field else str(key)
            if bad_char(key):
                raise Invalid(field or "body", f"a key {bad_char(key)}")
            check_text(value, name)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            check_text(value, f"{field}[{index}]" if field else f"[{index}]")

"""Path and query parameters checked before any dependency reads the database.

A route's own checks (the caller's credentials, the desk of `/desks/{code}`) look the
parameters up in the database; PostgreSQL refuses a NUL character with an error, and
no code, slug, token or username of ours is longer than a few dozen characters. This
runs first for every route (an app-wide dependency): 422 naming the parameter.
"""

from __future__ import annotations

from fastapi import Request

from app.errors import Invalid
from app.ops.jsoninput import bad_char

# Codes, slugs, usernames and visit tokens are far shorter; a visit id is a UUID.
MAX_PATH_PARAM = 128
MAX_QUERY_VALUE = 1024
# Ids are 64-bit integers in the database: a longer number overflows the driver (500).
MAX_DIGITS = 18


def _problem(value: str, longest: int) -> str | None:
    found = bad_char(value)
    if found:
        return found
    if len(value) > longest:
        return f"longer than {longest} characters"
    if value.lstrip("+-").isdigit() and len(value.lstrip("+-")) > MAX_DIGITS:
        return f"a number of more than {MAX_DIGITS} digits"
    return None


async def clean_params(request: Request) -> None:
    for name, value in request.path_params.items():
        if isinstance(value, str) and (problem := _problem(value, MAX_PATH_PARAM)):
            raise Invalid(name, problem)
    for name, value in request.query_params.multi_items():
        if bad_char(name):
            raise Invalid("query", f"a parameter name {bad_char(name)}")
        if problem := _problem(value, MAX_QUERY_VALUE):
            raise Invalid(name, problem)

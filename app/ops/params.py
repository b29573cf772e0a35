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


async def clean_params(request: Request) -> None:
    for name, value in request.path_params.items():
        if not isinstance(value, str):
            continue
        problem = bad_char(value)
        if problem:
            raise Invalid(name, problem)
        if len(value) > MAX_PATH_PARAM:
            raise Invalid(name, f"longer than {MAX_PATH_PARAM} characters")
    for name, value in request.query_params.multi_items():
        problem = bad_char(name) or bad_char(value)
        if problem:
            raise Invalid(name if not bad_char(name) else "query", problem)
        if len(value) > MAX_QUERY_VALUE:
            raise Invalid(name, f"longer than {MAX_QUERY_VALUE} characters")

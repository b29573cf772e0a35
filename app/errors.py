"""Errors that carry their HTTP status; one handler renders them as problem+json."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """A problem a caller can act on.

    `code` is the machine-readable reason (front ends match it, never the English
    `detail`); each class has a default and a raise may name a narrower one.
    """

    status: int = 400
    title: str = "Bad request"
    code: str = "bad_request"

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra
        if code is not None:
            self.code = code

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers the problem response carries besides its body."""
        return {}


class NotAuthenticated(AppError):
    code = "not_authenticated"
    status = 401
    title = "Not authenticated"

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class Forbidden(AppError):
    code = "forbidden"
    status = 403
    title = "Forbidden"


class NotFound(AppError):
    code = "not_found"
    status = 404
    title = "Not found"


class Conflict(AppError):
    code = "conflict"
    status = 409
    title = "Conflict"


class Invalid(AppError):
    """A well-formed request with a bad value: names the field and, for a code, the value."""

    status = 422
    title = "Invalid value"
    code = "invalid"

    def __init__(self, field: str, message: str, value: Any = None) -> None:
        detail = f"{field}: {message}"
        error: dict[str, Any] = {"field": field, "message": message}
        if value is not None:
            error["value"] = value
        super().__init__(detail, errors=[error])
        self.field = field


class TooManyRequests(AppError):
    code = "too_many_requests"
    status = 429
    title = "Too many requests"

    @property
    def headers(self) -> dict[str, str]:
        # RFC 9110: clients and proxies read the wait from the header, not from our body.
        retry = self.extra.get("retry_after")
        return {"Retry-After": str(int(retry))} if retry is not None else {}


_PROBLEM_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "status": {"type": "integer"},
        "title": {"type": "string"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "machine-readable reason, e.g. day_closed"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["status", "title", "detail", "code"],
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem+json errors a router's routes can answer."""
    return {
        status: {
            "description": _DESCRIPTIONS.get(status, "error"),
            "content": {"application/problem+json": {"schema": _PROBLEM_SCHEMA}},
        }
        for status in statuses
    }


_DESCRIPTIONS = {
    400: "malformed request",
    401: "no valid credentials",
    403: "the caller's role may not do this",
    404: "unknown resource",
    409: "the resource's state does not allow this now",
    422: "a value is invalid; the problem names the field",
    429: "too many attempts",
}

"""Logs: one line per record, JSON (production) or text (demo), each with its request id.

Every record goes through the standard library's logging (the app's loggers, uvicorn's
access and error lines alike) and is rendered by structlog's ProcessorFormatter, so
the access log has the same shape as the app's lines. `welcome-center serve` and
`demo` hand `log_config()` to uvicorn, which applies it in every worker.

Masking stays in one place, app/ops/logmask.py: its TokenMask filter sits on each
handler (the record's message and arguments are masked before they are formatted) and
`masked_fields` drops personal and secret fields from structured events.

A request id is bound per HTTP request and per socket (first thing in
WelcomeApp.__call__): a sane incoming `X-Request-ID` (a proxy's) is kept, anything else gets a
fresh one; HTTP responses and socket handshakes echo it as `X-Request-ID`.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar
from typing import Any, Literal

import structlog
from starlette.types import Message, Scope, Send
from structlog.typing import EventDict, Processor, WrappedLogger

from app.ops.logmask import mask, masked_fields

Format = Literal["json", "text"]
HEADER = "x-request-id"
# What a proxy may hand us as a request id: short, printable, no separators that could
# forge a log field or a header. Anything else is replaced, never trusted.
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name.lower() == HEADER.encode():
            given = value.decode("latin-1").strip()
            if SANE_ID.fullmatch(given):
                return given
            break
    return uuid.uuid4().hex


def bind_request_id(scope: Scope) -> str:
    """The request id of this HTTP request or socket, bound for everything it logs (uvicorn's
    access line included: it is written from the response's `send`, in this context).

    Each request and each socket runs in its own task, so the binding ends with it.
    """
    if scope["type"] not in ("http", "websocket"):
        return ""  # lifespan
    rid = request_id_from(scope.get("headers", []))
    _request_id.set(rid)
    return rid


def echo_request_id(send: Send, rid: str) -> Send:
    """The HTTP response carries the id back (sockets add it to their accept, see
    app/live/ws.py: a wrapped `send` would stay on an open socket for hours)."""
    header = (HEADER.encode(), rid.encode())

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), header]
        await send(message)

    return sending


def _add_request_id(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    rid = _request_id.get()
    if rid is not None:
        event.setdefault("request_id", rid)
    return event


def _access_fields(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """uvicorn's access line as fields: its arguments are (client, method, path, version,
    status); the path is already masked (TokenMask runs before the formatter)."""
    args = event.pop("positional_args", None)
    record = event.get("_record")
    if record is None or record.name != "uvicorn.access":
        return event
    if isinstance(args, tuple) and len(args) == 5:
        client, method, path, version, status = args
        event.update(client=client, method=method, path=path, http=version, status=status)
        event["event"] = f"{method} {path} {status}"
    return event


def _mask(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    return masked_fields(event)


def _chain() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_request_id,
        _access_fields,
        _mask,
    ]


def formatter(format: Format = "json") -> structlog.stdlib.ProcessorFormatter:
    """Built by logging.config in each uvicorn worker, which is also where structlog's
    own loggers must be set up."""
    configure_structlog()
    renderer: Processor
    if format == "json":
        renderer = structlog.processors.JSONRenderer(ensure_ascii=False)  # as written
    else:
        # Plain tracebacks: a pretty one prints local variables (tokens, answers).
        renderer = structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_chain(),
        pass_foreign_args=True,  # uvicorn's access arguments become fields
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # The traceback as text, then masked like everything else: exception messages
            # carry SQL parameters and rejected input (app/ops/logmask.py).
            structlog.processors.format_exc_info,
            _mask_exception,
            renderer,
        ],
    )


def _mask_exception(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    text = event.get("exception")
    if isinstance(text, str):
        event["exception"] = mask(text)
    return event


def configure_structlog() -> None:
    """structlog's own loggers (`structlog.get_logger()`) go through the same handlers."""
    structlog.configure(
        processors=[*_chain(), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def log_config(format: Format) -> dict[str, Any]:
    """uvicorn's `log_config`: one formatter and one masking filter for every handler.

    Application lines and uvicorn's error lines on stderr, the access log on stdout (as
    uvicorn does); the app's own loggers (`welcome_center.*`) propagate to the root.
    """
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "structured",
        "filters": ["token_mask"],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"token_mask": {"()": "app.ops.logmask.TokenMask"}},
        "formatters": {"structured": {"()": "app.ops.logs.formatter", "format": format}},
        "handlers": {
            "default": {**handler, "stream": "ext://sys.stderr"},
            "access": {**handler, "stream": "ext://sys.stdout"},
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
        "root": {"handlers": ["default"], "level": "INFO"},
    }

"""The log line itself (app/ops/logs.py): uvicorn's access record as fields, the request
id, secret fields and exception texts masked, in JSON and text alike."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from app.ops.logmask import TokenMask
from app.ops.logs import _request_id, formatter, request_id_from

TOWN = "Schieder-Schwalenberg"


@pytest.fixture(params=["json", "text"])
def captured(request: pytest.FixtureRequest) -> Iterator[tuple[str, io.StringIO]]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter(request.param))
    handler.addFilter(TokenMask())
    loggers = [logging.getLogger(n) for n in ("uvicorn.access", "welcome_center.test")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    token = _request_id.set("req-42")
    try:
        yield request.param, out
    finally:
        _request_id.reset(token)
        for logger in loggers:
            logger.removeHandler(handler)
            logger.propagate = True


def test_access_line_as_fields(captured: tuple[str, io.StringIO]) -> None:
    kind, out = captured
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "10.0.0.7:5151", "GET", "/api/v1/visits/SeCrEt9", "1.1", 200
    )
    line = out.getvalue()
    assert "SeCrEt9" not in line
    if kind == "json":
        record = json.loads(line)
        assert record["event"] == "GET /api/v1/visits/*** 200"
        assert (record["method"], record["path"], record["status"]) == (
            "GET",
            "/api/v1/visits/***",
            200,
        )
        assert record["request_id"] == "req-42" and record["logger"] == "uvicorn.access"
    else:
        assert "GET /api/v1/visits/*** 200" in line and "request_id=req-42" in line


def test_fields_and_exceptions_are_masked(captured: tuple[str, io.StringIO]) -> None:
    _, out = captured
    log = logging.getLogger("welcome_center.test")
    structlog.get_logger("welcome_center.test").info("checked in", town=TOWN, desk="r112")
    try:
        raise RuntimeError(
            "(sqlite3.IntegrityError) UNIQUE constraint failed\n"
            "[SQL: INSERT INTO visits (token, municipality) VALUES (?, ?)]\n"
            f"[parameters: ('tok-SeCrEt9', '{TOWN}')]\n"
            f"1 validation error [type=value_error, input_value='{TOWN}', input_type=str]"
        )
    except RuntimeError:
        log.exception("unhandled error")
    text = out.getvalue()
    assert TOWN not in text and "SeCrEt9" not in text, text
    assert "r112" in text and "[parameters: ***]" in text and "input_value=***" in text
    assert "UNIQUE constraint failed" in text  # the error itself stays readable


def test_request_ids() -> None:
    assert request_id_from([(b"x-request-id", b"abc-123.x:y_z")]) == "abc-123.x:y_z"
    for bad in (b"", b"-starts-with-dash", b"a b", b"x" * 65, b"a;b", "ü".encode()):
        made = request_id_from([(b"X-Request-ID", bad)])
        assert made != bad.decode("latin-1") and len(made) == 32
    assert len(request_id_from([])) == 32


def test_the_format_setting() -> None:
    from app.config import Settings

    secret = {"secret_key": "a-secret-key-of-some-length"}
    assert Settings(**secret).log_style == "json"  # production
    assert Settings(demo=True).log_style == "text"
    assert Settings(demo=True, log_format="json").log_style == "json"
    assert Settings(**secret, log_format="text").log_style == "text"
    assert Settings(demo=True, log_format="").log_style == "text"  # an empty variable
    with pytest.raises(ValueError):
        Settings(**secret, log_format="xml")

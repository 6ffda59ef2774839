"""JSON log lines in the conventions' shape, with trace context and correlation id; traceparent parsing."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
import warnings

import pytest
from servicekit.logs import (
    JsonFormatter,
    child_traceparent,
    configure_logging,
    correlation_id_var,
    current_trace_id,
    level_name,
    log_request,
    parse_traceparent,
    trace_id,
    traceparent_var,
)

PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def record(message: str = "hello", level: int = logging.INFO, **extra: object) -> logging.LogRecord:
    entry = logging.LogRecord("shop.test", level, __file__, 1, message, (), None)
    entry.__dict__.update(extra)
    return entry


def test_parse_traceparent_reads_a_valid_header() -> None:
    context = parse_traceparent(PARENT)

    assert context is not None
    assert (context.trace_id, context.span_id, context.flags) == (
        # pragma: allowlist nextline secret (the W3C trace-context example trace id)
        "4bf92f3577b34da6a3ce929d0e0e4736",
        "00f067aa0ba902b7",
        "01",
    )
    assert context.header() == PARENT


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "garbage",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
    ],
)
def test_parse_traceparent_refuses_invalid_headers(value: str | None) -> None:
    assert parse_traceparent(value) is None


def test_parse_traceparent_tolerates_case_and_surrounding_space() -> None:
    assert parse_traceparent(f"  {PARENT.upper()} ") == parse_traceparent(PARENT)


def test_child_traceparent_keeps_trace_and_flags_with_a_new_span() -> None:
    child = parse_traceparent(child_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"))

    assert child is not None
    assert child.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert child.span_id != "00f067aa0ba902b7"
    assert child.flags == "00"


def test_child_traceparent_of_invalid_parent_starts_a_sampled_trace() -> None:
    child = child_traceparent("garbage")

    assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-01", child)
    assert trace_id(child) != "4bf92f3577b34da6a3ce929d0e0e4736"


def test_formatter_writes_the_conventions_fields_then_extras() -> None:
    entry = record("order %s", order_id="ord_1")
    entry.created = 1796564949.1239

    line = json.loads(JsonFormatter("shop-test").format(entry))

    assert line == {
        "time": "2026-12-06T13:49:09.123Z",
        "level": "info",
        "service": "shop-test",
        "message": "order %s",
        "logger": "shop.test",
        "order_id": "ord_1",
    }


@pytest.mark.parametrize(
    ("levelno", "name"),
    [
        (logging.DEBUG, "debug"),
        (5, "debug"),
        (logging.INFO, "info"),
        (logging.WARNING, "warning"),
        (logging.ERROR, "error"),
        (logging.CRITICAL, "critical"),
        (logging.INFO + 5, "info"),
    ],
)
def test_levels_are_the_conventions_lower_case_names(levelno: int, name: str) -> None:
    assert level_name(levelno) == name
    assert json.loads(JsonFormatter("shop-test").format(record(level=levelno)))["level"] == name


def test_extra_fields_never_shadow_the_conventions_fields() -> None:
    line = json.loads(JsonFormatter("shop-test").format(record(service="other", level_hint="x")))

    assert line["service"] == "shop-test"
    assert line["level_hint"] == "x"


def test_formatter_stamps_correlation_id_and_trace_context_of_the_work_in_hand() -> None:
    correlation = correlation_id_var.set("ord_42")
    trace = traceparent_var.set(PARENT)
    try:
        line = json.loads(JsonFormatter("shop-test").format(record()))
        current = current_trace_id()
    finally:
        traceparent_var.reset(trace)
        correlation_id_var.reset(correlation)

    assert line["correlation_id"] == "ord_42"
    assert line["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert line["span_id"] == "00f067aa0ba902b7"
    assert "traceparent" not in line
    # pragma: allowlist nextline secret (the W3C trace-context example trace id)
    assert current == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert current_trace_id() is None


def test_formatter_includes_the_exception() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        entry = logging.LogRecord("shop.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())

    line = json.loads(JsonFormatter("shop-test").format(entry))

    assert "RuntimeError: boom" in line["exception"]


def test_configure_logging_routes_root_to_stdout_json_and_quiets_sdks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("debug", "shop-test", quiet=("noisy.access",))
        logging.getLogger("shop.test").debug("ready", extra={"port": 1})
        logging.getLogger("azure.core").info("request headers")
        logging.getLogger("noisy.access").info("GET /")
        out = capsys.readouterr().out
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        for name in ("azure", "noisy.access"):
            logging.getLogger(name).setLevel(logging.NOTSET)
        logging.captureWarnings(False)

    lines = [json.loads(line) for line in out.splitlines()]
    assert [(line["message"], line["port"], line["level"]) for line in lines] == [("ready", 1, "debug")]
    assert root.level == level


def test_configure_logging_writes_python_warnings_as_json_lines() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("INFO", "shop-test", stream=stream)
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            logging.captureWarnings(True)  # catch_warnings put back the original showwarning
            warnings.warn("old API", DeprecationWarning, stacklevel=1)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        logging.captureWarnings(False)

    (line,) = (json.loads(text) for text in stream.getvalue().splitlines())
    assert line["level"] == "warning"
    assert line["logger"] == "py.warnings"
    assert "DeprecationWarning: old API" in line["message"]


def test_log_request_writes_one_access_line_but_none_for_operations_routes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("shop.access")
    with caplog.at_level(logging.INFO, logger="shop.access"):
        log_request(log, "GET", "/orders/{id}", 404, 0.01234)
        for route in ("/health", "/ready", "/metrics"):
            log_request(log, "GET", route, 200, 0.001)

    (entry,) = caplog.records
    assert entry.getMessage() == "request"
    assert (entry.method, entry.route, entry.status, entry.duration_ms) == ("GET", "/orders/{id}", 404, 12.34)  # type: ignore[attr-defined]

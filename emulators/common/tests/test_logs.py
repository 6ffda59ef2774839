from __future__ import annotations

import io
import json
import logging
import re

from emulator_common.logs import configure_logging


def test_log_lines_are_json_objects_in_the_services_shape_with_extra_fields():
    stream = io.StringIO()
    configure_logging("servicebus", stream=stream)
    try:
        logging.getLogger("emulator.test").info("listening", extra={"http_port": 5300, "event": "listening"})
        logging.getLogger("aiohttp.access").info("GET /health")
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logging.getLogger("emulator.test").exception("failed")
    finally:
        logging.getLogger().handlers.clear()
        logging.getLogger("aiohttp.access").setLevel(logging.NOTSET)

    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "listening"
    assert first["service"] == "servicebus"
    assert first["level"] == "info"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["time"])
    assert (first["http_port"], first["event"]) == (5300, "listening")
    assert second["level"] == "error"
    assert "RuntimeError: boom" in second["exception"]

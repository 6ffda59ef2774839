from __future__ import annotations

import io
import json
import logging

from emulator_common.logs import configure_logging


def test_log_lines_are_json_objects_with_extra_fields():
    stream = io.StringIO()
    configure_logging("test-emulator", stream=stream)
    try:
        logging.getLogger("emulator.test").info("listening", extra={"http_port": 5300, "event": "listening"})
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logging.getLogger("emulator.test").exception("failed")
    finally:
        logging.getLogger().handlers.clear()

    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "listening"
    assert first["service"] == "test-emulator"
    assert first["level"] == "info"
    assert (first["http_port"], first["event"]) == (5300, "listening")
    assert second["level"] == "error"
    assert "RuntimeError: boom" in second["exception"]

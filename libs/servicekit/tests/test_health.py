"""/health and /ready answers: one shape, concurrent checks with a timeout, short errors without secrets."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from servicekit.health import NotReadyError, awaiting, describe, liveness, readiness


async def _ok() -> None:
    return None


async def _refused() -> None:
    raise ConnectionRefusedError("connection refused")


async def _hangs() -> None:
    await asyncio.sleep(60)


def test_liveness_is_ok_without_checks() -> None:
    assert liveness() == (200, {"status": "ok", "checks": {}})


async def test_readiness_is_ok_when_every_check_passes() -> None:
    status, body = await readiness({"cosmosDb": _ok, "blobStorage": _ok})

    assert status == 200
    assert body == {"status": "ok", "checks": {"cosmosDb": {"status": "ok"}, "blobStorage": {"status": "ok"}}}


async def test_readiness_is_503_naming_the_failed_check_and_why(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="servicekit.health"):
        status, body = await readiness({"cosmosDb": _refused, "blobStorage": _ok})

    assert status == 503
    assert body == {
        "status": "unavailable",
        "checks": {
            "cosmosDb": {"status": "unavailable", "error": "ConnectionRefusedError: connection refused"},
            "blobStorage": {"status": "ok"},
        },
    }
    (entry,) = caplog.records
    assert (entry.check, entry.error) == ("cosmosDb", "ConnectionRefusedError: connection refused")  # type: ignore[attr-defined]


async def test_readiness_runs_checks_concurrently_each_within_the_timeout() -> None:
    started = time.monotonic()

    status, body = await readiness({"serviceBus": _hangs, "tableStorage": _hangs}, timeout_seconds=0.2)

    assert time.monotonic() - started < 1
    assert status == 503
    assert body["checks"]["serviceBus"] == {"status": "unavailable", "error": "timed out after 0.2 s"}


async def test_awaiting_passes_once_its_event_is_set() -> None:
    receiving = asyncio.Event()
    check = awaiting(receiving, "not receiving yet")

    before = await readiness({"serviceBus": check})
    receiving.set()
    after = await readiness({"serviceBus": check})

    assert before[1]["checks"]["serviceBus"] == {"status": "unavailable", "error": "not receiving yet"}
    assert after[0] == 200


async def test_readiness_refuses_check_names_that_are_not_camel_case() -> None:
    with pytest.raises(ValueError, match="camelCase"):
        await readiness({"table_storage": _ok})


def test_describe_is_short_first_line_and_masks_keys() -> None:
    error = ValueError("bad AccountKey=abc123== and SharedAccessKey=xyz;\nsecond line")

    assert describe(error) == "ValueError: bad AccountKey=*** and SharedAccessKey=***;"
    assert describe(RuntimeError()) == "RuntimeError"
    assert describe(NotReadyError("starting")) == "starting"
    assert len(describe(RuntimeError("x" * 500))) == 200

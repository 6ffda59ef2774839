from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import PLATFORM_CONFIG, emulator_process


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:
    with emulator_process("--config", str(PLATFORM_CONFIG), "--data-dir", str(tmp_path / "data")) as running:
        yield running


def test_cli_prints_bound_ports_on_one_json_line_and_serves_health(emulator):
    _, listening = emulator

    assert listening["http_port"] > 0
    assert listening["amqp_port"] > 0
    with urllib.request.urlopen(f"http://127.0.0.1:{listening['http_port']}/health", timeout=5) as response:
        assert json.load(response)["status"] == "healthy"


def test_cli_stops_cleanly_on_sigterm(emulator, tmp_path):
    process, _ = emulator

    process.send_signal(signal.SIGTERM)

    assert process.wait(timeout=10) == 0
    assert (tmp_path / "data" / "servicebus.sqlite3").exists()


def test_cli_rejects_a_bad_config_with_the_json_path(tmp_path):
    config = tmp_path / "Config.json"
    config.write_text(
        json.dumps(
            {
                "UserConfig": {
                    "Namespaces": [
                        {"Name": "ns", "Queues": [{"Name": "q", "Properties": {"LockDuration": "PT1X"}}]}
                    ]
                }
            }
        )
    )

    result = subprocess.run(
        [sys.executable, "-m", "servicebus_emulator.cli", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 2
    assert (
        "UserConfig.Namespaces[0].Queues[0].Properties.LockDuration: invalid ISO 8601 duration 'PT1X'"
        in result.stderr
    )

from __future__ import annotations

import json
import socket
import urllib.request
from pathlib import Path

import pytest
from emulator_common.runner import messaging_parser
from emulator_common.testing import ServiceProcess, launched


def test_messaging_parser_has_every_flag_with_its_default() -> None:
    parser = messaging_parser("x-emulator", "X", amqp_port=5672, http_port=5300, stored="messages")

    args = parser.parse_args(["--config", "Config.json"])

    assert vars(args) == {
        "config": Path("Config.json"),
        "host": "127.0.0.1",
        "amqp_port": 5672,
        "http_port": 5300,
        "data_dir": None,
        "fault_seed": None,
        # pragma: allowlist nextline secret (the variable's name)
        "admin_token_env": "EMULATOR_ADMIN_TOKEN",
        "log_level": "INFO",
    }
    assert "persist messages in DIR" in parser.format_help()


def test_messaging_parser_refuses_an_unknown_log_level() -> None:
    parser = messaging_parser("x-emulator", "X", amqp_port=1, http_port=2, stored="events")

    with pytest.raises(SystemExit):
        parser.parse_args(["--config", "c.json", "--log-level", "LOUD"])


def test_listening_line_carries_the_bound_ports_and_the_service_answers(
    sample_args, sample_env, tmp_path
) -> None:
    data_dir = str(tmp_path / "data")
    with launched("sample_emulator", *sample_args, "--data-dir", data_dir, env=sample_env) as running:
        url = f"http://127.0.0.1:{running.port('http_port')}/name"
        with urllib.request.urlopen(url, timeout=5) as response:
            assert json.load(response) == {"name": "sample"}

    assert running.listening["message"] == "listening"
    assert running.listening["logger"] == "sample_emulator"
    assert running.listening["service"] == "sample"
    assert running.listening["host"] == "127.0.0.1"
    assert running.port("amqp_port") > 0
    assert running.listening["data_dir"] == data_dir


def test_sigterm_logs_stopping_and_exits_zero(sample_args, sample_env) -> None:
    with launched("sample_emulator", *sample_args, env=sample_env) as running:
        code = running.stop()

    assert code == 0
    assert any(json.loads(line)["message"] == "stopping" for line in running.lines)


def test_a_port_in_use_exits_1_with_cannot_start(sample_config, sample_env) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        process = ServiceProcess(
            "sample_emulator", "--config", str(sample_config), "--http-port", port, env=sample_env
        )

        with pytest.raises(RuntimeError, match="did not start"):
            process.start()

    assert process.process is not None
    assert process.process.returncode == 1
    assert any("cannot start" in line for line in process.lines)


def test_a_bad_config_exits_2_naming_the_field(tmp_path, sample_env) -> None:
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"Name": "x", "Extra": 1}))
    process = ServiceProcess("sample_emulator", "--config", str(config), env=sample_env)

    with pytest.raises(RuntimeError, match="did not start"):
        process.start()

    assert process.process is not None
    assert process.process.returncode == 2
    assert any("Extra" in line for line in process.lines)

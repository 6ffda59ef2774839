import json
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "eventhubs_emulator.cli", *args], capture_output=True, text=True, timeout=30
    )


def test_bad_config_exits_2_naming_the_field(tmp_path: Path) -> None:
    config = tmp_path / "Config.json"
    entity = {"Name": "eh1", "PartitionCount": 64}
    namespace = {"Type": "EventHub", "Name": "ns", "Entities": [entity]}
    config.write_text(json.dumps({"UserConfig": {"NamespaceConfig": [namespace]}}))
    result = run_cli("--config", str(config), "--amqp-port", "0", "--http-port", "0")
    assert result.returncode == 2
    assert "UserConfig.NamespaceConfig[0].Entities[0].PartitionCount" in result.stderr


def test_unreadable_json_exits_2_with_line_and_column(tmp_path: Path) -> None:
    config = tmp_path / "Config.json"
    config.write_text('{"UserConfig": ')
    result = run_cli("--config", str(config))
    assert result.returncode == 2
    assert "line 1" in result.stderr


def test_emulator_logs_bound_ports_on_one_line(emulator) -> None:
    listening = [json.loads(line) for line in emulator.lines if '"listening"' in line]
    assert listening[0]["amqp_port"] == emulator.amqp_port > 0
    assert listening[0]["http_port"] == emulator.http_port > 0

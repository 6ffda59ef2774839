"""Make the shared test helper module (`sample_emulator`) importable, here and in child processes."""

import json
import sys
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).parent
sys.path.insert(0, str(TESTS_DIR))


@pytest.fixture
def sample_config(tmp_path: Path) -> Path:
    config = tmp_path / "sample.json"
    config.write_text(json.dumps({"Name": "sample"}))
    return config


@pytest.fixture
def sample_args(sample_config: Path) -> tuple[str, ...]:
    """`sample_emulator`'s command line on free ports."""
    return ("--config", str(sample_config), "--amqp-port", "0", "--http-port", "0")


@pytest.fixture
def sample_env() -> dict[str, str]:
    """The environment a child process needs to import `sample_emulator`."""
    return {"PYTHONPATH": str(TESTS_DIR)}

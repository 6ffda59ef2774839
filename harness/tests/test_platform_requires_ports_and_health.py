"""Every component needs a port and a health check: the loader refuses one without, naming it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from shopctl.errors import PlatformFileError
from shopctl.platform import load_platform

REPO_PLATFORM = Path(__file__).resolve().parents[2] / "harness" / "platform.yaml"


def _copy_without(tmp_path: Path, component: str, key: str) -> Path:
    raw = yaml.safe_load(REPO_PLATFORM.read_text())
    raw["components"][component].pop(key)
    path = tmp_path / "platform.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_component_without_ports_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(PlatformFileError, match=r"components\.servicebus\.ports: Field required"):
        load_platform(_copy_without(tmp_path, "servicebus", "ports"))


def test_component_with_empty_ports_is_refused_naming_it(tmp_path: Path) -> None:
    raw = yaml.safe_load(REPO_PLATFORM.read_text())
    raw["components"]["frontend"]["ports"] = {}
    path = tmp_path / "platform.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(PlatformFileError, match=r"components\.frontend\.ports: .*at least 1 item"):
        load_platform(path)


def test_component_without_health_check_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(PlatformFileError, match=r"components\.payment\.health: Field required"):
        load_platform(_copy_without(tmp_path, "payment", "health"))


def test_port_out_of_range_is_refused(tmp_path: Path) -> None:
    raw = yaml.safe_load(REPO_PLATFORM.read_text())
    raw["components"]["cosmos"]["ports"]["http"] = 70000
    path = tmp_path / "platform.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(PlatformFileError, match=r"components\.cosmos\.ports\.http"):
        load_platform(path)

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from shopctl.errors import PlatformFileError
from shopctl.platform import load_platform
from shopctl.workspace import PLATFORM_FILE

REPO_PLATFORM = Path(__file__).resolve().parents[2] / PLATFORM_FILE


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "platform.yaml"
    path.write_text(text)
    return path


def component(deps: str = "[]") -> str:
    return f"""
    command: [run]
    ports: {{http: 1}}
    health: {{http: "http://127.0.0.1:1/"}}
    depends_on: {deps}
"""


def test_repo_platform_file_loads_with_azurite_and_cosmos() -> None:
    platform = load_platform(REPO_PLATFORM)
    assert {"azurite", "cosmos"} <= set(platform.components)


def test_start_order_puts_dependencies_first(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"version: 1\ncomponents:\n  web:{component('[api]')}  api:{component('[db]')}  db:{component()}",
    )
    assert load_platform(path).with_dependencies(["web"]) == ["db", "api", "web"]


def test_with_dependencies_leaves_out_unrelated_components(tmp_path: Path) -> None:
    path = write(tmp_path, f"version: 1\ncomponents:\n  a:{component()}  b:{component()}")
    assert load_platform(path).with_dependencies(["b"]) == ["b"]


def test_dependency_cycle_is_rejected_naming_its_members(tmp_path: Path) -> None:
    path = write(tmp_path, f"version: 1\ncomponents:\n  a:{component('[b]')}  b:{component('[a]')}")
    with pytest.raises(PlatformFileError, match="dependency cycle: a -> b -> a"):
        load_platform(path)


def test_unknown_dependency_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, f"version: 1\ncomponents:\n  a:{component('[ghost]')}")
    with pytest.raises(PlatformFileError, match="unknown component 'ghost'"):
        load_platform(path)


def test_unknown_field_is_rejected_with_its_path(tmp_path: Path) -> None:
    path = write(tmp_path, f"version: 1\ncomponents:\n  a:{component()}    restart: always\n")
    with pytest.raises(PlatformFileError, match=r"components\.a\.restart"):
        load_platform(path)


def test_tcp_health_must_name_a_declared_port(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "version: 1\ncomponents:\n  a:\n    command: [x]\n    ports: {http: 1}\n    health: {tcp: [blob]}\n",
    )
    with pytest.raises(PlatformFileError, match="unknown port 'blob'"):
        load_platform(path)


def test_invalid_yaml_is_reported_as_such(tmp_path: Path) -> None:
    with pytest.raises(PlatformFileError, match="not valid YAML"):
        load_platform(write(tmp_path, "version: [1\n"))


def test_unknown_component_requested_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, f"version: 1\ncomponents:\n  a:{component()}")
    with pytest.raises(PlatformFileError, match="unknown component 'nope'"):
        load_platform(path).with_dependencies(["nope"])


def test_every_component_of_the_repo_platform_resolves_to_an_installed_program() -> None:
    from shopctl.workspace import Workspace

    workspace = Workspace.open(REPO_PLATFORM)
    for component in workspace.resolve():
        program = component.command[0]
        # Repo-relative programs come from `make install`; bare names (node, sh) from the PATH.
        found = (workspace.root / program).exists() if "/" in program else shutil.which(program)
        assert found, f"{component.name}: {program} is not installed (make install)"


def test_a_component_in_a_group_starts_only_when_its_group_is_asked_for(tmp_path: Path) -> None:
    grouped = component().replace("    command: [run]", "    group: monitoring\n    command: [run]")
    path = write(tmp_path, f"version: 1\ncomponents:\n  api:{component()}  prometheus:{grouped}")
    platform = load_platform(path)
    assert platform.groups() == ["monitoring"]
    assert platform.default_names() == ["api"]
    assert platform.default_names(["monitoring"]) == ["api", "prometheus"]
    with pytest.raises(PlatformFileError, match="unknown component group 'logging'; known: monitoring"):
        platform.default_names(["logging"])


def test_the_repo_platform_keeps_prometheus_out_of_the_default_start() -> None:
    platform = load_platform(REPO_PLATFORM)
    assert "prometheus" not in platform.default_names()
    assert "prometheus" in platform.default_names(["monitoring"])

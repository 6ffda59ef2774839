"""`tilt up -- --mode=process`: each component a local process exactly as shopctl starts it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shopctl.workspace import Workspace
from shoptilt import checks
from shoptilt.recorder import Recording

REPO = Path(__file__).resolve().parents[2]


def test_every_component_is_a_local_resource(process: Recording, platform: dict[str, Any]) -> None:
    assert checks.missing_components(process, platform, "process") == []


def test_resource_dependencies_are_platform_depends_on(process: Recording, platform: dict[str, Any]) -> None:
    assert checks.dependency_mismatches(process, platform, "process") == []


def test_readiness_probes_check_ready_else_health(process: Recording, platform: dict[str, Any]) -> None:
    assert checks.readiness_problems(process, platform) == []
    product = process.local_resource("product").readiness_probe
    assert product is not None
    assert product.http_get == {"port": 8001, "host": "127.0.0.1", "scheme": "http", "path": "/ready"}
    azurite = process.local_resource("azurite").readiness_probe
    assert azurite is not None
    assert azurite.tcp_socket == {"port": 10000, "host": "127.0.0.1"}


def test_commands_and_environments_are_the_ones_shopctl_starts(process: Recording) -> None:
    """shopctl's resolver and the Tiltfile's placeholder filling agree, value for value."""
    workspace = Workspace.open(REPO / "harness" / "platform.yaml", state_dir=str(REPO / ".shop"), environ={})
    for component in workspace.resolve(environ={}):
        resource = process.local_resource(component.name)
        assert resource.serve_cmd[-len(component.command) :] == component.command, component.name
        assert resource.serve_env == component.env, component.name


def test_data_directories_are_created_before_the_commands_that_use_them(process: Recording) -> None:
    azurite = process.local_resource("azurite").serve_cmd
    data_dir = str(REPO / ".shop" / "data" / "azurite")
    assert azurite[:5] == ["sh", "-c", 'mkdir -p "$1" && shift && exec "$@"', "with-data-dir", data_dir]
    # Cosmos keeps nothing on disk, so its command runs as written, without the data-directory wrapper.
    assert "with-data-dir" not in process.local_resource("cosmos").serve_cmd


def test_process_mode_builds_and_applies_nothing(process: Recording) -> None:
    assert process.docker_builds == []
    assert process.k8s_yaml == []
    assert process.k8s_resources == []


def test_process_resources_keep_the_cluster_labels(process: Recording) -> None:
    assert checks.label_problems(process, "process") == []


def test_optional_groups_are_declared_but_not_started(process: Recording, platform: dict[str, Any]) -> None:
    assert checks.optional_group_problems(process, platform) == []
    assert not process.local_resource("prometheus").auto_init
    assert process.local_resource("product").auto_init

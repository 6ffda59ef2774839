"""Start platform components as containers (testcontainers) on one Docker network, in dependency order.

Every container is reachable from the tests on a host port Docker maps; `LaunchedPlatform` answers
with those, so a test reads `platform.url("product")` the same way under both runtimes.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
from testcontainers.core.container import DockerContainer
from testcontainers.core.network import Network

from shopctl.containers.engine import ContainerEngineUnavailableError, docker_engine_problem
from shopctl.containers.spec import STATE_DIR, ContainerSpec, container_specs
from shopctl.errors import ComponentFailedError
from shopctl.launched_platform import LaunchedPlatform
from shopctl.platform import Platform
from shopctl.resolve import ResolvedComponent, resolve_platform
from shopctl.state import ComponentState, RunState, state_file, write_state
from shopctl.workspace import Workspace

_POLL_SECONDS = 0.5


@contextmanager
def launched_containers(
    names: list[str], platform_file: Path, state_dir: Path, record_state: bool = False
) -> Iterator[LaunchedPlatform]:
    problem = docker_engine_problem()
    if problem:
        raise ContainerEngineUnavailableError(f"SHOP_RUNTIME=containers: {problem}")
    workspace = Workspace.open(platform_file, state_dir=str(state_dir))
    names = names or [spec.name for spec in container_specs(workspace.platform)]
    specs = container_specs(workspace.platform, names)
    mapped: dict[str, dict[str, int]] = {}
    with ExitStack() as stack:
        network = stack.enter_context(Network())
        host = ""
        for spec in specs:
            container = _container(spec, network, state_dir)
            stack.enter_context(container)  # started now, stopped (reverse order) on the way out
            host = container.get_container_host_ip()
            mapped[spec.name] = {
                name: int(container.get_exposed_port(port)) for name, port in spec.ports.items()
            }
            timeout = workspace.platform.components[spec.name].ready_timeout
            _wait_ready(
                spec, container, host, mapped[spec.name], timeout or workspace.platform.defaults.ready_timeout
            )
        components = _host_view(workspace, names, host, mapped)
        if record_state:
            _write_state(state_dir, components)
        yield LaunchedPlatform(components, state_dir)


def _container(spec: ContainerSpec, network: Network, state_dir: Path) -> DockerContainer:
    container = (
        DockerContainer(spec.image)
        .with_network(network)
        .with_network_aliases(spec.name)
        .with_exposed_ports(*spec.ports.values())
        .with_envs(**spec.env)
    )
    if spec.uses_state_dir:
        data_dir = state_dir / "data" / spec.name
        data_dir.mkdir(parents=True, exist_ok=True)
        # The images run unprivileged (user 10001, node's 1000): the shared directory must let them write.
        for directory in (state_dir, state_dir / "data", data_dir):
            directory.chmod(0o777)
        container = container.with_volume_mapping(str(state_dir), STATE_DIR, mode="rw")
    return container


def _answers(spec: ContainerSpec, host: str, ports: dict[str, int]) -> bool:
    """The same rule as shopctl's probes: HTTP below 500, or every named port accepting."""
    if spec.ready.http_port:
        url = f"http://{host}:{ports[spec.ready.http_port]}{spec.ready.path}"
        try:
            return httpx.get(url, timeout=2.0, trust_env=False).status_code < 500
        except httpx.HTTPError:
            return False
    for name in spec.ready.tcp_ports:
        try:
            with socket.create_connection((host, ports[name]), timeout=2):
                pass
        except OSError:
            return False
    return True


def _wait_ready(
    spec: ContainerSpec, container: DockerContainer, host: str, ports: dict[str, int], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while not _answers(spec, host, ports):
        container.reload()
        if container.status in {"exited", "dead"} or time.monotonic() > deadline:
            stdout, stderr = container.get_logs()
            tail = "\n".join((stdout + stderr).decode(errors="replace").splitlines()[-40:])
            reason = "exited" if container.status in {"exited", "dead"} else f"not ready within {timeout:g} s"
            raise ComponentFailedError(spec.name, f"({spec.image}) {reason}", tail)
        time.sleep(_POLL_SECONDS)


def _host_view(
    workspace: Workspace, names: list[str], host: str, mapped: dict[str, dict[str, int]]
) -> list[ResolvedComponent]:
    """URLs, ports and environments as seen from the tests: the Docker host and the mapped ports."""
    platform: Platform = workspace.platform.model_copy(
        update={"defaults": workspace.platform.defaults.model_copy(update={"host": host})}
    )
    overrides = {f"{name}.{port}": number for name, ports in mapped.items() for port, number in ports.items()}
    return resolve_platform(
        platform, names, root=workspace.root, state_dir=workspace.state_dir, overrides=overrides, environ={}
    )


def _write_state(state_dir: Path, components: list[ResolvedComponent]) -> None:
    state = RunState(supervisor_pid=os.getpid(), status="ready")
    for component in components:
        state.components[component.name] = ComponentState(
            pid=None,
            status="ready",
            ports=component.ports,
            urls=component.urls,
            health=component.health.describe(),
            log_file="",
        )
    write_state(state_file(state_dir), state)

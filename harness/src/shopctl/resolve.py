"""Turns the platform description into concrete commands, ports, URLs and environments.

Port overrides come from `--port COMPONENT.PORT=N` and from `SHOP_PORT_<COMPONENT>_<PORT>` variables
(upper case, `-` as `_`); with `free_ports` every port is a fresh free one (tests use that).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shopctl.errors import PlatformFileError
from shopctl.platform import Component, HealthCheck, Platform
from shopctl.ports import free_port

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_-]*(?:\.[a-z0-9_-]+)*)\}")


@dataclass(frozen=True)
class Probe:
    """A resolved health check: an HTTP URL, or host/port pairs that must accept connections."""

    http: str | None
    tcp: tuple[tuple[str, int], ...]

    def describe(self) -> str:
        return self.http or ", ".join(f"tcp {host}:{port}" for host, port in self.tcp)


@dataclass(frozen=True)
class ResolvedComponent:
    name: str
    description: str
    command: list[str]
    env: dict[str, str]
    host: str
    ports: dict[str, int]
    urls: dict[str, str]
    health: Probe
    ready: Probe
    depends_on: list[str]
    data_dir: Path
    ready_timeout: float
    stop_timeout: float
    log_file: Path = field(compare=False)


# What the supervisor tells each process it starts: the components of the run, comma-separated.
RUN_COMPONENTS = "SHOP_RUN_COMPONENTS"


def run_components(environ: Mapping[str, str]) -> list[str] | None:
    """The components of the run this process belongs to, or None outside a shopctl run."""
    listed = environ.get(RUN_COMPONENTS, "")
    return [name for name in listed.split(",") if name] or None


def env_variable_for(component: str, port_name: str) -> str:
    return f"SHOP_PORT_{component}_{port_name}".upper().replace("-", "_")


def parse_port_overrides(items: list[str]) -> dict[str, int]:
    """`["azurite.blob=11000"]` → `{"azurite.blob": 11000}`."""
    overrides: dict[str, int] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or "." not in key or not value.isdigit() or not 0 < int(value) < 65536:
            raise PlatformFileError(f"--port {item!r}: expected COMPONENT.PORT=NUMBER (1-65535)")
        overrides[key] = int(value)
    return overrides


def resolve_platform(
    platform: Platform,
    names: list[str],
    *,
    root: Path,
    state_dir: Path,
    overrides: Mapping[str, int] | None = None,
    environ: Mapping[str, str] | None = None,
    free_ports: bool = False,
) -> list[ResolvedComponent]:
    """Resolve the named components and their dependencies, in start order."""
    order = platform.with_dependencies(names)
    ports = _choose_ports(platform, order, overrides or {}, environ or {}, free_ports)
    host = platform.defaults.host
    resolved = []
    for name in order:
        component = platform.components[name]
        data_dir = state_dir / "data" / name
        values = _placeholder_values(host, root, data_dir, ports, own=name)

        def probe(check: HealthCheck, where: str, name: str = name, values: dict[str, str] = values) -> Probe:
            return Probe(
                http=_fill(check.http, where, values) if check.http else None,
                tcp=tuple((host, ports[name][port_name]) for port_name in check.tcp),
            )

        prefix = f"components.{name}"
        resolved.append(
            ResolvedComponent(
                name=name,
                description=component.description,
                command=[_fill(arg, f"{prefix}.command", values) for arg in component.command],
                env=_component_env(component, prefix, values, running=order),
                host=host,
                ports=ports[name],
                urls={
                    key: _fill(value, f"{prefix}.urls.{key}", values) for key, value in component.urls.items()
                },
                health=probe(component.health, f"{prefix}.health"),
                ready=probe(component.ready or component.health, f"{prefix}.ready"),
                depends_on=list(component.depends_on),
                data_dir=data_dir,
                ready_timeout=component.ready_timeout or platform.defaults.ready_timeout,
                stop_timeout=component.stop_timeout or platform.defaults.stop_timeout,
                log_file=state_dir / "logs" / f"{name}.log",
            )
        )
    return resolved


def _component_env(
    component: Component, prefix: str, values: dict[str, str], running: list[str]
) -> dict[str, str]:
    """The component's env, plus each `env_with` block whose component is part of this run."""
    env = {key: _fill(value, f"{prefix}.env.{key}", values) for key, value in component.env.items()}
    for other, extra in component.env_with.items():
        if other in running:
            for key, value in extra.items():
                env[key] = _fill(value, f"{prefix}.env_with.{other}.{key}", values)
    return env


@dataclass(frozen=True)
class ResolvedTask:
    name: str
    command: list[str]
    env: dict[str, str]
    needs: list[str]


def resolve_task(
    platform: Platform,
    name: str,
    *,
    root: Path,
    state_dir: Path,
    overrides: Mapping[str, int] | None = None,
    environ: Mapping[str, str] | None = None,
) -> ResolvedTask:
    if name not in platform.tasks:
        known = ", ".join(platform.tasks) or "none"
        raise PlatformFileError(f"unknown task {name!r}; known: {known}")
    task = platform.tasks[name]
    ports = _choose_ports(platform, [], overrides or {}, environ or {}, free_ports=False)
    values = _placeholder_values(platform.defaults.host, root, state_dir / "data" / name, ports, own=None)
    prefix = f"tasks.{name}"
    return ResolvedTask(
        name=name,
        command=[_fill(arg, f"{prefix}.command", values) for arg in task.command],
        env={key: _fill(value, f"{prefix}.env.{key}", values) for key, value in task.env.items()},
        needs=list(task.needs),
    )


def _choose_ports(
    platform: Platform,
    order: list[str],
    overrides: Mapping[str, int],
    environ: Mapping[str, str],
    free_ports: bool,
) -> dict[str, dict[str, int]]:
    """Every component's ports: a free one (tests), else --port, else SHOP_PORT_*, else the default."""
    for key in overrides:
        owner, _, port_name = key.partition(".")
        if owner not in platform.components or port_name not in platform.components[owner].ports:
            raise PlatformFileError(f"--port {key}: no such component port")
    ports: dict[str, dict[str, int]] = {}
    handed_out: set[int] = set()
    for name, component in platform.components.items():
        ports[name] = {}
        for port_name, default in component.ports.items():
            from_env = environ.get(env_variable_for(name, port_name))
            if free_ports and name in order:
                ports[name][port_name] = _unique_free_port(platform.defaults.host, handed_out)
            elif f"{name}.{port_name}" in overrides:
                ports[name][port_name] = overrides[f"{name}.{port_name}"]
            elif from_env:
                if not from_env.isdigit():
                    raise PlatformFileError(f"{env_variable_for(name, port_name)}={from_env!r} is not a port")
                ports[name][port_name] = int(from_env)
            else:
                ports[name][port_name] = default
    return ports


def _unique_free_port(host: str, handed_out: set[int]) -> int:
    """A free port no other component of this launch was given. The kernel may hand out a port it gave a
    moment ago, since nothing listens on it yet; two components on one port would leave the second unable
    to start while health checks of its port are answered by the first."""
    while (port := free_port(host)) in handed_out:
        pass
    handed_out.add(port)
    return port


def _placeholder_values(
    host: str, root: Path, data_dir: Path, ports: dict[str, dict[str, int]], own: str | None
) -> dict[str, str]:
    values = {
        "host": host,
        "root": str(root),
        "state_dir": str(data_dir.parent.parent),
        "data_dir": str(data_dir),
    }
    for owner, owned in ports.items():
        for port_name, port in owned.items():
            values[f"{owner}.ports.{port_name}"] = str(port)
            if owner == own:
                values[f"ports.{port_name}"] = str(port)
    return values


def _fill(text: str, where: str, values: dict[str, str]) -> str:
    def lookup(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise PlatformFileError(f"{where}: unknown placeholder {{{key}}}")
        return values[key]

    return _PLACEHOLDER.sub(lookup, text)

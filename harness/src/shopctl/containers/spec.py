"""Container specs from harness/platform.yaml: what each component runs as on one Docker network.

Each component runs its `image:` (its entrypoint; `command:` is the process form and is not used) under
its own name as network alias, on its platform ports. Placeholders are filled for that network:

- `{host}:{OTHER.ports.P}` (a URL or connection string) → `OTHER:P`; `{host}:{ports.P}` → own name;
- a whole value `{host}` is half of a `<X>_HOST`/`<X>_PORT` pair: the address to bind (`0.0.0.0`) when
  the port is the component's own, else the other component's name;
- `{ports.P}`, `{OTHER.ports.P}` elsewhere → the port number (the container port, as in platform.yaml);
- `{state_dir}` and `{data_dir}` → under STATE_DIR, a directory every container that uses them shares.

Anything else (`{root}`, a `{host}` that fits none of the above) is refused naming the component and key,
so platform.yaml cannot grow a value this backend would get wrong silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shopctl.errors import PlatformFileError
from shopctl.platform import Component, HealthCheck, Platform

# Inside each container, bind-mounted from the run's state (B108).
STATE_DIR = "/tmp/shop"  # nosec B108
# Inside a container its own network namespace is the boundary (B104).
BIND_ALL = "0.0.0.0"  # nosec B104

_HOST_PORT = re.compile(r"\{host\}:\{(?:(?P<owner>[a-z][a-z0-9-]*)\.)?ports\.(?P<port>[a-z0-9_-]+)\}")
_PORT = re.compile(r"\{(?:(?P<owner>[a-z][a-z0-9-]*)\.)?ports\.(?P<port>[a-z0-9_-]+)\}")
_HEALTH_URL = re.compile(r"^http://\{host\}:\{ports\.(?P<port>[a-z0-9_-]+)\}(?P<path>/\S*)?$")


@dataclass(frozen=True)
class ReadyCheck:
    """What to wait for: HTTP below 500 on `path` of the named port, or every named port accepting."""

    http_port: str | None
    path: str
    tcp_ports: tuple[str, ...]


@dataclass(frozen=True)
class ContainerSpec:
    name: str
    image: str
    env: dict[str, str]
    ports: dict[str, int]
    depends_on: tuple[str, ...]
    ready: ReadyCheck
    uses_state_dir: bool


def container_specs(platform: Platform, names: list[str] | None = None) -> list[ContainerSpec]:
    """The named components and what they depend on, in start order. None named: every component that can
    run as a container: it and all it depends on have an image. Those without one (local stand-ins) run only
    as processes, and asking for one, by name or as a dependency, is refused naming it."""
    wanted = names or [
        name
        for name in platform.components
        if all(platform.components[needed].image for needed in platform.with_dependencies([name]))
    ]
    order = platform.with_dependencies(wanted)
    return [_spec(platform, name, needed_by=_needed_by(platform, name, wanted)) for name in order]


def _needed_by(platform: Platform, name: str, wanted: list[str]) -> list[str]:
    return [other for other in wanted if other != name and name in platform.with_dependencies([other])]


def _spec(platform: Platform, name: str, needed_by: list[str]) -> ContainerSpec:
    component = platform.components[name]
    if not component.image:
        asked = f"needed by {', '.join(needed_by)}" if needed_by else "named"
        raise PlatformFileError(
            f"components.{name}: no image: it is local only (`shopctl up` runs it as a process) and cannot "
            f"run as a container ({asked}); use the process runtime for it"
        )
    env = {key: _fill(platform, name, key, value, component) for key, value in component.env.items()}
    return ContainerSpec(
        name=name,
        image=component.image,
        env=env,
        ports=dict(component.ports),
        depends_on=tuple(component.depends_on),
        ready=_ready(name, component.ready or component.health),
        uses_state_dir=any("{state_dir}" in v or "{data_dir}" in v for v in component.env.values()),
    )


def _ready(name: str, check: HealthCheck) -> ReadyCheck:
    if not check.http:
        return ReadyCheck(http_port=None, path="", tcp_ports=tuple(check.tcp))
    match = _HEALTH_URL.match(check.http)
    if not match:
        raise PlatformFileError(
            f"components.{name}: health URL {check.http!r} must be http://{{host}}:{{ports.NAME}}/PATH "
            "to be checked on a container"
        )
    return ReadyCheck(http_port=match["port"], path=match["path"] or "/", tcp_ports=())


def _port(platform: Platform, name: str, where: str, owner: str | None, port_name: str) -> tuple[str, int]:
    owner = owner or name
    ports = platform.components[owner].ports if owner in platform.components else {}
    if port_name not in ports:
        raise PlatformFileError(f"{where}: unknown port {owner}.ports.{port_name}")
    return owner, ports[port_name]


def _fill(platform: Platform, name: str, key: str, value: str, component: Component) -> str:
    where = f"components.{name}.env.{key}"
    if value == "{host}":
        return _bind_or_peer(platform, name, key, component)

    def host_port(match: re.Match[str]) -> str:
        owner, port = _port(platform, name, where, match["owner"], match["port"])
        return f"{owner}:{port}"

    def port_only(match: re.Match[str]) -> str:
        return str(_port(platform, name, where, match["owner"], match["port"])[1])

    filled = _PORT.sub(port_only, _HOST_PORT.sub(host_port, value))
    filled = filled.replace("{state_dir}", STATE_DIR).replace("{data_dir}", f"{STATE_DIR}/data/{name}")
    leftover = re.search(r"\{[^}]*\}", filled)
    if leftover:
        raise PlatformFileError(f"{where}: {leftover.group(0)} has no meaning for a container")
    return filled


def _bind_or_peer(platform: Platform, name: str, key: str, component: Component) -> str:
    where = f"components.{name}.env.{key}"
    if not key.endswith("_HOST"):
        raise PlatformFileError(f"{where}: a bare {{host}} must be a <X>_HOST beside its <X>_PORT")
    sibling = key.removesuffix("_HOST") + "_PORT"
    port_value = component.env.get(sibling, "")
    match = _PORT.fullmatch(port_value)
    if not match:
        raise PlatformFileError(
            f"{where}: a bare {{host}} needs {sibling} set to a {{...ports.NAME}} placeholder"
        )
    owner, _ = _port(platform, name, f"components.{name}.env.{sibling}", match["owner"], match["port"])
    return BIND_ALL if owner == name else owner

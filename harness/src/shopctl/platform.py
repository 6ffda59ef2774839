"""The platform description: `harness/platform.yaml`, read here and by the Tiltfile.

The file is data only. Values may hold placeholders that `resolve.py` fills in:
`{host}`, `{root}`, `{data_dir}`, `{ports.NAME}` (this component's port) and
`{OTHER.ports.NAME}` (another component's port).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shopctl.errors import PlatformFileError

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HealthCheck(_Strict):
    """How to tell that a component is serving: an HTTP URL that answers below 500, or ports that accept."""

    http: str | None = None
    tcp: list[str] = Field(default_factory=list, description="names of this component's ports")

    @model_validator(mode="after")
    def _one_kind(self) -> HealthCheck:
        if not self.http and not self.tcp:
            raise ValueError("give `http` (a URL) or `tcp` (port names)")
        return self


class Component(_Strict):
    description: str = ""
    command: list[str] = Field(min_length=1)
    ports: dict[Name, Annotated[int, Field(gt=0, lt=65536)]] = Field(
        min_length=1,
        description="named ports; every component has one: readiness probes, port forwards and the container "
        "backend reach it there",
    )
    health: HealthCheck
    ready: HealthCheck | None = Field(
        default=None, description="readiness check when it differs from liveness (dependencies answer)"
    )
    depends_on: list[Name] = Field(
        default_factory=list, description="components started, and ready, before this one starts"
    )
    uses: list[Name] = Field(
        default_factory=list,
        description="components this one calls once it runs: started with it (`up NAME` starts them too) but "
        "not waited for, so its own readiness check must say when they answer",
    )
    env: dict[str, str] = Field(default_factory=dict)
    env_with: dict[Name, dict[str, str]] = Field(
        default_factory=dict,
        description="more environment, added only when the named component is part of the same run "
        "(an exporter endpoint that exists only when `--with monitoring` started its receiver)",
    )
    urls: dict[str, str] = Field(default_factory=dict, description="what to print for people")
    image: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9]+([._/-][a-z0-9]+)*(:[A-Za-z0-9._-]+)?$",
        description="the container image this component runs as in a cluster (docker-bake.hcl builds ours)",
    )
    group: Name | None = Field(
        default=None,
        description="an optional group (monitoring): started by `up --with GROUP` or by name, not by default",
    )
    ready_timeout: float | None = Field(default=None, gt=0)
    stop_timeout: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _tcp_names_are_ports(self) -> Component:
        for check in (self.health, self.ready):
            for name in check.tcp if check else []:
                if name not in self.ports:
                    raise ValueError(f"tcp check names unknown port {name!r}")
        return self


class Task(_Strict):
    """A one-shot command run against the running platform, such as loading seed data."""

    description: str = ""
    command: list[str] = Field(min_length=1)
    env: dict[str, str] = Field(default_factory=dict)
    needs: list[Name] = Field(default_factory=list, description="components that must be healthy first")


class Defaults(_Strict):
    host: str = "127.0.0.1"
    ready_timeout: float = Field(default=60.0, gt=0)
    stop_timeout: float = Field(default=10.0, gt=0)


class Platform(_Strict):
    version: int = Field(ge=1, le=1)
    root: str = Field(default="..", description="the directory commands run in, relative to this file")
    defaults: Defaults = Field(default_factory=Defaults)
    components: dict[Name, Component]
    tasks: dict[Name, Task] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _dependencies_exist(self) -> Platform:
        for name, component in self.components.items():
            for dep in component.depends_on:
                if dep not in self.components:
                    raise ValueError(f"components.{name}.depends_on: unknown component {dep!r}")
            for used in component.uses:
                if used not in self.components:
                    raise ValueError(f"components.{name}.uses: unknown component {used!r}")
            for other, extra in component.env_with.items():
                if other not in self.components:
                    raise ValueError(f"components.{name}.env_with: unknown component {other!r}")
                clashes = sorted(set(extra) & set(component.env))
                if clashes:
                    raise ValueError(f"components.{name}.env_with.{other}: {clashes[0]} is already in env")
        for name, task in self.tasks.items():
            for dep in task.needs:
                if dep not in self.components:
                    raise ValueError(f"tasks.{name}.needs: unknown component {dep!r}")
        start_order(self.components)
        return self

    def groups(self) -> list[str]:
        return sorted({c.group for c in self.components.values() if c.group})

    def default_names(self, with_groups: list[str] | None = None) -> list[str]:
        """What `up` starts when none is named: every component outside a group, and the groups asked for."""
        wanted = list(with_groups or [])
        for group in wanted:
            if group not in self.groups():
                known = ", ".join(self.groups()) or "none"
                raise PlatformFileError(f"unknown component group {group!r}; known: {known}")
        return [name for name, c in self.components.items() if c.group is None or c.group in wanted]

    def with_dependencies(self, names: list[str]) -> list[str]:
        """The named components plus everything they depend on or use, in start order."""
        for name in names:
            if name not in self.components:
                raise PlatformFileError(f"unknown component {name!r}; known: {', '.join(self.components)}")
        wanted: set[str] = set()
        pending = list(names)
        while pending:
            name = pending.pop()
            if name not in wanted:
                wanted.add(name)
                pending.extend(self.components[name].depends_on)
                pending.extend(self.components[name].uses)
        return [name for name in start_order(self.components) if name in wanted]


def start_order(components: dict[str, Component]) -> list[str]:
    """Dependencies first; file order otherwise. A cycle is an error naming its members."""
    order: list[str] = []
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        if name in visiting:
            cycle = [*visiting[visiting.index(name) :], name]
            raise ValueError(f"dependency cycle: {' -> '.join(cycle)}")
        visiting.append(name)
        for dep in components[name].depends_on:
            visit(dep)
        visiting.pop()
        order.append(name)

    for name in components:
        visit(name)
    return order


def load_platform(path: Path) -> Platform:
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise PlatformFileError(f"cannot read {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise PlatformFileError(f"{path} is not valid YAML: {exc}") from exc
    try:
        return Platform.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc']) or '(top)'}: {err['msg']}" for err in exc.errors()
        )
        raise PlatformFileError(f"{path}: {problems}") from exc

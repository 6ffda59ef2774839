"""The environments of scripts/ops/environments.yaml: the only ones any command accepts."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from shopops.errors import RefusedInputError

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "environments.yaml"


@dataclass(frozen=True)
class Service:
    name: str
    health: str
    ready: str | None


@dataclass(frozen=True)
class Environment:
    name: str
    namespace: str
    overlay: str
    resource_group: str
    aks_cluster: str
    base_url: str
    public_url: str
    services: tuple[Service, ...]
    urls: dict[str, str] = field(default_factory=dict)

    def url(self, service: str) -> str:
        """The service's own entry of `urls`, else `base_url` with `{service}` filled in."""
        return self.urls.get(service) or self.base_url.format(service=service)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as error:
        raise RefusedInputError(f"environments file {path} cannot be read: {error.strerror}") from error
    if not isinstance(data, dict):
        raise RefusedInputError(f"environments file {path} is not a mapping")
    return data


def load_services(path: Path = DEFAULT_FILE) -> tuple[Service, ...]:
    raw = _read(path).get("services", {})
    return tuple(Service(name, spec["health"], spec.get("ready")) for name, spec in raw.items())


def load_environment(name: str, path: Path = DEFAULT_FILE) -> Environment:
    data = _read(path)
    known = data.get("environments", {})
    if name not in known:
        raise RefusedInputError(f"unknown environment {name!r}: expected one of {', '.join(sorted(known))}")
    spec = known[name]
    return Environment(
        name=name,
        namespace=spec["namespace"],
        overlay=spec["overlay"],
        resource_group=spec["resource_group"],
        aks_cluster=spec["aks_cluster"],
        base_url=spec["base_url"],
        public_url=spec["public_url"],
        services=load_services(path),
        urls=dict(spec.get("urls") or {}),
    )

"""What harness/platform.yaml says the cluster must match: images, ports, probes and the calls between
components (read with shopctl's own loader, so there is one description)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from shopctl.platform import Component, HealthCheck, Platform, load_platform

from shopk8s.layout import PLATFORM_FILE

OWN_IMAGE_PREFIX = "contoso-shop/"
_PORT_REF = re.compile(r"\{([a-z][a-z0-9-]*)\.ports\.([a-z][a-z0-9-]*)\}")


@dataclass(frozen=True)
class Probe:
    """A probe as Kubernetes sees it: an HTTP path on a named port, or a TCP port."""

    kind: str  # "http" or "tcp"
    port: str
    path: str | None = None


@dataclass(frozen=True, order=True)
class Flow:
    """One component calling another on one port."""

    source: str
    destination: str
    port: int


def load() -> Platform:
    return load_platform(PLATFORM_FILE)


def own_images(platform: Platform) -> dict[str, str]:
    """component -> image, for the images this repository builds (`contoso-shop/*`)."""
    return {
        name: component.image
        for name, component in platform.components.items()
        if component.image and component.image.startswith(OWN_IMAGE_PREFIX)
    }


def local_only(platform: Platform) -> list[str]:
    """Components without an image: local stand-ins that `make up` (and Tilt, beside the cluster) runs as
    processes. No image is built for them and no cluster runs them."""
    return [name for name, component in platform.components.items() if not component.image]


def with_images(platform: Platform) -> list[str]:
    """The components a cluster runs (kind: all; AKS: the services, Azure standing in for the rest)."""
    return [name for name, component in platform.components.items() if component.image]


# How a kind pod reaches a process on the developer's machine (a local-only component Tilt serves there).
HOST_FROM_KIND_PODS = "host.docker.internal"


def _probe(component: Component, check: HealthCheck) -> set[Probe]:
    if check.http:
        path = urlsplit(check.http.replace("{host}", "h").replace("{ports.", "{")).path or "/"
        port = next(iter(re.findall(r"\{ports\.([a-z0-9-]+)\}", check.http)), None)
        return {Probe("http", port or next(iter(component.ports)), path)}
    return {Probe("tcp", name) for name in check.tcp}


def liveness(component: Component) -> set[Probe]:
    """The probes that may serve as liveness: the component's health check."""
    return _probe(component, component.health)


def readiness(component: Component) -> set[Probe]:
    """The probes that may serve as readiness: `ready` where given, else the health check."""
    return _probe(component, component.ready or component.health)


def flows(platform: Platform) -> set[Flow]:
    """The calls the platform makes: each port of another component that a component's settings name
    (`{OTHER.ports.NAME}`), among the components it depends on or uses. (Settings also name components that
    are not called, such as the storefront's address in the CORS origins; `depends_on` and `uses` leave those
    out.)"""
    found: set[Flow] = set()
    for name, component in platform.components.items():
        for value in component.env.values():
            for other, port_name in _PORT_REF.findall(value):
                if other in component.depends_on or other in component.uses:
                    found.add(Flow(name, other, platform.components[other].ports[port_name]))
    return found

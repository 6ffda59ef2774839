"""What a Tiltfile evaluation must declare, given harness/platform.yaml: each check returns its problems.

An empty list means the check passed; each problem names the component, image or port at fault.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from shoptilt.recorder import Recording

Platform = dict[str, Any]  # harness/platform.yaml as read by yaml.safe_load

LABELS = {"services", "emulators", "storage"}


def components(platform: Platform) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = platform["components"]
    return found


def local_only(platform: Platform) -> list[str]:
    """Components without an image: local stand-ins, processes in both modes (never cluster workloads)."""
    return [name for name, component in components(platform).items() if not component.get("image")]


def _component_resources(recording: Recording, mode: str) -> dict[str, Any]:
    """Each component's resource: in cluster mode its workload, or its process when it has no image."""
    processes = {resource.name: resource for resource in recording.local_resources}
    if mode == "cluster":
        return {**processes, **{resource.workload: resource for resource in recording.k8s_resources}}
    return processes


def local_only_problems(recording: Recording, platform: Platform) -> list[str]:
    """Cluster mode: a component without an image is a served process (with a readiness probe), never a
    workload; a component with one is never a process."""
    processes = {resource.name: resource for resource in recording.local_resources}
    workloads = {resource.workload for resource in recording.k8s_resources}
    problems = []
    for name in components(platform):
        if name in local_only(platform):
            if name in workloads:
                problems.append(f"{name}: has no image (local only) but is declared as a cluster workload")
            elif name not in processes or not processes[name].serve_cmd:
                problems.append(f"{name}: has no image (local only) but is not served as a local process")
            elif processes[name].readiness_probe is None:
                problems.append(f"{name}: local process without a readiness probe")
        elif name in processes:
            problems.append(f"{name}: has an image but runs as a local process, not in the cluster")
    return problems


def missing_components(recording: Recording, platform: Platform, mode: str) -> list[str]:
    declared = _component_resources(recording, mode)
    return [
        f"{name}: no {mode}-mode resource declared" for name in components(platform) if name not in declared
    ]


def dependency_mismatches(recording: Recording, platform: Platform, mode: str) -> list[str]:
    declared = _component_resources(recording, mode)
    problems = []
    for name, component in components(platform).items():
        if name in declared and declared[name].resource_deps != component.get("depends_on", []):
            problems.append(
                f"{name}: resource_deps {declared[name].resource_deps} but platform.yaml depends_on "
                f"{component.get('depends_on', [])}"
            )
    return problems


def unbuilt_images(recording: Recording, platform: Platform) -> list[str]:
    built = {build.ref for build in recording.docker_builds}
    return [
        f"{name}: image {component['image']} is not built"
        for name, component in components(platform).items()
        if str(component.get("image", "")).startswith("contoso-shop/") and component["image"] not in built
    ]


def port_forward_problems(recording: Recording, platform: Platform) -> list[str]:
    """Every port of every workload forwarded on the same port as `make up`, no local port twice (nor one a
    local process beside the cluster listens on)."""
    problems = []
    owners: dict[int, list[str]] = defaultdict(list)
    for resource in recording.k8s_resources:
        forwarded = {
            forward.name: (forward.local_port, forward.container_port) for forward in resource.port_forwards
        }
        expected = components(platform).get(resource.workload, {}).get("ports", {})
        if forwarded != {name: (port, port) for name, port in expected.items()}:
            problems.append(f"{resource.workload}: port forwards {forwarded}, platform.yaml ports {expected}")
        for forward in resource.port_forwards:
            owners[forward.local_port].append(f"{resource.workload}.{forward.name}")
    for name in local_only(platform):
        if any(resource.name == name for resource in recording.local_resources):
            for port_name, port in components(platform)[name]["ports"].items():
                owners[port].append(f"{name}.{port_name} (local process)")
    for port, names in sorted(owners.items()):
        if len(names) > 1:
            problems.append(f"local port {port} forwarded twice: {', '.join(names)}")
    return problems


def label_problems(recording: Recording, mode: str) -> list[str]:
    return [
        f"{name}: labels {resource.labels}, want one of {sorted(LABELS)}"
        for name, resource in _component_resources(recording, mode).items()
        if len(resource.labels) != 1 or resource.labels[0] not in LABELS
    ]


def readiness_problems(recording: Recording, platform: Platform) -> list[str]:
    """Process mode: each probe checks what platform.yaml's `ready` (else `health`) checks."""
    problems = []
    host = platform.get("defaults", {}).get("host", "127.0.0.1")
    for name, component in components(platform).items():
        resources = [resource for resource in recording.local_resources if resource.name == name]
        if not resources:
            continue
        probe = resources[0].readiness_probe
        check = component.get("ready") or component["health"]
        if probe is None:
            problems.append(f"{name}: no readiness probe")
        elif check.get("http"):
            http = probe.http_get or {}
            url = f"{http.get('scheme')}://{http.get('host')}:{http.get('port')}{http.get('path')}"
            expected = check["http"].replace("{host}", host)
            for port_name, port in component["ports"].items():
                expected = expected.replace(f"{{ports.{port_name}}}", str(port))
            if url != expected:
                problems.append(f"{name}: readiness probe GET {url}, platform.yaml checks {expected}")
        else:
            first_port = component["ports"][check["tcp"][0]]
            if (probe.tcp_socket or {}).get("port") != first_port:
                problems.append(
                    f"{name}: readiness probe {probe}, platform.yaml checks tcp port {first_port}"
                )
    return problems


def optional_group_problems(recording: Recording, platform: Platform) -> list[str]:
    """A component in an optional group (`group:`) is declared but not started by `tilt up`, as `make up`
    leaves it out unless asked; every other local process starts."""
    problems = []
    for resource in recording.local_resources:
        component = components(platform).get(resource.name)
        if component is None:
            continue
        if component.get("group") and resource.auto_init:
            problems.append(f"{resource.name}: in group {component['group']} but started by tilt up")
        if not component.get("group") and not resource.auto_init:
            problems.append(f"{resource.name}: not started by tilt up, though in no optional group")
    return problems

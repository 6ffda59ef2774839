"""Policy over rendered objects: what every overlay must hold beyond schema validity. Each check returns the
problems it finds, naming the object."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shopctl.platform import Platform

from shopk8s.manifests import Object, Problem, of_kind, pod_labels, pod_spec, ref
from shopk8s.nodepools import SPOT_LABEL, SPOT_VALUE
from shopk8s.platform import Probe, liveness, readiness


def _containers(objects: list[Object], *, init: bool = False) -> Iterator[tuple[Object, Object]]:
    """Each Deployment's containers, and with `init` its init containers too."""
    for deployment in of_kind(objects, "Deployment"):
        spec = pod_spec(deployment)
        for container in [*spec.get("initContainers", [])] * init + spec.get("containers", []):
            yield deployment, container


def _as_probe(probe: Object | None, ports: dict[int, str]) -> Probe | None:
    if probe is None:
        return None
    if "httpGet" in probe:
        port: Any = probe["httpGet"]["port"]
        return Probe("http", ports.get(port, str(port)), probe["httpGet"].get("path", "/"))
    if "tcpSocket" in probe:
        port = probe["tcpSocket"]["port"]
        return Probe("tcp", ports.get(port, str(port)))
    return Probe("exec", "")


def probes(objects: list[Object], platform: Platform) -> list[Problem]:
    """Liveness on the component's health check (/health), readiness on its ready check (/ready)."""
    problems = []
    for deployment, container in _containers(objects):
        name = deployment["metadata"]["name"]
        component = platform.components.get(name)
        if component is None:
            problems.append(Problem(ref(deployment), "not a component of harness/platform.yaml"))
            continue
        ports = {p["containerPort"]: p.get("name", "") for p in container.get("ports", [])}
        for field, allowed in (
            ("livenessProbe", liveness(component)),
            ("readinessProbe", readiness(component)),
        ):
            probe = _as_probe(container.get(field), ports)
            if probe is None:
                problems.append(Problem(ref(deployment), f"container {container['name']} has no {field}"))
            elif probe not in allowed:
                want = " or ".join(sorted(f"{p.kind} {p.path or ''} on port {p.port}" for p in allowed))
                problems.append(Problem(ref(deployment), f"{field} is {probe}, want {want}"))
        declared = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
        if declared != component.ports:
            problems.append(
                Problem(ref(deployment), f"ports {declared} differ from platform.yaml {component.ports}")
            )
    return problems


def hardening(objects: list[Object]) -> list[Problem]:
    """Requests and limits, non-root, read-only root filesystem, no privilege escalation, no capabilities."""
    problems = []
    for deployment, container in _containers(objects, init=True):
        pod_security = pod_spec(deployment).get("securityContext", {})
        security = container.get("securityContext", {})
        where = f"{ref(deployment)} container {container['name']}"
        resources = container.get("resources", {})
        for bound in ("requests", "limits"):
            missing = {"cpu", "memory"} - set(resources.get(bound, {}))
            if missing:
                problems.append(Problem(where, f"no {bound} for {', '.join(sorted(missing))}"))
        if not (security.get("runAsNonRoot") or pod_security.get("runAsNonRoot")):
            problems.append(Problem(where, "may run as root (runAsNonRoot not set)"))
        if security.get("readOnlyRootFilesystem") is not True:
            problems.append(Problem(where, "root filesystem is writable"))
        if security.get("allowPrivilegeEscalation") is not False:
            problems.append(Problem(where, "allowPrivilegeEscalation is not false"))
        if security.get("capabilities", {}).get("drop") != ["ALL"]:
            problems.append(Problem(where, "capabilities are not dropped (drop: [ALL])"))
    return problems


def image_tags(objects: list[Object]) -> list[Problem]:
    """Every image names a version: a tag other than `latest`, or a digest."""
    problems = []
    for deployment, container in _containers(objects, init=True):
        image: str = container["image"]
        if "@sha256:" in image:
            continue
        tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else None
        if tag in (None, "latest"):
            problems.append(
                Problem(ref(deployment), f"image {image} has no version (tag {tag or 'missing'})")
            )
    return problems


def image_names(objects: list[Object]) -> set[str]:
    """The repositories the overlay runs, without registry and tag (`contoso-shop/product`)."""
    names = set()
    for _, container in _containers(objects, init=True):
        repository = container["image"].split("@")[0]
        last = repository.rsplit("/", 1)
        if ":" in last[-1]:
            repository = repository.rsplit(":", 1)[0]
        parts = repository.split("/")
        if "." in parts[0] or ":" in parts[0] or parts[0] == "localhost":
            parts = parts[1:]
        names.add("/".join(parts))
    return names


def service_monitors(objects: list[Object]) -> list[Problem]:
    """Each ServiceMonitor selects exactly one Service of its namespace by labels, on a port it has."""
    problems = []
    services = of_kind(objects, "Service")
    for monitor in of_kind(objects, "ServiceMonitor"):
        wanted: dict[str, str] = monitor["spec"]["selector"].get("matchLabels", {})
        namespace = monitor["metadata"].get("namespace")
        matched = [
            s
            for s in services
            if s["metadata"].get("namespace") == namespace
            and wanted.items() <= s["metadata"].get("labels", {}).items()
        ]
        if len(matched) != 1:
            names = ", ".join(ref(s) for s in matched) or "none"
            problems.append(Problem(ref(monitor), f"selector {wanted} matches {names}, want one Service"))
            continue
        port_names = {p.get("name") for p in matched[0]["spec"]["ports"]}
        for endpoint in monitor["spec"].get("endpoints", []):
            if endpoint.get("port") not in port_names:
                problems.append(
                    Problem(
                        ref(monitor),
                        f"endpoint port {endpoint.get('port')!r} is not a port of {ref(matched[0])}",
                    )
                )
    return problems


# How the Prometheus operator finds ServiceMonitors (k8s/README.md, Monitoring).
WATCHED_NAMESPACE_LABEL = ("monitoring.contoso-shop.io/scrape", "true")
SERVICE_MONITOR_LABEL = ("monitoring.contoso-shop.io/prometheus", "shop")


def monitors_watched(objects: list[Object]) -> list[Problem]:
    """Each ServiceMonitor carries the label Prometheus selects on, in a namespace Prometheus watches."""
    watched = {
        n["metadata"]["name"]
        for n in of_kind(objects, "Namespace")
        if WATCHED_NAMESPACE_LABEL in n["metadata"].get("labels", {}).items()
    }
    problems = []
    for monitor in of_kind(objects, "ServiceMonitor"):
        if SERVICE_MONITOR_LABEL not in monitor["metadata"].get("labels", {}).items():
            problems.append(Problem(ref(monitor), f"lacks the label {'='.join(SERVICE_MONITOR_LABEL)}"))
        where = monitor["metadata"].get("namespace")
        if where not in watched:
            problems.append(
                Problem(ref(monitor), f"namespace {where} lacks {'='.join(WATCHED_NAMESPACE_LABEL)}")
            )
    return problems


def writable_mounts(deployment: Object, container_name: str) -> set[str]:
    """The paths a container may write: its volume mounts that are not read-only and not a ConfigMap,
    Secret or CSI volume."""
    spec = pod_spec(deployment)
    writable_volumes = {
        v["name"] for v in spec.get("volumes", []) if "emptyDir" in v or "persistentVolumeClaim" in v
    }
    container = next(c for c in spec["containers"] if c["name"] == container_name)
    return {
        m["mountPath"]
        for m in container.get("volumeMounts", [])
        if m["name"] in writable_volumes and not m.get("readOnly")
    }


def live_update_targets(objects: list[Object], synced: dict[str, set[str]]) -> list[Problem]:
    """Every path Tilt syncs into a container of an image (image -> paths) is a writable mount there."""
    problems = []
    for deployment, container in _containers(objects):
        image = container["image"].rsplit(":", 1)[0]
        for path in sorted(synced.get(image, set()) - writable_mounts(deployment, container["name"])):
            problems.append(
                Problem(ref(deployment), f"Tilt syncs into {path}, which is not a writable mount")
            )
    return problems


def namespace(objects: list[Object], expected: str) -> list[Problem]:
    """The overlay declares its namespace and puts every namespaced object in it."""
    problems = []
    declared = [ref(n) for n in of_kind(objects, "Namespace")]
    if declared != [f"Namespace/{expected}"]:
        problems.append(Problem("overlay", f"declares namespaces {declared}, want Namespace/{expected}"))
    for obj in objects:
        if obj["kind"] != "Namespace" and obj["metadata"].get("namespace") != expected:
            problems.append(
                Problem(ref(obj), f"namespace {obj['metadata'].get('namespace')}, want {expected}")
            )
    return problems


def availability(objects: list[Object]) -> list[Problem]:
    """Each service Deployment has an autoscaler aimed at it and a disruption budget selecting its pods."""
    problems = []
    scaled = {h["spec"]["scaleTargetRef"]["name"] for h in of_kind(objects, "HorizontalPodAutoscaler")}
    budgets = [b["spec"]["selector"].get("matchLabels", {}) for b in of_kind(objects, "PodDisruptionBudget")]
    for deployment in of_kind(objects, "Deployment"):
        if pod_labels(deployment).get("app.kubernetes.io/component") != "service":
            continue
        if deployment["metadata"]["name"] not in scaled:
            problems.append(Problem(ref(deployment), "no HorizontalPodAutoscaler"))
        if not any(b and b.items() <= pod_labels(deployment).items() for b in budgets):
            problems.append(Problem(ref(deployment), "no PodDisruptionBudget"))
    return problems


def cluster_workloads(objects: list[Object], platform: Platform) -> list[Problem]:
    """Deployments run only components with an image: one without (a local stand-in) is never a workload."""
    problems = []
    for deployment in of_kind(objects, "Deployment"):
        component = platform.components.get(deployment["metadata"]["name"])
        if component is not None and not component.image:
            problems.append(
                Problem(ref(deployment), "its component has no image in harness/platform.yaml (local only)")
            )
    return problems


def _tolerates_spot(pod: Object) -> bool:
    return any(
        t.get("key") == SPOT_LABEL
        and t.get("effect") == "NoSchedule"
        and (
            t.get("operator") == "Exists"
            or (t.get("operator", "Equal") == "Equal" and t.get("value") == SPOT_VALUE)
        )
        for t in pod.get("tolerations", [])
    )


def _prefers_spot(pod: Object) -> bool:
    preferred = (
        pod.get("affinity", {})
        .get("nodeAffinity", {})
        .get("preferredDuringSchedulingIgnoredDuringExecution", [])
    )
    return any(
        e.get("key") == SPOT_LABEL and e.get("operator") == "In" and SPOT_VALUE in e.get("values", [])
        for term in preferred
        for e in term.get("preference", {}).get("matchExpressions", [])
    )


def spot_scheduling(objects: list[Object], spot_pool: bool) -> list[Problem]:
    """With a spot pool, each service tolerates its taint and prefers its nodes; without one, none asks for
    spot nodes."""
    problems = []
    for deployment in of_kind(objects, "Deployment"):
        if pod_labels(deployment).get("app.kubernetes.io/component") != "service":
            continue
        pod = pod_spec(deployment)
        tolerates, prefers = _tolerates_spot(pod), _prefers_spot(pod)
        if spot_pool and not tolerates:
            problems.append(Problem(ref(deployment), f"does not tolerate the spot taint {SPOT_LABEL}=spot"))
        if spot_pool and not prefers:
            problems.append(Problem(ref(deployment), f"has no preferred node affinity for {SPOT_LABEL}=spot"))
        if not spot_pool and (tolerates or prefers):
            problems.append(
                Problem(ref(deployment), "asks for spot nodes in an environment without a spot pool")
            )
    return problems

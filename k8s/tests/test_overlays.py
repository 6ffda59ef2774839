"""Every overlay renders, is valid for Kubernetes 1.33 and the CRD schemas, and keeps the policies."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from shopctl.platform import Platform
from shopk8s import network, platform, policy, schemas
from shopk8s.layout import NAMESPACES, OVERLAYS, REPO_ROOT, SCALED_OVERLAYS
from shopk8s.manifests import Object, of_kind, render


def live_update_syncs() -> dict[str, set[str]]:
    """image -> the container paths Tilt's live update syncs into (tilt/builds.yaml)."""
    builds = yaml.safe_load((REPO_ROOT / "tilt" / "builds.yaml").read_text())["images"]
    return {
        image: set(b["live_update"]["sync"].values()) for image, b in builds.items() if "live_update" in b
    }


def _messages(problems: list[object]) -> list[str]:
    return [str(p) for p in problems]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_objects_match_kubernetes_and_crd_schemas(
    rendered: dict[str, list[Object]], overlay: str
) -> None:
    assert _messages(schemas.validate(rendered[overlay])) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_probes_follow_platform_health_and_ready_checks(
    rendered: dict[str, list[Object]], shop_platform: Platform, overlay: str
) -> None:
    assert _messages(policy.probes(rendered[overlay], shop_platform)) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_containers_have_limits_and_run_unprivileged(rendered: dict[str, list[Object]], overlay: str) -> None:
    assert _messages(policy.hardening(rendered[overlay])) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_images_name_a_version(rendered: dict[str, list[Object]], overlay: str) -> None:
    assert _messages(policy.image_tags(rendered[overlay])) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_service_monitors_select_their_service_and_port(
    rendered: dict[str, list[Object]], overlay: str
) -> None:
    assert _messages(policy.service_monitors(rendered[overlay])) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_service_monitors_are_where_prometheus_looks(rendered: dict[str, list[Object]], overlay: str) -> None:
    assert _messages(policy.monitors_watched(rendered[overlay])) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_overlay_lives_in_its_own_namespace(rendered: dict[str, list[Object]], overlay: str) -> None:
    assert _messages(policy.namespace(rendered[overlay], NAMESPACES[overlay])) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_is_under_network_policy(rendered: dict[str, list[Object]], overlay: str) -> None:
    assert _messages(network.coverage(rendered[overlay])) == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_allows_exactly_the_calls_of_the_platform(
    rendered: dict[str, list[Object]], shop_platform: Platform, overlay: str
) -> None:
    assert _messages(network.flow_problems(rendered[overlay], platform.flows(shop_platform))) == []


def test_kind_network_allows_every_call_of_make_up(
    rendered: dict[str, list[Object]], shop_platform: Platform
) -> None:
    cluster_components = {d["metadata"]["name"] for d in of_kind(rendered["kind"], "Deployment")}
    calls = {
        f
        for f in platform.flows(shop_platform)
        if f.source in cluster_components and f.destination in cluster_components
    }
    assert calls <= network.allowed_flows(rendered["kind"])
    assert len(calls) >= 14


@pytest.mark.parametrize("overlay", SCALED_OVERLAYS)
def test_scaled_environments_have_autoscalers_and_disruption_budgets(
    rendered: dict[str, list[Object]], overlay: str
) -> None:
    assert of_kind(rendered[overlay], "HorizontalPodAutoscaler")
    assert _messages(policy.availability(rendered[overlay])) == []


def test_every_overlay_runs_the_same_service_images(
    rendered: dict[str, list[Object]], shop_platform: Platform
) -> None:
    services = {
        platform.own_images(shop_platform)[d["metadata"]["name"]]
        for d in of_kind(rendered["kind"], "Deployment")
        if d["metadata"]["labels"].get("app.kubernetes.io/component") == "service"
    }
    assert len(services) >= 7
    for overlay in OVERLAYS:
        names = policy.image_names(rendered[overlay])
        assert services <= names, overlay
        assert names - services <= {"contoso-shop/" + n for n in shop_platform.components} | {
            "azure-storage/azurite"
        }, overlay


def test_kind_settings_point_at_the_emulators_on_platform_ports(
    rendered: dict[str, list[Object]], shop_platform: Platform
) -> None:
    """Each service's kind settings hold every key platform.yaml gives it, and `{host}:{X.ports.Y}` becomes
    the Service X on that port."""
    deployments = {d["metadata"]["name"]: d for d in of_kind(rendered["kind"], "Deployment")}
    config_maps = {c["metadata"]["name"]: c["data"] for c in of_kind(rendered["kind"], "ConfigMap")}
    for name, deployment in deployments.items():
        env = shop_platform.components[name].env
        if not env:
            continue
        source = deployment["spec"]["template"]["spec"]["containers"][0]["envFrom"][0]["configMapRef"]["name"]
        settings = config_maps[source]
        assert set(env) <= set(settings), name
        for key, value in env.items():
            for other, port_name in platform._PORT_REF.findall(value):
                port = shop_platform.components[other].ports[port_name]
                if f"{{host}}:{{{other}.ports.{port_name}}}" in value:
                    # A local-only component runs on the developer's machine, beside the cluster.
                    peer = (
                        platform.HOST_FROM_KIND_PODS if other in platform.local_only(shop_platform) else other
                    )
                    assert f"{peer}:{port}" in settings[key], f"{name} {key}"


def test_kind_lets_tilt_sync_into_every_live_update_path(rendered: dict[str, list[Object]]) -> None:
    """tilt/builds.yaml's live-update sync targets are writable mounts of the containers running those images
    (the root filesystem stays read-only)."""
    synced = live_update_syncs()
    assert synced
    assert _messages(policy.live_update_targets(rendered["kind"], synced)) == []


def test_unknown_field_fails_schema_validation_naming_the_object(k8s_copy: Path) -> None:
    service = k8s_copy / "base" / "order" / "service.yaml"
    service.write_text(service.read_text().replace("  selector:\n", "  selectr:\n  selector:\n"))
    problems = _messages(schemas.validate(render(k8s_copy / "overlays" / "dev")))
    assert any(p.startswith("Service/order: ") and "selectr" in p for p in problems), problems


def test_service_monitor_missing_a_required_field_fails_its_crd_schema(k8s_copy: Path) -> None:
    monitor = k8s_copy / "base" / "payment" / "servicemonitor.yaml"
    monitor.write_text(monitor.read_text().replace("  selector:\n", "  notSelector:\n"))
    problems = _messages(schemas.validate(render(k8s_copy / "overlays" / "prod")))
    assert any(p.startswith("ServiceMonitor/payment: ") for p in problems), problems

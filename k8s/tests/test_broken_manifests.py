"""The policies bite: a broken copy of the manifests fails, naming the object at fault."""

from __future__ import annotations

from pathlib import Path

from shopctl.platform import Platform
from shopk8s import network, platform, policy
from shopk8s.manifests import render


def _messages(problems: list[object]) -> list[str]:
    return [str(p) for p in problems]


def test_removed_readiness_probe_fails_naming_the_deployment(k8s_copy: Path, shop_platform: Platform) -> None:
    deployment = k8s_copy / "base" / "product" / "deployment.yaml"
    text = deployment.read_text()
    start = text.index("          readinessProbe:")
    end = text.index("          resources:")
    deployment.write_text(text[:start] + text[end:])
    problems = _messages(policy.probes(render(k8s_copy / "overlays" / "kind"), shop_platform))
    assert problems == ["Deployment/product: container product has no readinessProbe"]


def test_liveness_on_ready_fails_naming_the_deployment(k8s_copy: Path, shop_platform: Platform) -> None:
    deployment = k8s_copy / "base" / "notification" / "deployment.yaml"
    text = deployment.read_text()
    deployment.write_text(text.replace("              path: /health\n", "              path: /ready\n", 1))
    problems = _messages(policy.probes(render(k8s_copy / "overlays" / "dev"), shop_platform))
    assert len(problems) == 1
    assert problems[0].startswith("Deployment/notification: livenessProbe is ")


def test_service_monitor_selector_that_no_longer_matches_fails(k8s_copy: Path) -> None:
    monitor = k8s_copy / "base" / "order" / "servicemonitor.yaml"
    monitor.write_text(
        monitor.read_text().replace(
            "      app.kubernetes.io/name: order\n", "      app.kubernetes.io/name: orders\n"
        )
    )
    problems = _messages(policy.service_monitors(render(k8s_copy / "overlays" / "staging")))
    assert len(problems) == 1
    assert problems[0].startswith("ServiceMonitor/order: selector ")
    assert "'orders'" in problems[0]
    assert problems[0].endswith("matches none, want one Service")


def test_service_monitor_on_a_port_the_service_lacks_fails(k8s_copy: Path) -> None:
    monitor = k8s_copy / "base" / "frontend" / "servicemonitor.yaml"
    monitor.write_text(monitor.read_text().replace("    - port: http\n", "    - port: metrics\n"))
    problems = _messages(policy.service_monitors(render(k8s_copy / "overlays" / "prod")))
    assert problems == ["ServiceMonitor/frontend: endpoint port 'metrics' is not a port of Service/frontend"]


def test_writable_root_filesystem_fails_naming_the_container(k8s_copy: Path) -> None:
    emulator = k8s_copy / "components" / "emulators" / "mailbox.yaml"
    emulator.write_text(
        emulator.read_text().replace("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false")
    )
    problems = _messages(policy.hardening(render(k8s_copy / "overlays" / "kind")))
    assert problems == ["Deployment/mailbox container mailbox: root filesystem is writable"]


def test_latest_tag_fails_naming_the_deployment(k8s_copy: Path) -> None:
    overlay = k8s_copy / "overlays" / "staging" / "kustomization.yaml"
    text = overlay.read_text()
    marker = "    newName: crcontososhop.azurecr.io/contoso-shop/order\n    newTag: unreleased\n"
    overlay.write_text(text.replace(marker, marker.replace("unreleased", "latest")))
    problems = _messages(policy.image_tags(render(k8s_copy / "overlays" / "staging")))
    assert problems == [
        "Deployment/order: image crcontososhop.azurecr.io/contoso-shop/order:latest"
        " has no version (tag latest)"
    ]


def test_missing_flow_and_extra_flow_fail_naming_the_source(k8s_copy: Path, shop_platform: Platform) -> None:
    egress = k8s_copy / "components" / "emulators" / "network" / "payment-worker-egress.yaml"
    egress.write_text(egress.read_text().replace("port: 10002", "port: 10000"))
    ingress = k8s_copy / "components" / "emulators" / "network" / "azurite-ingress.yaml"
    ingress.write_text(
        ingress.read_text().replace(
            "app.kubernetes.io/name: product\n", "app.kubernetes.io/name: payment-worker\n", 1
        )
    )
    problems = _messages(
        network.flow_problems(render(k8s_copy / "overlays" / "kind"), platform.flows(shop_platform))
    )
    assert "Deployment/payment-worker: cannot reach azurite on port 10002" in problems
    assert "Deployment/payment-worker: may reach azurite on port 10000, which it never calls" in problems


def test_deployment_outside_every_policy_fails_coverage(k8s_copy: Path) -> None:
    deny = k8s_copy / "base" / "network" / "default-deny.yaml"
    deny.write_text(
        deny.read_text().replace(
            "  podSelector: {}\n", "  podSelector:\n    matchLabels:\n      tier: none\n"
        )
    )
    dns = k8s_copy / "base" / "network" / "allow-dns.yaml"
    dns.write_text(
        dns.read_text().replace("  podSelector: {}\n", "  podSelector:\n    matchLabels:\n      tier: none\n")
    )
    problems = _messages(network.coverage(render(k8s_copy / "overlays" / "dev")))
    assert "Deployment/frontend: no NetworkPolicy governs its egress" in problems


def test_staging_without_disruption_budgets_fails(k8s_copy: Path) -> None:
    component = k8s_copy / "components" / "availability" / "kustomization.yaml"
    component.write_text(component.read_text().replace("  - pdb.yaml\n", ""))
    problems = _messages(policy.availability(render(k8s_copy / "overlays" / "staging")))
    assert "Deployment/payment-worker: no PodDisruptionBudget" in problems


def test_namespace_prometheus_does_not_watch_fails_naming_the_monitors(k8s_copy: Path) -> None:
    namespace = k8s_copy / "overlays" / "dev" / "namespace.yaml"
    namespace.write_text(namespace.read_text().replace('scrape: "true"', 'scrape: "false"'))
    problems = _messages(policy.monitors_watched(render(k8s_copy / "overlays" / "dev")))
    assert len(problems) == 7
    assert (
        "ServiceMonitor/product: namespace contoso-shop-dev lacks monitoring.contoso-shop.io/scrape=true"
        in problems
    )


def test_kind_without_live_update_mounts_fails_naming_the_deployments(k8s_copy: Path) -> None:
    overlay = k8s_copy / "overlays" / "kind" / "kustomization.yaml"
    overlay.write_text(overlay.read_text().replace("  - path: live-update.yaml\n", ""))
    synced = {"contoso-shop/order": {"/app/services/order/dist"}}
    problems = _messages(policy.live_update_targets(render(k8s_copy / "overlays" / "kind"), synced))
    assert problems == [
        "Deployment/order: Tilt syncs into /app/services/order/dist, which is not a writable mount"
    ]

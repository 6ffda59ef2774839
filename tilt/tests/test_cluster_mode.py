"""`tilt up` (cluster mode): our images built with live update, the kind overlay applied, one resource per
component with the ports, dependencies, links and labels of harness/platform.yaml."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from shoptilt import checks
from shoptilt.recorder import Recording

REPO = Path(__file__).resolve().parents[2]


def test_every_component_with_an_image_is_a_kubernetes_resource(
    cluster: Recording, platform: dict[str, Any]
) -> None:
    assert checks.missing_components(cluster, platform, "cluster") == []
    with_image = [name for name, component in platform["components"].items() if component.get("image")]
    assert sorted(r.workload for r in cluster.k8s_resources) == sorted(with_image)


def test_components_without_an_image_are_served_beside_the_cluster(
    cluster: Recording, platform: dict[str, Any]
) -> None:
    """The local stand-ins (the release-approval page among them) run as processes with readiness probes."""
    assert checks.local_only(platform), "no local-only component in platform.yaml to check"
    assert checks.local_only_problems(cluster, platform) == []
    assert checks.readiness_problems(cluster, platform) == []
    approvals = cluster.local_resource("approvals")
    assert ".venv/bin/release-approvals-standin" in approvals.serve_cmd
    assert checks.optional_group_problems(cluster, platform) == []
    assert approvals.resource_deps == platform["components"]["approvals"].get("depends_on", [])


def test_resource_dependencies_are_platform_depends_on(cluster: Recording, platform: dict[str, Any]) -> None:
    assert checks.dependency_mismatches(cluster, platform, "cluster") == []


def test_every_image_of_ours_is_built_and_upstream_images_are_pulled(
    cluster: Recording, platform: dict[str, Any]
) -> None:
    assert checks.unbuilt_images(cluster, platform) == []
    ours = {
        c["image"] for c in platform["components"].values() if c.get("image", "").startswith("contoso-shop/")
    }
    assert sorted(build.ref for build in cluster.docker_builds) == sorted(ours)
    assert all(build.context == "." for build in cluster.docker_builds)


def test_port_forwards_are_the_make_up_ports_without_clashes(
    cluster: Recording, platform: dict[str, Any]
) -> None:
    assert checks.port_forward_problems(cluster, platform) == []


def test_resources_are_grouped_as_services_emulators_storage(cluster: Recording) -> None:
    assert checks.label_problems(cluster, "cluster") == []
    labels = {r.workload: r.labels[0] for r in cluster.k8s_resources}
    assert labels["azurite"] == labels["cosmos"] == "storage"
    assert labels["servicebus"] == labels["eventhubs"] == labels["mailbox"] == "emulators"
    assert labels["product"] == labels["order"] == labels["frontend"] == "services"


def test_links_are_the_platform_urls_on_forwarded_ports(cluster: Recording) -> None:
    product = cluster.k8s_resource("product")
    assert {link.name: link.url for link in product.links} == {
        "api": "http://127.0.0.1:8001/products",
        "docs": "http://127.0.0.1:8001/docs",
        "metrics": "http://127.0.0.1:8001/metrics",
    }


def test_the_kind_overlay_is_applied(cluster: Recording) -> None:
    assert cluster.k8s_yaml == ["kustomize:k8s/overlays/kind"]


def test_every_resource_names_a_workload_of_the_kind_overlay(cluster: Recording) -> None:
    if cluster.rendered_workloads is None:
        pytest.skip("k8s/overlays/kind is not in this checkout (or kubectl is missing): nothing rendered")
    missing = sorted({r.workload for r in cluster.k8s_resources} - set(cluster.rendered_workloads))
    assert missing == [], f"k8s_resource names no workload of k8s/overlays/kind: {missing}"


def test_every_image_of_ours_in_the_overlay_is_one_tilt_builds(cluster: Recording) -> None:
    """Tilt replaces an image it builds wherever the manifests name it, whatever their tag."""
    if cluster.rendered_images is None:
        pytest.skip("k8s/overlays/kind is not in this checkout (or kubectl is missing): nothing rendered")
    ours = {image.split(":")[0] for image in cluster.rendered_images if image.startswith("contoso-shop/")}
    assert sorted(ours - {build.ref for build in cluster.docker_builds}) == [], "pulled, never built"


def test_python_and_node_services_live_update_then_restart(cluster: Recording) -> None:
    service_dockerfiles = {"services/python-service.Dockerfile", "services/order/Dockerfile"}
    services = [build for build in cluster.docker_builds if build.dockerfile in service_dockerfiles]
    assert {build.ref for build in services} >= {
        "contoso-shop/product",
        "contoso-shop/payment",
        "contoso-shop/notification",
        "contoso-shop/order",
    }
    for build in services:
        assert build.syncs, f"{build.ref}: no live update sync"
        assert build.restart_entrypoint, f"{build.ref}: live update does not restart the process"


def _python_version(dockerfile: Path) -> str:
    found = re.search(r"^FROM python:(\d+\.\d+)", dockerfile.read_text(), flags=re.MULTILINE)
    assert found, f"{dockerfile}: no python base image"
    return found.group(1)


def test_python_syncs_land_on_the_installed_packages(cluster: Recording) -> None:
    """Source folders synced over the package the image installed, under the image's Python version."""
    python = _python_version(REPO / "services" / "python-service.Dockerfile")
    site_packages = f"/opt/venv/lib/python{python}/site-packages/"
    for build in cluster.docker_builds:
        if build.dockerfile != "services/python-service.Dockerfile":
            continue
        for step in build.syncs:
            assert (REPO / step.local / "__init__.py").is_file(), (
                f"{build.ref}: {step.local} is not a package"
            )
            assert step.remote == site_packages + Path(step.local).name, f"{build.ref}: {step}"


def test_python_restart_entrypoints_are_the_services_console_scripts(cluster: Recording) -> None:
    for build in cluster.docker_builds:
        if build.dockerfile != "services/python-service.Dockerfile":
            continue
        service = build.build_args["SERVICE"]
        project = tomllib.loads((REPO / "services" / service / "pyproject.toml").read_text())
        assert build.restart_entrypoint is not None
        assert build.restart_entrypoint[0] in project["project"]["scripts"], build.ref


def test_order_live_update_syncs_what_its_compile_resource_builds(cluster: Recording) -> None:
    order = next(build for build in cluster.docker_builds if build.ref == "contoso-shop/order")
    package = json.loads((REPO / "services" / "order" / "package.json").read_text())
    # A live update restarts order the way its image starts it (the same V8 flags), on the compiled main.
    entrypoint = next(
        json.loads(line.removeprefix("ENTRYPOINT "))
        for line in (REPO / "services" / "order" / "Dockerfile").read_text().splitlines()
        if line.startswith("ENTRYPOINT ")
    )
    assert order.restart_entrypoint == entrypoint
    assert entrypoint[0] == "node"
    assert entrypoint[-1] == package["main"]
    compile_step = cluster.local_resource("order-compile")
    assert compile_step.cmd[:3] == ["npm", "run", "build"]
    assert compile_step.deps == ["services/order/src"]
    assert [(s.local, s.remote) for s in order.syncs] == [("services/order/dist", "/app/services/order/dist")]


def test_product_seed_runs_from_the_host_through_the_port_forwards(
    cluster: Recording, platform: dict[str, Any]
) -> None:
    seed = cluster.local_resource("seed")
    assert seed.cmd == platform["tasks"]["seed"]["command"]
    assert seed.resource_deps == platform["tasks"]["seed"]["needs"]
    assert seed.env["PRODUCT_COSMOS_ENDPOINT"] == "http://127.0.0.1:8081/"
    assert (
        "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;" in seed.env["PRODUCT_BLOB_CONNECTION_STRING"]
    )


def test_the_emulator_admin_token_secret_is_made_in_the_kind_namespace(cluster: Recording) -> None:
    # The emulators' Deployments read EMULATOR_ADMIN_TOKEN from this Secret; it is made per cluster, never
    # committed, so the Tiltfile must create it where the kind overlay puts the emulators.
    [command] = cluster.local_commands
    overlay = yaml.safe_load((REPO / "k8s/overlays/kind/kustomization.yaml").read_text())
    assert f"-n {overlay['namespace']} create secret generic emulator-admin-token" in command[-1]
    for emulator in ("servicebus", "eventhubs", "mailbox"):
        manifest = (REPO / f"k8s/components/emulators/{emulator}.yaml").read_text()
        assert "name: emulator-admin-token" in manifest, emulator

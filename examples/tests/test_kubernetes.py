"""examples/kubernetes/deployment-with-probes.yaml: the k8s checks (kubernetes-validate for 1.33, the
policy over rendered objects: probes as harness/platform.yaml says, limits, non-root, image versions;
checkov), and in step with k8s/base/product (probe paths and ports, container and Service ports, security
contexts, image)."""

from __future__ import annotations

from pathlib import Path

from conftest import ContainerScan
from examples_testing import MANIFEST, broken_copy, load_manifest, manifest_drift
from shopctl.platform import Platform
from shopk8s import policy
from shopk8s.schemas import validate as validate_schemas


def _policy_problems(path: Path, shop_platform: Platform) -> list[str]:
    objects = load_manifest(path)
    found = [
        *validate_schemas(objects),
        *policy.probes(objects, shop_platform),
        *policy.hardening(objects),
        *policy.image_tags(objects),
    ]
    return [f"{path}: {problem}" for problem in found]


def test_example_is_valid_kubernetes_and_keeps_the_policies(shop_platform: Platform) -> None:
    objects = load_manifest(MANIFEST)
    assert sorted(o["kind"] for o in objects) == ["Deployment", "NetworkPolicy", "Service"]
    assert _policy_problems(MANIFEST, shop_platform) == []


def test_policy_fails_a_copy_with_readiness_on_health_naming_the_deployment(
    tmp_path: Path, shop_platform: Platform
) -> None:
    copy = broken_copy(MANIFEST, tmp_path, "path: /ready", "path: /health")
    problems = _policy_problems(copy, shop_platform)
    assert any(p.startswith(f"{copy}: Deployment/product: readinessProbe") for p in problems), problems


def test_schema_fails_a_copy_with_an_unknown_field_naming_the_deployment(
    tmp_path: Path, shop_platform: Platform
) -> None:
    copy = broken_copy(MANIFEST, tmp_path, "periodSeconds: 10", "periodSecond: 10")
    problems = _policy_problems(copy, shop_platform)
    assert any(p.startswith(f"{copy}: Deployment/product:") and "periodSecond" in p for p in problems), (
        problems
    )


def test_example_passes_checkov(container_checkov: ContainerScan) -> None:
    assert [p for p in container_checkov.problems if str(container_checkov.manifest) in p] == []


def test_checkov_fails_a_privileged_copy_naming_it(container_checkov: ContainerScan) -> None:
    # checkov names files relative to where it ran (`/../pytest-of-…` when the repo sits beside the temp
    # folder), so the copy is matched by its last folders, not its absolute path.
    copy = "/".join(container_checkov.broken_manifest.parts[-3:])
    failed = [p for p in container_checkov.problems if copy in p]
    assert any("CKV_K8S_16" in p and "product" in p for p in failed), container_checkov.problems


def test_example_is_in_step_with_the_product_base(shop_platform: Platform) -> None:
    assert manifest_drift(MANIFEST, shop_platform) == []


def test_in_step_fails_when_a_probe_path_differs(tmp_path: Path, shop_platform: Platform) -> None:
    copy = broken_copy(MANIFEST, tmp_path, "path: /ready", "path: /readyz")
    problems = manifest_drift(copy, shop_platform)
    assert any(p.startswith(f"{copy}: readinessProbe") and "/readyz" in p for p in problems), problems


def test_in_step_fails_when_the_port_differs(tmp_path: Path, shop_platform: Platform) -> None:
    copy = broken_copy(MANIFEST, tmp_path, "containerPort: 8001", "containerPort: 8080")
    problems = manifest_drift(copy, shop_platform)
    assert any(p.startswith(f"{copy}: ports") for p in problems), problems

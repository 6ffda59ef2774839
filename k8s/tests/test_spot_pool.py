"""The services prefer the AKS spot pool where the environment has one (infra/env/<env>.bicepparam
`nodePools.spotMaxCount` > 0: dev and staging), tolerating its taint; where it has none (prod, kind) no
service asks for spot nodes."""

from __future__ import annotations

from pathlib import Path

import pytest
from shopk8s import nodepools, policy
from shopk8s.layout import AZURE_OVERLAYS, INFRA_PARAMETERS_DIR, OVERLAYS
from shopk8s.manifests import Object, render


def _has_spot_pool(overlay: str) -> bool:
    if overlay not in AZURE_OVERLAYS:
        return False
    return nodepools.has_spot_pool(INFRA_PARAMETERS_DIR / f"{overlay}.bicepparam")


def test_dev_and_staging_have_a_spot_pool_and_prod_has_none() -> None:
    assert {overlay: _has_spot_pool(overlay) for overlay in OVERLAYS} == {
        "kind": False,
        "dev": True,
        "staging": True,
        "prod": False,
    }


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_use_the_spot_pool_where_there_is_one(
    rendered: dict[str, list[Object]], overlay: str
) -> None:
    assert [str(p) for p in policy.spot_scheduling(rendered[overlay], _has_spot_pool(overlay))] == []


def test_staging_without_the_spot_toleration_fails_naming_each_service(k8s_copy: Path) -> None:
    overlay = k8s_copy / "overlays" / "staging" / "kustomization.yaml"
    text = overlay.read_text()
    start = text.index("      - op: add\n        path: /spec/template/spec/tolerations\n")
    end = text.index("      - op: add\n        path: /spec/template/spec/affinity\n")
    overlay.write_text(text[:start] + text[end:])
    problems = [str(p) for p in policy.spot_scheduling(render(k8s_copy / "overlays" / "staging"), True)]
    assert len(problems) == 7
    assert (
        "Deployment/analytics: does not tolerate the spot taint kubernetes.azure.com/scalesetpriority=spot"
        in (problems)
    )


def test_prod_asking_for_spot_nodes_fails(k8s_copy: Path) -> None:
    staging = (k8s_copy / "overlays" / "staging" / "kustomization.yaml").read_text()
    start = staging.index("  # The AKS spot pool")
    end = staging.index("images:\n")
    prod = k8s_copy / "overlays" / "prod" / "kustomization.yaml"
    prod.write_text(prod.read_text().replace("\nimages:\n", "\n" + staging[start:end] + "images:\n"))
    problems = [str(p) for p in policy.spot_scheduling(render(k8s_copy / "overlays" / "prod"), False)]
    assert "Deployment/order: asks for spot nodes in an environment without a spot pool" in problems


def test_a_parameter_file_without_a_spot_count_is_refused(tmp_path: Path) -> None:
    source = (INFRA_PARAMETERS_DIR / "dev.bicepparam").read_text()
    broken = tmp_path / "dev.bicepparam"
    broken.write_text(source.replace("  spotMaxCount: 3\n", ""))
    with pytest.raises(ValueError, match=r"dev\.bicepparam: nodePools\.spotMaxCount"):
        nodepools.has_spot_pool(broken)

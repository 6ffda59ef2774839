"""Components without an image in harness/platform.yaml (the local stand-ins) are local only: no bake target,
no workload in any overlay, and the container test backend leaves them out or refuses them by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from shopctl.containers.spec import container_specs
from shopctl.errors import PlatformFileError
from shopctl.platform import Platform, load_platform
from shopk8s import bake, platform, policy
from shopk8s.layout import BAKE_FILE, OVERLAYS, PLATFORM_FILE
from shopk8s.manifests import Object, of_kind, render


def _platform_copy(tmp_path: Path, change: dict[str, dict[str, object]]) -> Platform:
    raw = yaml.safe_load(PLATFORM_FILE.read_text())
    for name, fields in change.items():
        raw["components"][name].update(fields)
    path = tmp_path / "platform.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return load_platform(path)


def test_the_platform_has_local_only_components(shop_platform: Platform) -> None:
    assert "approvals" in platform.local_only(shop_platform)


def test_no_image_is_built_for_a_local_only_component(shop_platform: Platform) -> None:
    targets = set(bake.image_targets(BAKE_FILE))
    assert sorted(targets & set(platform.local_only(shop_platform))) == []
    assert sorted(targets) == sorted(platform.own_images(shop_platform))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_overlay_runs_a_local_only_component(
    rendered: dict[str, list[Object]], shop_platform: Platform, overlay: str
) -> None:
    assert [str(p) for p in policy.cluster_workloads(rendered[overlay], shop_platform)] == []


def test_kind_runs_exactly_the_components_with_images(
    rendered: dict[str, list[Object]], shop_platform: Platform
) -> None:
    deployed = sorted(d["metadata"]["name"] for d in of_kind(rendered["kind"], "Deployment"))
    assert deployed == sorted(platform.with_images(shop_platform))


def test_a_workload_for_a_local_only_component_is_reported(k8s_copy: Path, shop_platform: Platform) -> None:
    """Bite: the approvals stand-in deployed as if it were a service fails, naming the Deployment."""
    stand_in = k8s_copy / "base" / "approvals"
    shutil.copytree(k8s_copy / "base" / "frontend", stand_in)
    for file in stand_in.iterdir():
        file.write_text(file.read_text().replace("frontend", "approvals"))
    base = k8s_copy / "base" / "kustomization.yaml"
    base.write_text(base.read_text().replace("  - frontend\n", "  - frontend\n  - approvals\n"))
    problems = [
        str(p) for p in policy.cluster_workloads(render(k8s_copy / "overlays" / "dev"), shop_platform)
    ]
    assert problems == [
        "Deployment/approvals: its component has no image in harness/platform.yaml (local only)"
    ]


def test_a_bake_target_for_a_component_that_lost_its_image_is_a_mismatch(tmp_path: Path) -> None:
    """Bite: mailbox made local only while docker-bake.hcl still builds it."""
    changed = _platform_copy(tmp_path, {"mailbox": {"image": None}})
    targets = set(bake.image_targets(BAKE_FILE))
    assert sorted(targets - set(platform.own_images(changed))) == ["mailbox"]


def test_container_backend_leaves_local_only_components_out(shop_platform: Platform) -> None:
    """By default: every component that, with all it depends on, has an image."""
    started = {spec.name for spec in container_specs(shop_platform)}
    assert started == {
        name
        for name in platform.with_images(shop_platform)
        if not set(shop_platform.with_dependencies([name])) & set(platform.local_only(shop_platform))
    }
    assert {"product", "order", "frontend"} <= started
    assert not started & set(platform.local_only(shop_platform))


def test_container_backend_refuses_a_local_only_component_asked_for(shop_platform: Platform) -> None:
    with pytest.raises(
        PlatformFileError, match=r"components\.approvals: no image: it is local only .*\(named\)"
    ):
        container_specs(shop_platform, ["approvals"])


def test_container_backend_refuses_a_container_that_needs_a_local_only_one(tmp_path: Path) -> None:
    changed = _platform_copy(tmp_path, {"frontend": {"depends_on": ["product", "order", "approvals"]}})
    with pytest.raises(PlatformFileError, match=r"components\.approvals: no image.*\(needed by frontend\)"):
        container_specs(changed, ["frontend"])

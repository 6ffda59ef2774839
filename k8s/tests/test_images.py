"""docker-bake.hcl builds exactly the `contoso-shop/*` images of platform.yaml, each from a Dockerfile that
exists, with the pipelines' tags and the OCI labels."""

from __future__ import annotations

import json

from shopctl.platform import Platform
from shopk8s import bake, platform
from shopk8s.layout import BAKE_FILE, REPO_ROOT


def test_bake_targets_are_the_platform_images(shop_platform: Platform) -> None:
    assert sorted(bake.image_targets(BAKE_FILE)) == sorted(platform.own_images(shop_platform))


def test_each_target_is_tagged_for_the_registry_with_oci_labels(shop_platform: Platform) -> None:
    targets = bake.targets(BAKE_FILE)
    common = targets["_common"].labels
    assert {"org.opencontainers.image.source", "org.opencontainers.image.revision"} <= set(common)
    for name, target in bake.image_targets(BAKE_FILE).items():
        image = platform.own_images(shop_platform)[name]
        assert target.tags == [f"${{REGISTRY}}/{image}:${{TAG}}"], name
        assert target.inherits == ["_common"], name


def test_each_target_dockerfile_exists_with_its_dockerignore() -> None:
    missing = [
        f"{name}: {target.dockerfile}"
        for name, target in bake.image_targets(BAKE_FILE).items()
        if not target.dockerfile
        or not (REPO_ROOT / target.dockerfile).is_file()
        or not (REPO_ROOT / f"{target.dockerfile}.dockerignore").is_file()
    ]
    assert missing == []


def test_cosmos_image_installs_the_server_version_make_up_runs() -> None:
    pinned = json.loads((REPO_ROOT / "package.json").read_text())["devDependencies"][
        "@vercel/cosmosdb-server"
    ]
    assert f"@vercel/cosmosdb-server@{pinned}" in (REPO_ROOT / "emulators" / "cosmos.Dockerfile").read_text()

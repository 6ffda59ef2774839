"""tilt/builds.yaml builds each image as docker-bake.hcl does (same Dockerfile, fixed arguments, stage)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from shoptilt.bake import differences, read_bake

REPO = Path(__file__).resolve().parents[2]
BAKE_FILE = REPO / "docker-bake.hcl"

BAKE = """
variable "REGISTRY" { default = "localhost:5005" }
variable "TAG" { default = "dev" }
target "_common" {
  context = "."
  args = { REVISION = "${TAG}" }
}
target "python" {
  inherits = ["_common"]
  name = "python-${service}"
  matrix = { service = ["product", "payment"] }
  dockerfile = "services/python-service.Dockerfile"
  args = { SERVICE = "${service}" }
  tags = ["${REGISTRY}/contoso-shop/${service}:${TAG}"]
}
target "order" {
  inherits = ["_common"]
  dockerfile = "services/order/Dockerfile"
  tags = ["${REGISTRY}/contoso-shop/order:${TAG}"]
}
"""

MATCHING: dict[str, Any] = {
    "images": {
        "contoso-shop/product": {
            "dockerfile": "services/python-service.Dockerfile",
            "build_args": {"SERVICE": "product"},
        },
        "contoso-shop/payment": {
            "dockerfile": "services/python-service.Dockerfile",
            "build_args": {"SERVICE": "payment"},
        },
        "contoso-shop/order": {"dockerfile": "services/order/Dockerfile"},
    }
}


def test_builds_yaml_matches_the_repository_bake_file(builds: dict[str, Any]) -> None:
    if not BAKE_FILE.exists():
        pytest.skip("docker-bake.hcl is not in this checkout yet; compared once it is")
    assert differences(builds, read_bake(BAKE_FILE)) == []


def test_every_image_in_builds_yaml_is_one_a_component_runs(
    builds: dict[str, Any], platform: dict[str, Any]
) -> None:
    used = {component.get("image") for component in platform["components"].values()}
    assert sorted(set(builds["images"]) - used) == []


def test_bake_inherits_and_matrix_are_expanded(tmp_path: Path) -> None:
    bake = tmp_path / "docker-bake.hcl"
    bake.write_text(BAKE)
    found = {build.image: build for build in read_bake(bake)}
    assert sorted(found) == ["contoso-shop/order", "contoso-shop/payment", "contoso-shop/product"]
    assert found["contoso-shop/payment"].build_args == {"REVISION": "${TAG}", "SERVICE": "payment"}
    assert found["contoso-shop/payment"].target_name == "python-payment"
    assert differences(MATCHING, read_bake(bake)) == []


def test_a_different_dockerfile_argument_or_image_is_named(tmp_path: Path) -> None:
    bake = tmp_path / "docker-bake.hcl"
    bake.write_text(BAKE.replace('"services/order/Dockerfile"', '"services/order/Containerfile"'))
    builds = {
        "images": {
            **MATCHING["images"],
            "contoso-shop/payment": {
                "dockerfile": "services/python-service.Dockerfile",
                "build_args": {"SERVICE": "pay"},
            },
            "contoso-shop/mailbox": {"dockerfile": "emulators/mailbox/Dockerfile"},
        }
    }
    builds["images"].pop("contoso-shop/product")
    assert differences(builds, read_bake(bake)) == [
        "contoso-shop/mailbox: in tilt/builds.yaml, not built by docker-bake.hcl",
        "contoso-shop/product: built by docker-bake.hcl (target python-product), not in tilt/builds.yaml",
        "contoso-shop/order: dockerfile is 'services/order/Dockerfile' in tilt/builds.yaml, "
        "'services/order/Containerfile' in docker-bake.hcl",
        "contoso-shop/payment: build_args is {'SERVICE': 'pay'} in tilt/builds.yaml, "
        "{'SERVICE': 'payment'} in docker-bake.hcl",
    ]

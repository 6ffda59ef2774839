"""tilt/kind.yaml: the ctlptl cluster and registry agree with the Tiltfile's and the bake file's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hcl2.api import load as load_hcl

REPO = Path(__file__).resolve().parents[2]


def _documents() -> dict[str, dict[str, Any]]:
    return {doc["kind"]: doc for doc in yaml.safe_load_all((REPO / "tilt" / "kind.yaml").read_text())}


def test_cluster_is_kind_with_the_local_registry() -> None:
    documents = _documents()
    cluster, registry = documents["Cluster"], documents["Registry"]
    assert cluster["apiVersion"] == registry["apiVersion"] == "ctlptl.dev/v1alpha1"
    assert cluster["product"] == "kind"
    # ctlptl's kind clusters are "kind-<name>": a context Tilt takes as local without allow_k8s_contexts.
    assert cluster["name"].startswith("kind-")
    assert cluster["registry"] == registry["name"]
    assert cluster["kubernetesVersion"].startswith("v1.33.")


def test_registry_port_is_the_bake_default_registry() -> None:
    bake_file = REPO / "docker-bake.hcl"
    if not bake_file.exists():
        pytest.skip("docker-bake.hcl is not in this checkout yet")
    with bake_file.open() as handle:
        variables = {name: body for block in load_hcl(handle)["variable"] for name, body in block.items()}
    default = variables["REGISTRY"]["default"]
    registry = default[0] if isinstance(default, list) else default
    assert registry == f"localhost:{_documents()['Registry']['port']}"

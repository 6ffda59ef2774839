"""Schema validation: core kinds against Kubernetes 1.33 (kubernetes-validate, strict: unknown fields are
errors), custom resources against the CRD schemas kept offline in ../shared/schemas."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from kubernetes_validate import utils as kv  # type: ignore[import-untyped]
from referencing import Registry, Resource

from shopk8s.layout import SCHEMAS_DIR
from shopk8s.manifests import Object, Problem, ref

KUBERNETES_VERSION = "1.33"
# kubernetes-validate's strict schemas (unknown fields are errors) for that version, loaded once per kind:
# its own `validate` re-reads the definitions file for every object.
_SCHEMA_DIR = f"kubernetes-json-schema/v{KUBERNETES_VERSION}.0-local-strict"

CRD_SCHEMAS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "servicemonitor_v1.json",
    ("monitoring.coreos.com/v1", "PrometheusRule"): "prometheusrule_v1.json",
    ("secrets-store.csi.x-k8s.io/v1", "SecretProviderClass"): "secretproviderclass_v1.json",
}


@cache
def _definitions() -> Any:
    return Resource.from_contents(kv.schema_contents(f"{_SCHEMA_DIR}/_definitions.json", KUBERNETES_VERSION))


@cache
def _core_validator(api_version: str, kind: str) -> Any:
    """None when Kubernetes 1.33 has no such kind (the file naming is kubernetes-validate's)."""
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = kv.schema_contents(f"{_SCHEMA_DIR}/{kind.lower()}-{group_version}.json", KUBERNETES_VERSION)
    except FileNotFoundError:
        return None
    registry: Registry[Any] = Resource.from_contents(schema) @ Registry()
    registry = _definitions() @ registry
    return jsonschema.Draft202012Validator(schema, registry=registry)


@cache
def _crd_validator(path: Path) -> Any:
    schema = json.loads(path.read_text())
    return jsonschema.Draft7Validator(schema)


def validate(objects: list[Object], schemas_dir: Path = SCHEMAS_DIR) -> list[Problem]:
    problems: list[Problem] = []
    for obj in objects:
        crd = CRD_SCHEMAS.get((obj.get("apiVersion", ""), obj.get("kind", "")))
        if crd is not None:
            schema_file = schemas_dir / crd
            if not schema_file.is_file():
                problems.append(Problem(ref(obj), f"no schema at {schema_file} (see its README)"))
                continue
            for error in _crd_validator(schema_file.resolve()).iter_errors(obj):
                path = ".".join(str(part) for part in error.absolute_path) or "(top)"
                problems.append(Problem(ref(obj), f"{path}: {error.message}"))
            continue
        validator = _core_validator(obj.get("apiVersion", ""), obj.get("kind", ""))
        if validator is None:
            problems.append(Problem(ref(obj), f"{obj.get('apiVersion')} is not a Kubernetes 1.33 kind"))
            continue
        for error in validator.iter_errors(obj):
            path = ".".join(str(part) for part in error.absolute_path) or "(top)"
            problems.append(Problem(ref(obj), f"{path}: {error.message}"))
    return problems
